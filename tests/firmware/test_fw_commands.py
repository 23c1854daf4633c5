"""Remote commands are acked; bad input is logged (and acked with an error where possible), never fatal."""

from __future__ import annotations

import json
from typing import Any

from shared.contracts.command import Command, CommandAck, CommandName
from shared.contracts.feedback import Feedback
from tests.firmware.conftest import Device, Probe
from tests.firmware.helpers import heartbeat, online, scan


def send_cmd(probe: Probe, device_id: str, payload: bytes) -> None:
    probe.publish(f"sentinel/v1/readers/{device_id}/cmd", payload)


def ack(probe: Probe) -> CommandAck:
    _, payload, _ = probe.next("/cmd/ack")
    return CommandAck.model_validate_json(payload)


def cmd(cmd_id: str, name: CommandName, **args: Any) -> bytes:
    return Command(cmd_id=cmd_id, cmd=name, args=args).to_bytes()


def test_set_config_round_trip(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("cfg")
    online(dev, probe)
    send_cmd(probe, "rdr-cfg", cmd("c-1", "set_config", cooldown_ms=500, heartbeat_s=2))
    a = ack(probe)
    assert (a.cmd_id, a.ok, a.error) == ("c-1", True, None)
    saved = json.loads(dev.config_path.read_text())
    assert saved["cooldown_ms"] == 500 and saved["heartbeat_s"] == 2 and saved["schema"] == 1
    assert saved["wifi_password"] == "wifi-secret-pw"  # untouched keys survive
    dev.send("tap 01020304")
    assert scan(probe).uid == "01020304"  # still running, no reboot


def test_set_config_with_wrong_types_is_refused(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("badcfg")
    online(dev, probe)
    before = dev.config_path.read_text()
    bad: list[dict[str, Any]] = [
        {"heartbeat_s": "fast"},
        {"rx_gain": 9},
        {"no_such_key": 1},
        {"mqtt_tls": 1},
    ]
    for i, args in enumerate(bad):
        send_cmd(probe, "rdr-badcfg", cmd(f"c-{i}", "set_config", **args))
        a = ack(probe)
        assert a.ok is False and a.error and a.error.startswith("bad_config")
    assert dev.config_path.read_text() == before


def test_set_config_of_a_restart_key_reboots_cleanly(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("cfgrb")
    online(dev, probe)
    send_cmd(probe, "rdr-cfgrb", cmd("c-7", "set_config", mqtt_keepalive_s=10))
    assert ack(probe).ok
    _, payload, _ = probe.next("/status")
    assert json.loads(payload) == {"v": 1, "state": "offline", "reason": "config"}
    assert dev.wait_exit() == 75  # machine.reset() in the shim
    assert json.loads(dev.config_path.read_text())["mqtt_keepalive_s"] == 10


def test_unknown_command_and_bad_args_are_acked_with_error(make_device: Any, probe: Probe) -> None:
    online(make_device("unk"), probe)
    raw = json.loads(cmd("c-9", "identify"))
    raw["cmd"] = "self_destruct"
    send_cmd(probe, "rdr-unk", json.dumps(raw).encode())
    a = ack(probe)
    assert (a.cmd_id, a.ok, a.error) == ("c-9", False, "unknown_cmd")
    raw = json.loads(cmd("c-10", "identify"))
    raw["args"] = [1, 2]
    send_cmd(probe, "rdr-unk", json.dumps(raw).encode())
    assert ack(probe).error == "bad_args: args must be an object"


def test_malformed_and_oversized_input_never_crashes(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("junk")
    online(dev, probe)
    for payload in (b"{not json", b'{"v":1}', b"[]", b'{"v":1,"cmd_id":""}', b"x" * 1500):
        send_cmd(probe, "rdr-junk", payload)
        dev.expect("cmd cmd_invalid")
    send_cmd(probe, "rdr-junk", b"y" * 5000)  # beyond mqtt_max_in: skipped by the client
    dev.expect("mqtt mqtt_oversize")
    fb = "sentinel/v1/readers/rdr-junk/feedback"
    for payload in (b"nope", b'{"v":2,"result":"checked_in"}', b'{"v":1,"result":"maybe"}'):
        probe.publish(fb, payload)
        dev.expect("fb feedback_invalid")
    send_cmd(probe, "rdr-junk", cmd("c-ok", "identify"))
    assert ack(probe).ok  # same process, same session: nothing crashed or rebooted
    probe.publish(fb, Feedback(event_id=None, result="error", display=None, reason=None).to_bytes())
    assert heartbeat(probe).reader.ok
    assert "crashed" not in dev.output() and '"reset"' not in dev.output()


def test_identify_sync_time_and_clear_outbox(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("ops")
    online(dev, probe)
    send_cmd(probe, "rdr-ops", cmd("c-1", "identify"))
    assert ack(probe).ok
    dev.sim(r'"pin":26,"v":1')  # identify alternates green and red
    dev.send("ntp fail")
    dev.sync()
    send_cmd(probe, "rdr-ops", cmd("c-2", "sync_time"))
    assert ack(probe).error == "ntp_failed"
    dev.send("ntp ok")
    dev.sync()
    send_cmd(probe, "rdr-ops", cmd("c-3", "sync_time"))
    assert ack(probe).ok
    send_cmd(probe, "rdr-ops", cmd("c-4", "clear_outbox"))
    assert ack(probe).ok
    dev.expect("cmd outbox_cleared dropped=0")


def test_reboot_acks_then_leaves_gracefully(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("rb")
    online(dev, probe)
    send_cmd(probe, "rdr-rb", cmd("c-1", "reboot"))
    assert ack(probe).ok
    _, payload, _ = probe.next("/status")
    assert json.loads(payload) == {"v": 1, "state": "offline", "reason": "reboot"}
    assert dev.wait_exit() == 75


def test_invalid_config_file_falls_back_to_defaults(make_device: Any, probe: Probe) -> None:
    dev: Device = make_device("boot", heartbeat_s="fast", poll_ms=-5, rx_gain=[1])
    online(dev, probe)
    out = dev.output()
    for key in ("heartbeat_s", "poll_ms", "rx_gain"):
        assert f"config_invalid key={key}" in out
    dev.send("tap 0A0B0C0D")
    assert scan(probe).uid == "0A0B0C0D"
