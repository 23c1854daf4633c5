"""No tap is lost through broker, WiFi and power outages; LWT and oldest-drop behave as specified."""

from __future__ import annotations

import json
import queue
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.firmware.conftest import Probe
from tests.firmware.helpers import heartbeat, online, scan
from tools.localservices.mosquitto import Mosquitto


def test_broker_outage_50_taps_replayed_in_order(
    make_device: Any, probe: Probe, broker: Mosquitto
) -> None:
    dev = make_device("outage", outbox_capacity=100)
    status = online(dev, probe)
    broker.stop()
    dev.expect("mqtt (mqtt_down|mqtt_read_failed)")
    for i in range(50):
        dev.send(f"tap {0xA0000000 + i:08X}")
    dev.expect(r"scan_queued seq=50 ", timeout=30)
    broker.start()
    events = []
    for _ in range(50):
        try:
            events.append(scan(probe, timeout=20))
        except AssertionError:
            raise AssertionError(f"got only {[e.seq for e in events]}") from None
    assert [e.seq for e in events] == list(range(1, 51))
    assert [e.uid for e in events] == [f"{0xA0000000 + i:08X}" for i in range(50)]
    assert all(e.replayed for e in events)
    assert all(e.boot_id == status.boot_id for e in events)
    assert len({e.event_id for e in events}) == 50
    dev.send("tap 01010101")
    live = scan(probe)
    assert (live.seq, live.replayed) == (51, False)
    assert probe.q.empty() or all(not t.endswith("/scan") for t, _, _ in list(probe.q.queue))


def test_outbox_survives_process_kill_and_seq_continues(
    make_device: Any, probe: Probe, broker: Mosquitto
) -> None:
    dev = make_device("persist")
    first = online(dev, probe)
    broker.stop()
    dev.expect("mqtt (mqtt_down|mqtt_read_failed)")
    for i in range(5):
        dev.send(f"tap {0xB0000000 + i:08X}")
    dev.expect(r"scan_queued seq=5 ")
    dev.kill()
    dev.start()
    dev.expect(r"outbox_open next_seq=6 depth=5")
    dev.send("tap C0C0C0C0")
    dev.expect(r"scan_queued seq=6 ")
    broker.start()
    events = [scan(probe, timeout=15) for _ in range(6)]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert {e.boot_id for e in events[:5]} == {first.boot_id}
    assert events[5].boot_id != first.boot_id and events[5].uid == "C0C0C0C0"
    assert all(e.replayed for e in events)


def test_full_outbox_drops_oldest_and_counts_it(
    make_device: Any, probe: Probe, broker: Mosquitto
) -> None:
    dev = make_device("full", outbox_capacity=8)
    online(dev, probe)
    broker.stop()
    dev.expect("mqtt (mqtt_down|mqtt_read_failed)")
    for i in range(11):
        dev.send(f"tap {0xD0000000 + i:08X}")
    dev.expect(r"scan_queued seq=11 ")
    broker.start()
    events = [scan(probe, timeout=15) for _ in range(8)]
    assert [e.seq for e in events] == list(range(4, 12))
    for _ in range(10):
        hb = heartbeat(probe)
        if hb.outbox.depth == 0:
            break
    assert (hb.outbox.depth, hb.outbox.dropped) == (0, 3)


def test_last_will_is_published_on_abrupt_kill(
    make_device: Any, probe: Probe, broker: Mosquitto
) -> None:
    dev = make_device("lwt")
    online(dev, probe)
    dev.kill()
    _, payload, _ = probe.next("/status")
    assert json.loads(payload) == {"v": 1, "state": "offline"}
    # Retained: a dashboard connecting later still sees the reader offline.
    got: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    late = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="late-viewer")
    late.on_message = lambda c, u, m: got.put(m)
    late.connect("127.0.0.1", broker.port)
    late.subscribe("sentinel/v1/readers/rdr-lwt/status", qos=1)
    late.loop_start()
    try:
        msg = got.get(timeout=5)
        assert msg.retain and json.loads(msg.payload)["state"] == "offline"
    finally:
        late.loop_stop()
        late.disconnect()


def test_wifi_drop_queues_taps_and_replays_after_rejoin(make_device: Any, probe: Probe) -> None:
    dev = make_device("wifi")
    online(dev, probe)
    dev.send("wifi down")
    dev.expect("net wifi_down")
    dev.send("tap E0E0E0E0")
    dev.expect(r"scan_queued seq=1 ")
    dev.send("wifi up")
    dev.expect("net wifi_up")
    ev = scan(probe, timeout=10)
    assert (ev.uid, ev.replayed) == ("E0E0E0E0", True)
    assert heartbeat(probe).mqtt_reconnects >= 1
