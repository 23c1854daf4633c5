"""tools.bench.ingest's pure parts: the taps it offers, how it books answers, its options.

The whole benchmark runs at tiny scale in tests/e2e/test_bench_ingest.py.
"""

import argparse
import json
from pathlib import Path

import pytest

from shared.contracts.scan import ScanEvent
from tools.bench.ingest import Load, _loads, _logged, _postmaster_pid, _wait_for_log

UIDS = ["AABBCCDD", "04A1B2C3D4E5F6", "11223344"]


class TestLoadMessage:
    def test_taps_follow_the_scan_contract(self) -> None:
        load = Load(uids=UIDS, readers=2)

        for n in range(6):
            event_id, message = load.message(n)
            scan = ScanEvent.model_validate_json(message.payload)
            assert scan.event_id == event_id and scan.seq == n
            assert scan.uid == UIDS[n % 3] and scan.ts_src == "ntp"
            assert message.topic == f"sentinel/v1/readers/bench-rdr-{n % 2}/scan"
            assert scan.device_of_event() == f"bench-rdr-{n % 2}"

    def test_a_members_taps_are_six_seconds_apart_so_none_is_a_duplicate(self) -> None:
        load = Load(uids=UIDS, readers=2)

        stamps = [json.loads(load.message(n)[1].payload)["ts"] for n in (1, 4, 7)]

        assert stamps[1] - stamps[0] == stamps[2] - stamps[1] == 6000

    def test_event_ids_are_unique(self) -> None:
        load = Load(uids=UIDS, readers=4)

        assert len({load.message(n)[0] for n in range(50)}) == 50

    def test_taps_built_ahead_continue_where_the_last_load_stopped(self) -> None:
        load = Load(uids=UIDS, readers=2)

        first, second = load.next_taps(4), load.next_taps(3)

        assert load.taps == 7
        for n, tap in enumerate(first + second):
            event_id, message = load.message(n)
            assert (tap.event_id, tap.message) == (event_id, message)
            assert tap.uid == UIDS[n % 3] == ScanEvent.model_validate_json(tap.message.payload).uid


class TestLoadOnMessage:
    def test_feedback_books_latency_and_result_until_all_expected_answers(self) -> None:
        load = Load(uids=UIDS, readers=1, expected=2)
        load.sent_at = {"a": 0.0, "b": 0.0}

        load.on_message("sentinel/v1/readers/r/feedback", b'{"event_id": "a", "result": "x"}')
        assert not load.done.is_set()
        load.on_message("sentinel/v1/readers/r/feedback", b'{"event_id": "b", "result": "x"}')

        assert load.done.is_set() and load.seen == 2
        assert load.results == {"x": 2} and len(load.latencies) == 2
        assert all(latency > 0 for latency in load.latencies) and load.sent_at == {}

    def test_feedback_for_a_tap_not_in_flight_is_ignored(self) -> None:
        load = Load(uids=UIDS, readers=1, expected=1)

        load.on_message("sentinel/v1/readers/r/feedback", b'{"event_id": "zz", "result": "x"}')

        assert (load.seen, load.results, load.latencies) == (0, {}, [])
        assert not load.done.is_set()

    def test_presence_of_a_tapped_member_books_its_lag_once(self) -> None:
        load = Load(uids=UIDS, readers=1)
        load.member_sent = {"m-1": 0.0, "m-2": 0.0}

        load.on_message("sentinel/v1/presence/members/m-1", b"{}")
        load.on_message("sentinel/v1/presence/members/m-1", b"{}")  # a later update: not a tap
        load.on_message("sentinel/v1/presence/members/m-9", b"{}")
        load.on_message("sentinel/v1/presence/summary", b"{}")

        assert len(load.presence_lags) == 1 and load.presence_lags[0] > 0
        assert not load.presence_done.is_set()  # m-2's presence is still awaited

    def test_the_last_awaited_presence_ends_the_wait(self) -> None:
        load = Load(uids=UIDS, readers=1)
        load.member_sent = {"m-1": 0.0}

        load.on_message("sentinel/v1/presence/members/m-1", b"{}")

        assert load.presence_done.is_set() and load.member_sent == {}


class TestLoadsOption:
    def test_rates_and_durations_are_parsed(self) -> None:
        assert _loads("10:10,100:0.5") == [(10, 10.0), (100, 0.5)]

    @pytest.mark.parametrize("text", ["ten:1", "10", "10:x", "1:0.5", "0:10"])
    def test_a_load_without_taps_or_malformed_is_refused(self, text: str) -> None:
        with pytest.raises(argparse.ArgumentTypeError):
            _loads(text)


async def test_readiness_is_read_from_the_service_log(tmp_path: Path) -> None:
    log = tmp_path / "ingest.log"
    assert not _logged(log, "ingest_connected")  # no log yet
    log.write_text('{"event": "ingest_starting"}\n')
    assert not _logged(log, "ingest_connected")
    log.write_text('{"event": "ingest_starting"}\n{"event": "ingest_connected"}\n')

    await _wait_for_log(log, "ingest_connected", limit_s=1)

    with pytest.raises(TimeoutError):
        await _wait_for_log(log, "ingest_stopped", limit_s=0.2)


def test_postmaster_pid_is_read_from_the_pid_file(tmp_path: Path) -> None:
    assert _postmaster_pid(tmp_path) is None
    pgdata = tmp_path / "postgres" / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "postmaster.pid").write_text("4242\n/some/dir\n1700000000\n5432\n")

    assert _postmaster_pid(tmp_path) == 4242
