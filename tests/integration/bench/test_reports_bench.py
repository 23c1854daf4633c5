"""`python -m tools.bench.reports` at tiny scale on the session's server (`--database-url`)."""

import re

import pytest

from tests.fixtures.services import PostgresServer
from tests.integration.bench.helpers import databases
from tools.bench.reports import main


def _scratch(server: PostgresServer) -> set[str]:
    return {name for name in databases(server) if name.startswith("bench_")}


def test_report_bench_times_every_format_and_drops_its_scratch_database(
    postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _scratch(postgres_server)
    argv = ["--database-url", postgres_server.admin_url, "--members", "5", "--runs", "2"]

    status = main([*argv, "--budget-s", "60"])

    out = capsys.readouterr().out
    assert status == 0, out
    loaded = re.search(r"loaded ([\d,]+) check-ins in ([\d.]+) s", out)
    assert loaded and int(loaded[1].replace(",", "")) > 0
    timed = re.search(r"\(JSON\): first ([\d.]+) s, median ([\d.]+) s, best ([\d.]+) s", out)
    assert timed and "over 2 runs" in out
    first, median, best = (float(timed[i]) for i in (1, 2, 3))
    assert 0 < best <= median <= max(first, median)
    assert re.search(r"with csv rendering: [\d.]+ s", out)
    assert re.search(r"with pdf rendering: [\d.]+ s", out)
    assert "OK: under the 60.0 s budget" in out
    assert _scratch(postgres_server) == before
