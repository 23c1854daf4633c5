"""`python -m tools.bootstrap_admin` creates the first Admin, once; they can sign in."""

import asyncio
import re

import httpx
import pytest

from tools import bootstrap_admin

ARGS = [
    "--service-number",
    "a12345678",
    "--rank",
    "lt(n)",
    "--first-name",
    "Alex",
    "--last-name",
    "Roy",
    "--badge",
    "04:a1:b2:c3",
]


async def test_first_admin_is_created_once_and_must_change_the_pin(
    database_url: str,
    api_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENTINEL_DATABASE_URL", database_url)
    assert await asyncio.to_thread(bootstrap_admin.main, ARGS) == 0
    out = capsys.readouterr().out
    assert "Lt(N) Roy, A" in out and "04A1B2C3" in out
    match = re.search(r"Temporary PIN: (\d{4})", out)
    assert match is not None
    login = await api_client.post(
        "/api/auth/login", json={"serial_number": "04A1B2C3", "pin": match.group(1)}
    )
    assert login.status_code == 200, login.text
    member = login.json()["member"]
    assert member["account_level"] == 5 and member["must_change_pin"] is True
    again = [
        "--service-number",
        "B1",
        "--rank",
        "S1",
        "--first-name",
        "B",
        "--last-name",
        "C",
        "--badge",
        "0A0B0C0D",
    ]
    assert await asyncio.to_thread(bootstrap_admin.main, again) == 1
    assert "admin_exists" in capsys.readouterr().err


async def test_bad_input_is_refused_without_writing(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTINEL_DATABASE_URL", database_url)
    bad = [*ARGS[:-1], "not-hex"]
    assert await asyncio.to_thread(bootstrap_admin.main, bad) == 1
    assert "badge_serial_invalid" in capsys.readouterr().err
    assert await asyncio.to_thread(bootstrap_admin.main, ARGS) == 0
