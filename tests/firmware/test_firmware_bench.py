"""`python -m tools.bench.firmware_bench` at tiny scale: every figure printed, every scan received."""

import re

import pytest

from tools.bench.firmware_bench import main


def test_firmware_bench_measures_taps_heap_and_the_replay_after_an_outage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--taps", "3", "--replay", "6", "--poll-ms", "20"])

    out = capsys.readouterr().out
    size = re.search(r"app \.mpy size \(as flashed to /lib\): (\d+) bytes", out)
    assert size and int(size[1]) > 10_000
    heap = re.search(r"heap_free=(\d+) B, used_by_app=(\d+) B", out)
    assert heap and int(heap[1]) > 0 and int(heap[2]) > 0
    steady = re.search(r"after 3 taps, connected \(gc\.collect\): free (\d+) B, live (\d+) B", out)
    assert steady and int(steady[1]) > 0 and int(steady[2]) > 0
    inside = re.search(
        r"tap-to-publish inside firmware .*: median (\d+(?:\.\d+)?) ms, max (\d+)", out
    )
    assert inside and float(inside[1]) <= int(inside[2])
    host = re.search(
        r"backend receives scan \(incl. poll wait <= 20 ms\): median ([\d.]+) ms, p95 ([\d.]+) ms",
        out,
    )
    assert host and 0 < float(host[1]) <= float(host[2])
    # The bench itself waits for all 6 stored scans at the subscriber before printing this.
    replay = re.search(r"outbox replay after outage: 6 scans sent in (\d+) ms after CONNACK", out)
    assert replay and int(replay[1]) >= 1
    assert re.search(r"heap free with 6 scans waiting: \d+ B; after the replay: \d+ B", out)
