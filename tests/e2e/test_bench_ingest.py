"""`python -m tools.bench.ingest` at tiny scale: every tap answered, figures and files written.

The benchmark runs in-process (`main(argv)`) against a fresh clone of the migrated template and
a broker of its own (the session broker's other ingests would answer its scans too); it starts
the real `python -m ingest` and, when the unix port is installed, one real firmware reader.
"""

import json
import tempfile
from pathlib import Path

import pytest

from tools.bench.ingest import main
from tools.firmware_reader import MICROPYTHON
from tools.localservices.mosquitto import Mosquitto

pytestmark = pytest.mark.e2e

ACCEPTED = {"checked_in", "checked_out"}


def test_ingest_bench_answers_every_tap_and_writes_its_figures(
    bench_database: str,
    own_broker: Mosquitto,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SENTINEL_DATABASE_URL", bench_database)
    monkeypatch.setenv("SENTINEL_MQTT_URL", own_broker.url)
    monkeypatch.chdir(tmp_path)  # bench-results/ goes here
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # and the bench's state directory
    firmware_readers = 1 if MICROPYTHON.exists() else 0
    argv = ["--members", "24", "--readers", "2", "--burst", "60", "--warmup-s", "0.1"]
    argv += ["--loads", "100:0.1,200:0.1", "--firmware-readers", str(firmware_readers)]
    argv += ["--firmware-taps", "2"]

    assert main(argv) == 0

    [path] = (tmp_path / "bench-results").glob("ingest-*.json")
    results = json.loads(path.read_text())
    assert (results["members"], results["readers"], results["building"]) == (24, 2, "open")
    assert [row["offered_per_s"] for row in results["paced"]] == [100, 200]
    for row, taps in zip(results["paced"], (10, 20), strict=True):
        assert row["taps"] == taps and sum(row["results"].values()) == taps
        assert set(row["results"]) <= ACCEPTED  # the building is open: no prompt, no refusal
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert row["presence_missing"] == 0  # every tap's presence change was seen
        assert 0 < row["presence_lag_p50_ms"] <= row["presence_lag_p99_ms"]
        assert set(row["cpu_percent"]) == {"ingest", "mosquitto", "postgres", "load"}
        assert min(row["cpu_percent"].values()) >= 0
        # Split at the ingest's receive time: both parts of every tap, each shorter than its
        # whole (the clocks are this machine's, so neither part may come out negative).
        split = row["split"]
        assert split["taps"] == taps
        assert 0 <= split["to_ingest_p50_ms"] <= split["to_ingest_p99_ms"] <= row["max_ms"]
        assert 0 < split["ingest_to_answer_p50_ms"] <= split["ingest_to_answer_p99_ms"]
        assert split["ingest_to_answer_p99_ms"] <= row["max_ms"]
    sustained = results["sustained"]
    assert sustained["taps"] == sum(sustained["results"].values()) == 60
    assert set(sustained["results"]) <= ACCEPTED
    assert sustained["scans_per_s"] > 0 and sustained["seconds"] > 0
    mqtt, copy = results["ceiling_mqtt"], results["ceiling_copy"]
    assert mqtt["qos1_msgs_per_s"] > 0 and 0 < mqtt["p50_ms"] <= mqtt["p99_ms"]
    assert copy["copy_rows_per_s"] > 0
    assert results["ratio_to_mqtt"] == round(sustained["scans_per_s"] / mqtt["qos1_msgs_per_s"], 3)
    assert results["ratio_to_copy"] == round(sustained["scans_per_s"] / copy["copy_rows_per_s"], 3)
    if firmware_readers:
        firmware = results["firmware"]
        assert (firmware["readers"], firmware["taps"], firmware["missed"]) == (1, 2, 0)
        assert 0 < firmware["p50_ms"] <= firmware["p99_ms"]
    idle = results["idle_penalty"]
    assert idle["gap_ms"] == 10 and idle["warm_us"] > 0 and idle["after_idle_us"] > 0
    chart = path.with_suffix(".png").read_bytes()
    assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 1000
    report = capsys.readouterr().out
    assert f"sustained: {sustained['scans_per_s']} scans/s (60 taps" in report
    assert "ceiling, COPY alone" in report
    words = " ".join(report.split())  # the console wraps long lines
    assert f"{idle['after_idle_us']} us after 10 ms idle ({idle['ratio']} x)" in words
    split = results["paced"][0]["split"]
    assert (
        f"100/s, p50 / p99: tap -> ingest receive {split['to_ingest_p50_ms']} / "
        f"{split['to_ingest_p99_ms']} ms" in words
    )
    # A successful run removes its directory: it holds a whole database cluster.
    assert not list(tmp_path.glob("sentinel-bench-*"))
