"""`python -m tools.bench.apply_cost` at tiny scale: the hot path measured, figures consistent."""

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest

from tests.fixtures.database import plain_dsn
from tools.bench.apply_cost import _local_backend, main

pytestmark = pytest.mark.e2e

ROUNDS = 200


def test_apply_cost_measures_the_optimistic_path_and_derives_the_fixed_cost(
    bench_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENTINEL_DATABASE_URL", bench_database)
    monkeypatch.chdir(tmp_path)  # bench-results/ goes here

    # Enough rounds for the server's clock, read from /proc in 10 ms ticks, to see the one-scan
    # batches (about 0.6 ms each): with 20, a run could read no tick at all.
    assert main(["--members", "30", "--rounds", str(ROUNDS), "--big", "4"]) == 0

    (path,) = (tmp_path / "bench-results").glob("apply-cost-*.json")
    figures = json.loads(path.read_text())
    floor, one, big = figures["round_trip"], figures["batch_1"], figures["batch_4"]
    assert (floor["rounds"], one["rounds"], big["rounds"]) == (ROUNDS, ROUNDS, ROUNDS // 4)
    # Every measured batch took the hot path: optimistic, decided from the mirror, one write.
    assert (one["optimistic"], big["optimistic"]) == (ROUNDS, ROUNDS // 4)
    assert (one["mirror_hits"], big["mirror_hits"]) == (ROUNDS, ROUNDS // 4)
    assert floor["cpu_us"] > 0 and one["cpu_us"] > 0 and big["cpu_us"] > 0
    per_scan = round((big["cpu_us"] - one["cpu_us"]) / 3, 1)
    assert figures["per_scan_cpu_us"] == per_scan
    assert figures["per_batch_cpu_us"] == round(one["cpu_us"] - per_scan, 1)
    # The readers' first scans (20) and the measured ones, each a new member's check-in or a
    # second tap six seconds later: never refused, never a duplicate.
    assert sum(figures["results"].values()) == 20 + ROUNDS + ROUNDS // 4 * 4
    assert set(figures["results"]) <= {"checked_in", "checked_out"}
    words = " ".join(capsys.readouterr().out.split())
    assert f"fixed cost of a batch: {figures['per_batch_cpu_us']} us of CPU" in words
    if not _served_here(bench_database):  # a server in a container: not measured
        assert one["server_cpu_us"] is None and "server_per_batch_cpu_us" not in figures
        return
    # A server on this machine: its backend's side is measured too, the write costing it more
    # than the bare round trip.
    assert 0 <= floor["server_cpu_us"] < one["server_cpu_us"]
    server_per_scan = round((big["server_cpu_us"] - one["server_cpu_us"]) / 3, 1)
    assert figures["server_per_scan_cpu_us"] == server_per_scan
    assert figures["server_per_batch_cpu_us"] == round(one["server_cpu_us"] - server_per_scan, 1)
    assert f"in PostgreSQL's backend: {figures['server_per_batch_cpu_us']} us per batch" in words


def _served_here(database_url: str) -> bool:
    """True when a connection to `database_url` is served by a process on this machine."""

    async def local() -> bool:
        connection = await asyncpg.connect(plain_dsn(database_url))
        try:  # looked up while the backend still serves the connection
            return bool(_local_backend(connection.get_server_pid()))
        finally:
            await connection.close()

    return asyncio.run(local())
