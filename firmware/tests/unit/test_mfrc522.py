"""Byte-exact tests of drivers.mfrc522 and drivers.iso14443a against the register-level emulator."""

from drivers import iso14443a, mfrc522
from picc import Card
from rc522_chip import Chip, FakeSPI


class _Pin:
    def __init__(self, chip, pin_id):
        self.chip = chip
        self.id = pin_id

    def __call__(self, v):
        self.chip.pin(self.id, v)


def make(version=0x92):
    chip = Chip(version=version)
    spi = FakeSPI(chip)
    drv = mfrc522.MFRC522(spi, _Pin(chip, 5), _Pin(chip, 22))
    return chip, spi, drv


def ready(cards=()):
    chip, spi, drv = make()
    assert drv.init(4)
    for c in cards:
        chip.field.cards.append(c)
    sel = iso14443a.CardSelector(drv)
    return chip, spi, drv, sel


def hexs(b, n=None):
    return "".join("%02X" % x for x in (b[:n] if n is not None else b))


def test_read_register_bytes():
    chip, spi, drv = make()
    spi.traffic = []
    assert drv.read(0x37) == 0x92
    assert spi.traffic == [(b"\xee\x00", b"\x00\x92")]


def test_write_register_bytes():
    chip, spi, drv = make()
    spi.traffic = []
    drv.write(0x2A, 0x80)
    assert spi.traffic == [(b"\x54\x80", None)]


def test_init_register_sequence():
    chip, spi, drv = make()
    chip.log = []
    assert drv.init(5)
    writes = [(r, v) for (k, r, v) in chip.log if k == "w"]
    assert writes == [
        (0x01, 0x0F),
        (0x2A, 0x80),
        (0x2B, 0xA9),
        (0x2C, 0x00),
        (0x2D, 100),
        (0x15, 0x40),
        (0x11, 0x3D),
        (0x26, 0x50),
        (0x14, 0x83),
    ], writes
    assert drv.version == 0x92


def test_crc_a_known_vector():
    # HLTA frame 50 00 carries CRC 57 CD (ISO 14443-3 / NXP AN10833).
    crc = iso14443a.crc_a(b"\x50\x00", 2)
    assert crc == 0xCD57, hex(crc)


def test_no_card_is_timeout():
    chip, spi, drv, sel = ready()
    assert sel.request() == iso14443a.NO_CARD


def test_select_4_byte_uid_frames():
    uid = b"\xde\xad\xbe\xef"
    chip, spi, drv, sel = ready([Card(uid)])
    chip.field.record = True
    assert sel.request() == iso14443a.OK
    assert sel.atqa == 0x0004
    assert sel.select() == iso14443a.OK
    assert sel.uid_len == 4 and bytes(sel.uid[:4]) == uid
    assert sel.sak == 0x08
    bcc = 0xDE ^ 0xAD ^ 0xBE ^ 0xEF
    sel_frame = bytes([0x93, 0x70]) + uid + bytes([bcc])
    crc = iso14443a.crc_a(sel_frame, 7)
    assert chip.field.frames == [
        (b"\x26", 7),
        (b"\x93\x20", 0),
        (sel_frame + bytes([crc & 0xFF, crc >> 8]), 0),
    ], chip.field.frames


def test_select_7_byte_uid_two_levels():
    uid = b"\x04\xa1\xb2\xc3\xd4\xe5\xf6"
    chip, spi, drv, sel = ready([Card(uid)])
    chip.field.record = True
    assert sel.request() == iso14443a.OK
    assert sel.select() == iso14443a.OK
    assert hexs(sel.uid, sel.uid_len) == "04A1B2C3D4E5F6"
    assert sel.sak == 0x00
    cmds = [f[0][:2] for f in chip.field.frames]
    assert cmds == [b"\x26", b"\x93\x20", b"\x93\x70", b"\x95\x20", b"\x95\x70"], cmds
    assert chip.field.frames[2][0][2] == 0x88  # cascade tag sent back in the CL1 SELECT


def test_select_10_byte_uid_three_levels():
    uid = bytes(range(0x10, 0x1A))
    chip, spi, drv, sel = ready([Card(uid, sak=0x20)])
    assert sel.wake() == iso14443a.OK
    assert sel.atqa == 0x0084
    assert sel.select() == iso14443a.OK
    assert sel.uid_len == 10 and bytes(sel.uid[:10]) == uid
    assert sel.sak == 0x20


def test_4_byte_uid_starting_with_88_is_not_cascaded():
    uid = b"\x88\x01\x02\x03"
    chip, spi, drv, sel = ready([Card(uid)])
    assert sel.request() == iso14443a.OK
    assert sel.select() == iso14443a.OK
    assert sel.uid_len == 4 and bytes(sel.uid[:4]) == uid


def test_bad_bcc_is_rejected():
    chip, spi, drv, sel = ready([Card(b"\x11\x22\x33\x44", bad_bcc=True)])
    assert sel.request() == iso14443a.OK
    assert sel.select() == iso14443a.BAD_BCC


def test_collision_resolves_both_cards():
    a = Card(b"\x12\x34\x56\x78")
    b = Card(b"\x12\x34\x56\x79")  # differs in bit 24 (bit 0 of the 4th byte)
    chip, spi, drv, sel = ready([a, b])
    seen = []
    st = sel.wake()
    for _ in range(4):
        if st not in (iso14443a.OK, iso14443a.COLLISION):
            break
        assert sel.select() == iso14443a.OK
        seen.append(hexs(sel.uid, sel.uid_len))
        sel.halt()
        st = sel.request()
    assert sorted(seen) == ["12345678", "12345679"], seen
    assert seen[0] == "12345679"  # the branch with the colliding bit set to 1 wins first


def test_collision_between_7_and_4_byte_cards():
    a = Card(b"\x04\xa1\xb2\xc3\xd4\xe5\xf6")
    b = Card(b"\x5a\x00\x00\x01")
    chip, spi, drv, sel = ready([a, b])
    seen = []
    st = sel.wake()
    while st in (iso14443a.OK, iso14443a.COLLISION):
        assert sel.select() == iso14443a.OK
        seen.append(hexs(sel.uid, sel.uid_len))
        sel.halt()
        st = sel.request()
    assert sorted(seen) == ["04A1B2C3D4E5F6", "5A000001"], seen


def test_halted_card_ignores_reqa_but_answers_wupa():
    chip, spi, drv, sel = ready([Card(b"\x01\x02\x03\x04")])
    assert sel.request() == iso14443a.OK
    assert sel.select() == iso14443a.OK
    sel.halt()
    assert sel.request() == iso14443a.NO_CARD
    assert sel.wake() == iso14443a.OK


def test_timeout_fault_reports_no_card():
    chip, spi, drv, sel = ready([Card(b"\x01\x02\x03\x04")])
    chip.fault("timeout", 1)
    assert sel.request() == iso14443a.NO_CARD
    assert sel.request() == iso14443a.OK


def test_health_ok_after_init():
    chip, spi, drv = make()
    assert drv.init(4)
    assert drv.health() == 0


def test_crypto_stuck_detected_and_cleared_by_soft_reset():
    chip, spi, drv, sel = ready([Card(b"\x01\x02\x03\x04")])
    chip.fault("crypto")
    assert drv.health() & mfrc522.CRYPTO_STUCK
    drv.stop_crypto()
    assert drv.health() & mfrc522.CRYPTO_STUCK  # stuck: clearing the bit does not help
    assert sel.request() == iso14443a.NO_CARD
    assert drv.init(4)
    assert drv.health() == 0
    assert sel.request() == iso14443a.OK


def test_antenna_off_detected_and_fixed_by_init():
    chip, spi, drv, sel = ready([Card(b"\x01\x02\x03\x04")])
    chip.fault("antenna")
    assert drv.health() == mfrc522.ANTENNA_OFF
    assert sel.request() == iso14443a.NO_CARD
    assert drv.init(4)
    assert drv.health() == 0


def test_hung_chip_needs_hard_reset():
    chip, spi, drv = make()
    assert drv.init(4)
    chip.fault("hang")
    assert drv.health() & mfrc522.BAD_VERSION
    assert not drv.init(4)
    drv.hard_reset()
    assert chip.hard_resets == 1
    assert drv.init(4)
    assert drv.health() == 0


def test_transceive_on_hung_chip_is_bounded():
    chip, spi, drv = make()
    assert drv.init(4)
    chip.fault("hang")
    assert drv.transceive(b"\x26", 1, 7) == mfrc522.NO_CHIP


def test_unknown_version_fails_init():
    chip, spi, drv = make(version=0x00)
    assert not drv.init(4)


def test_rx_gain_register():
    chip, spi, drv = make()
    drv.set_rx_gain(7)
    assert chip.regs[0x26] == 0x70
