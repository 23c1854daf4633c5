"""`python -m tools.bench.apply_cost` at tiny scale: the hot path measured, figures consistent."""

import json
from pathlib import Path

import pytest

from tools.bench.apply_cost import main

pytestmark = pytest.mark.e2e


def test_apply_cost_measures_the_optimistic_path_and_derives_the_fixed_cost(
    bench_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENTINEL_DATABASE_URL", bench_database)
    monkeypatch.chdir(tmp_path)  # bench-results/ goes here

    assert main(["--members", "30", "--rounds", "20", "--big", "4"]) == 0

    (path,) = (tmp_path / "bench-results").glob("apply-cost-*.json")
    figures = json.loads(path.read_text())
    floor, one, big = figures["round_trip"], figures["batch_1"], figures["batch_4"]
    assert (floor["rounds"], one["rounds"], big["rounds"]) == (20, 20, 5)
    # Every measured batch took the hot path: optimistic, decided from the mirror, one write.
    assert (one["optimistic"], big["optimistic"]) == (20, 5)
    assert (one["mirror_hits"], big["mirror_hits"]) == (20, 5)
    assert floor["cpu_us"] > 0 and one["cpu_us"] > 0 and big["cpu_us"] > 0
    per_scan = round((big["cpu_us"] - one["cpu_us"]) / 3, 1)
    assert figures["per_scan_cpu_us"] == per_scan
    assert figures["per_batch_cpu_us"] == round(one["cpu_us"] - per_scan, 1)
    # The readers' first scans (20) and the measured ones, each a new member's check-in or a
    # second tap six seconds later: never refused, never a duplicate.
    assert sum(figures["results"].values()) == 20 + 20 + 5 * 4
    assert set(figures["results"]) <= {"checked_in", "checked_out"}
    words = " ".join(capsys.readouterr().out.split())
    assert f"fixed cost of a batch: {figures['per_batch_cpu_us']} us of CPU" in words
