"""RC522 faults are detected by the health check, healed by soft/hard reset and counted in the heartbeat."""

from __future__ import annotations

from typing import Any

import pytest

from tests.firmware.conftest import Probe
from tests.firmware.helpers import heartbeat, online, scan


@pytest.mark.parametrize(
    ("fault", "problem", "kind"),
    [("crypto", r"problems=4", "soft"), ("antenna", r"problems=2", "soft"), ("hang", "", "hard")],
)
def test_rc522_fault_is_detected_reset_and_counted(
    make_device: Any, probe: Probe, fault: str, problem: str, kind: str
) -> None:
    dev = make_device("f-" + fault)
    online(dev, probe)
    dev.send(f"fault {fault}")
    dev.expect(r"reader (rc522_unhealthy|rc522_no_answer)" + (" " + problem if problem else ""))
    dev.expect(rf"reader rc522_ok version=0x92 kind={kind} resets=[12]")
    dev.send("tap 5A5A5A5A")
    assert scan(probe).uid == "5A5A5A5A"
    hb = heartbeat(probe)
    while hb.reader.resets == 0:
        hb = heartbeat(probe)
    assert hb.reader.ok and hb.reader.version == "0x92" and hb.reader.resets >= 1


def test_missed_answers_do_not_duplicate_a_tap(make_device: Any, probe: Probe) -> None:
    dev = make_device("glitch")
    online(dev, probe)
    dev.send("verbose 1")
    dev.send("place 77665544")
    assert scan(probe).uid == "77665544"
    dev.send("fault timeout 2")  # one poll loses the card, the presence machine bridges it
    dev.sim(r'"n":20')
    dev.send("remove")
    dev.send("tap 10203040")
    assert scan(probe).uid == "10203040"


def test_heartbeat_is_contract_valid(make_device: Any, probe: Probe) -> None:
    dev = make_device("hb")
    online(dev, probe)
    hb = heartbeat(probe)
    assert hb.outbox.depth == 0 and hb.reader.ok and hb.fw == "1.0.0"
    assert hb.heap_free is not None and hb.rssi == -55
