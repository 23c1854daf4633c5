"""Byte-exact tests of the MQTT 3.1.1 packet encoder (OASIS spec examples)."""

import mqttpkt
from payloads import scan as encode_scan
from timesync import UNIX_TO_2000_MS, epoch_offset_ms


def test_remaining_length_boundaries():
    assert mqttpkt.remaining_length(0) == b"\x00"
    assert mqttpkt.remaining_length(127) == b"\x7f"
    assert mqttpkt.remaining_length(128) == b"\x80\x01"
    assert mqttpkt.remaining_length(16383) == b"\xff\x7f"
    assert mqttpkt.remaining_length(16384) == b"\x80\x80\x01"


def test_connect_with_will_and_credentials():
    pkt = mqttpkt.connect("rdr-1", 30, False, "u", "p", "t/s", b"{}")  # the Will: QoS 1, retained
    # flags: user 0x80 | password 0x40 | will retain 0x20 | will qos1 0x08 | will 0x04
    assert pkt == (
        b"\x10\x20\x00\x04MQTT\x04\xec\x00\x1e"
        + b"\x00\x05rdr-1"
        + b"\x00\x03t/s"
        + b"\x00\x02{}"
        + b"\x00\x01u"
        + b"\x00\x01p"
    ), pkt


def test_connect_clean_no_will():
    assert mqttpkt.connect("c", 60, True) == b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01c"


def test_publish_header_qos1_dup_retain():
    head = mqttpkt.publish_header("a/b", 5, 1, True, True, 0x0102)
    assert head == b"\x3b\x0c\x00\x03a/b\x01\x02"
    assert mqttpkt.publish_header("a/b", 5, 0, False, False, 0) == b"\x30\x0a\x00\x03a/b"


def test_subscribe_and_puback():
    assert mqttpkt.subscribe(7, [("x", 1)]) == b"\x82\x06\x00\x07\x00\x01x\x01"
    assert mqttpkt.puback(0x1234) == b"\x40\x02\x12\x34"


def test_epoch_normalisation():
    assert epoch_offset_ms(2000) == 946684800000 == UNIX_TO_2000_MS
    assert epoch_offset_ms(1970) == 0


class _Rec:
    seq = 42
    uid = b"\x04\xa1\xb2\xc3\xd4\xe5\xf6\x00\x00\x00"
    uid_len = 7
    ts_ms = 1764110000123
    ntp = True
    mono_ms = 123456
    boot_id = b"\x9f\x3e\x01\xaa"


def test_encode_scan_matches_contract_example():
    got = encode_scan(_Rec(), "esp32-a1b2c3", False)
    assert got == (
        b'{"v":1,"event_id":"esp32-a1b2c3:9f3e01aa:42","boot_id":"9f3e01aa","seq":42,'
        b'"uid":"04A1B2C3D4E5F6","uid_len":7,"ts":1764110000123,"ts_src":"ntp",'
        b'"mono_ms":123456,"replayed":false}'
    ), got
    r = _Rec()
    r.ts_ms = -1
    r.ntp = False
    assert b'"ts":null,"ts_src":"none"' in encode_scan(r, "x", True)
