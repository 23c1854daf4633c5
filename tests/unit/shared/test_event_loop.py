"""The services' event loop: uvloop by default, asyncio's own when the settings say so."""

import asyncio

import pytest
import uvloop
from pydantic import ValidationError

from shared import event_loop
from shared.settings import Settings


async def _loop_name() -> str:
    return event_loop.name_of(asyncio.get_running_loop())


def test_run_uses_uvloop_by_default() -> None:
    assert event_loop.run(_loop_name()) == "uvloop"


def test_run_can_use_asyncios_own_loop() -> None:
    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    kind = event_loop.run(loop_type(), "asyncio")
    assert not issubclass(kind, uvloop.Loop)
    assert event_loop.run(_loop_name(), "asyncio") == "asyncio"


def test_the_ingest_setting_defaults_to_uvloop_and_refuses_other_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().ingest_event_loop == "uvloop"
    monkeypatch.setenv("SENTINEL_INGEST_EVENT_LOOP", "asyncio")
    assert Settings().ingest_event_loop == "asyncio"
    monkeypatch.setenv("SENTINEL_INGEST_EVENT_LOOP", "trio")
    with pytest.raises(ValidationError, match="uvloop"):
        Settings()
