"""A bounded property-based run of Schemathesis over /openapi.json finds no server error.

The API runs in-process under uvicorn on a free port, signed in as a Developer so every
handler is reached; Schemathesis (CLI) generates a few cases per operation.
"""

import asyncio
import contextlib
import os
import shutil
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from shared.settings import Settings
from tests.fixtures.auth import login_headers
from tools.localservices.ports import free_port

# Every operation is fuzzed; SENTINEL_FUZZ_ADMIN_ONLY=1 limits the run to the admin API's tags.
TAGS = [
    "auth",
    "members",
    "reference",
    "settings",
    "badges",
    "visitors",
    "checkins",
    "audit",
    "presence",
    "health",
]
# Calls that would end the fuzzer's own session and blind the rest of the run (Schemathesis
# reuses ids it saw in responses, so it finds its own session), and /ready, which answers 503
# by design here because no broker runs.
EXCLUDED = [
    "/api/auth/logout",
    "/api/auth/sessions/end-all",
    "/api/auth/sessions/{session_id}",
    "/ready",
]


@pytest.mark.timeout(180)
async def test_schemathesis_finds_no_server_error(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    headers, _ = await login_headers(sessionmaker, level=6)
    settings = Settings.model_validate(
        {"database_url": database_url, "mqtt_url": "mqtt://127.0.0.1:9"}
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)  # uvicorn exposes no started event; polls a flag only
            assert not serving.done()
        cli = shutil.which("schemathesis", path=os.path.dirname(sys.executable)) or "schemathesis"
        args = [
            cli,
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            os.environ.get("SENTINEL_FUZZ_EXAMPLES", "2"),
            "--seed",
            "5",
            "--max-time",
            "35",
            "--request-timeout",
            "10",
            "--header",
            f"Authorization:{headers['Authorization']}",
            *[a for path in EXCLUDED for a in ("--exclude-path", path)],
            *(
                [a for t in TAGS for a in ("--include-tag", t)]
                if os.environ.get("SENTINEL_FUZZ_ADMIN_ONLY")
                else []
            ),
        ]
        # Run in a scratch directory so Schemathesis's `.schemathesis/` cache stays out of the repo.
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path
        )
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=150)
        text = output.decode(errors="replace")
        async with sessionmaker() as s:
            sessions = (
                await s.execute(
                    sa.text(
                        "SELECT s.ended_at, s.end_reason, m.status, m.account_level, m.must_change_pin"
                        " FROM member_sessions s JOIN members m ON m.id = s.member_id"
                    )
                )
            ).all()
        assert proc.returncode == 0, f"{sessions}\n{text[-6000:]}"
        assert "passed" in text.lower(), text[-2000:]
        # The run must reach the handlers: a lost session would hide 500s behind 401s.
        assert [row.ended_at for row in sessions] == [None], f"{sessions}\n{text[-6000:]}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(serving, timeout=10)
