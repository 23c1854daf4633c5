"""Badge taps on the simulated RC522 become exactly one contract-valid scan each, with feedback."""

from __future__ import annotations

from typing import Any

from shared.contracts.feedback import Feedback
from tests.firmware.conftest import Probe
from tests.firmware.helpers import online, scan


def test_single_tap_publishes_one_valid_scan(make_device: Any, probe: Probe) -> None:
    dev = make_device("tap1")
    status = online(dev, probe)
    dev.send("tap 04A1B2C3D4E5F6")
    ev = scan(probe)
    assert ev.uid == "04A1B2C3D4E5F6" and ev.uid_len == 7
    assert ev.boot_id == status.boot_id
    assert ev.event_id == f"rdr-tap1:{status.boot_id}:1" and ev.seq == 1
    assert ev.replayed is False
    assert ev.device_of_event() == "rdr-tap1"
    if ev.ts_src == "ntp":
        assert ev.ts is not None and ev.ts > 1_700_000_000_000
    dev.send("tap 11223344")
    ev2 = scan(probe)
    assert (ev2.uid, ev2.seq) == ("11223344", 2)


def test_uid_sizes_and_88_prefix(make_device: Any, probe: Probe) -> None:
    dev = make_device("sizes")
    online(dev, probe)
    for uid in ("DEADBEEF", "00112233445566778899", "88010203", "0400000000000A"):
        dev.send(f"tap {uid}")
        ev = scan(probe)
        assert (ev.uid, ev.uid_len) == (uid, len(uid) // 2)


def test_card_held_on_reader_is_one_event(make_device: Any, probe: Probe) -> None:
    dev = make_device("held")
    online(dev, probe)
    dev.send("verbose 1")
    dev.send("place CAFEBABE")
    assert scan(probe).uid == "CAFEBABE"
    dev.sim(r'"n":40', timeout=10)  # selected 40 times: far past the 300 ms cooldown
    dev.send("remove")
    dev.send("tap 0BADF00D")
    assert scan(probe).uid == "0BADF00D"  # nothing else came in between


def test_two_cards_in_the_field_are_both_read(make_device: Any, probe: Probe) -> None:
    dev = make_device("two")
    online(dev, probe)
    dev.send("place 12345678")
    dev.send("place 12345679")
    uids = {scan(probe).uid, scan(probe).uid}
    assert uids == {"12345678", "12345679"}
    dev.send("remove")


def test_feedback_result_drives_led_and_buzzer(make_device: Any, probe: Probe) -> None:
    dev = make_device("fb")
    online(dev, probe)
    for uid, result, pin, tone in (
        ("01020304", "checked_in", 25, 2000),
        ("01020305", "rejected", 26, 400),
    ):
        dev.send(f"tap {uid}")
        ev = scan(probe)
        dev.expect("mqtt scan_sent")
        dev.mark()
        fb = Feedback(event_id=ev.event_id, result=result, display="S1 Smith, J", reason=None)
        probe.publish("sentinel/v1/readers/rdr-fb/feedback", fb.to_bytes())
        dev.expect(f"fb feedback result={result}")
        assert dev.sim(rf'"pin":{pin},"v":1')["v"] == 1
        assert dev.sim(rf'"freq":{tone}')["pwm"] == 27


def test_missing_feedback_shows_offline_pattern(make_device: Any, probe: Probe) -> None:
    dev = make_device("nofb")
    online(dev, probe)
    dev.send("tap 01020304")
    scan(probe)
    dev.expect("fb feedback_timeout", timeout=4)
    green = dev.sim(r'"pin":25,"v":1')
    red = dev.sim(r'"pin":26,"v":1')
    assert green and red  # amber blink


def test_feedback_for_other_event_is_ignored(make_device: Any, probe: Probe) -> None:
    dev = make_device("stale")
    online(dev, probe)
    dev.send("tap 01020304")
    scan(probe)
    fb = Feedback(event_id="rdr-stale:00000000:99", result="checked_in", display=None, reason=None)
    probe.publish("sentinel/v1/readers/rdr-stale/feedback", fb.to_bytes())
    dev.expect("fb feedback_stale")


def test_secrets_are_never_printed(make_device: Any, probe: Probe) -> None:
    dev = make_device("secret", mqtt_password="mqtt-secret-pw")
    online(dev, probe)
    dev.send("tap 01020304")
    scan(probe)
    out = dev.output()
    assert "wifi-secret-pw" not in out and "mqtt-secret-pw" not in out
