"""`python -m tools.bench.api_members` at tiny scale: real requests, figures, nothing left behind."""

import re

import pytest

from tests.fixtures.services import PostgresServer
from tests.integration.bench.helpers import databases
from tools.bench.api_members import _measure, _prepare, main


def _scratch(server: PostgresServer) -> set[str]:
    return {name for name in databases(server) if name.startswith("sentinel_bench_")}


def test_member_list_bench_prints_latency_figures_and_drops_its_database(
    postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _scratch(postgres_server)
    argv = ["--server-url", postgres_server.admin_url, "--members", "60", "--requests", "7"]

    assert main(argv) == 0

    out = capsys.readouterr().out
    assert "GET /api/members  members=60 page_size=50 requests=7" in out
    figures = re.search(
        r"p50 ([\d.]+) ms  p95 ([\d.]+) ms  p99 ([\d.]+) ms  max ([\d.]+) ms  mean ([\d.]+) ms", out
    )
    assert figures
    p50, p95, p99, top, mean = (float(figures[i]) for i in range(1, 6))
    assert 0 < p50 <= p95 <= p99 <= top and 0 < mean <= top
    assert re.search(r"throughput \d+ req/s", out)
    assert _scratch(postgres_server) == before


async def test_member_list_bench_refuses_to_time_a_short_page(database_url: str) -> None:
    token = await _prepare(database_url, 10)  # fewer members than a page of 50

    with pytest.raises(RuntimeError, match="unexpected answer 200"):
        await _measure(database_url, token, requests=1, members=10)
