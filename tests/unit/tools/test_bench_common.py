"""tools.bench.common: nearest-rank percentiles, per-process CPU accounting, result files."""

import json
import math
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tools.bench.common import (
    CpuMeter,
    children_of,
    cpu_seconds,
    idle_penalty,
    percentile,
    write_results,
)


class TestPercentile:
    def test_nearest_rank_of_a_hundred_values(self) -> None:
        values = [float(v) for v in range(100, 0, -1)]  # unsorted on purpose

        assert [percentile(values, q) for q in (0, 1, 50, 95, 99, 100)] == [1, 1, 50, 95, 99, 100]

    def test_p99_of_a_hundred_values_is_not_the_maximum(self) -> None:
        # round(x + 0.5) rounds half to even: it used to return the maximum here.
        assert percentile([float(v) for v in range(1, 101)], 99) == 99

    def test_median_of_an_even_count_is_the_lower_middle_value(self) -> None:
        assert percentile([6.0, 1.0, 5.0, 2.0, 4.0, 3.0], 50) == 3
        assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3

    def test_one_value_is_every_percentile(self) -> None:
        assert {percentile([7.5], q) for q in (0, 50, 100)} == {7.5}

    def test_no_values_give_nan(self) -> None:
        assert math.isnan(percentile([], 50))


def _gone_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_cpu_seconds_counts_live_processes_and_skips_vanished_ones() -> None:
    mine = cpu_seconds([os.getpid()])

    assert mine > 0
    assert cpu_seconds([_gone_pid()]) == 0
    assert cpu_seconds([os.getpid(), _gone_pid()]) >= mine


def test_children_of_lists_a_running_child_until_it_exits() -> None:
    child = subprocess.Popen(["cat"], stdin=subprocess.PIPE)  # runs until its stdin closes
    try:
        assert child.pid in children_of(os.getpid())
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    assert child.pid not in children_of(os.getpid())


def test_cpu_meter_reports_percent_of_a_core_per_group() -> None:
    meter = CpuMeter({"me": [os.getpid()], "nobody": []})
    meter.start()
    burnt_from = cpu_seconds([os.getpid()])
    while cpu_seconds([os.getpid()]) - burnt_from < 0.05:  # burn CPU, measured by the same clock
        sum(range(10_000))

    shares = meter.stop()

    assert set(shares) == {"me", "nobody"}
    assert 0 < shares["me"] <= 100 * (os.cpu_count() or 1) + 10
    assert shares["nobody"] == 0


def test_write_results_writes_json_under_bench_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)

    path = write_results("smoke", {"figure": 1.5, "at": at, "rows": [1, 2]})

    assert path.parent == Path("bench-results")
    assert path.name.startswith("smoke-") and path.suffix == ".json"
    assert json.loads((tmp_path / path).read_text()) == {
        "figure": 1.5,
        "at": str(at),  # what JSON cannot hold is written as text
        "rows": [1, 2],
    }


def test_idle_penalty_times_the_work_back_to_back_and_after_each_gap() -> None:
    calls = []

    def work() -> None:
        calls.append(1)
        sum(range(2000))

    figures = idle_penalty(gap_s=0.001, rounds=5, work=work)

    assert len(calls) == 1 + 5 + 5  # one untimed first call, then each round of each series
    assert figures["gap_ms"] == 1
    assert figures["warm_us"] > 0 and figures["after_idle_us"] > 0
    assert figures["ratio"] == round(figures["after_idle_us"] / figures["warm_us"], 2)


def test_idle_penalty_runs_a_scans_worth_of_the_ingests_own_code_by_default() -> None:
    figures = idle_penalty(gap_s=0, rounds=3)

    # Ten check-in events built and serialised: well over a microsecond, well under a second.
    assert 1 < figures["warm_us"] < 1_000_000
