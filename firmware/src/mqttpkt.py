"""Encodes MQTT 3.1.1 control packets (OASIS spec §2-3); no I/O here, so it is tested byte for byte."""

from micropython import const

PINGREQ = b"\xc0\x00"
DISCONNECT = b"\xe0\x00"
T_CONNACK = const(0x20)
T_PUBLISH = const(0x30)
T_PUBACK = const(0x40)
T_SUBACK = const(0x90)
T_PINGRESP = const(0xD0)


def remaining_length(n: int) -> bytes:
    """Encode the variable-length Remaining Length field (§2.2.3)."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def _str(s: "str | bytes") -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return bytes((len(b) >> 8, len(b) & 0xFF)) + b


def connect(
    client_id: str,
    keepalive_s: int,
    clean: bool,
    user: str = "",
    password: str = "",
    will_topic: str = "",
    will_msg: bytes = b"",
) -> bytes:
    """Build CONNECT (§3.1) with optional Last Will (QoS 1, retained) and credentials."""
    flags = 0x02 if clean else 0
    body = _str(client_id)
    if will_topic:
        flags |= 0x2C  # Will flag, Will QoS 1, Will retain
        body += _str(will_topic) + _str(will_msg)
    if user:
        flags |= 0x80
        body += _str(user)
        if password:
            flags |= 0x40
            body += _str(password)
    var = b"\x00\x04MQTT\x04" + bytes((flags, keepalive_s >> 8, keepalive_s & 0xFF))
    return b"\x10" + remaining_length(len(var) + len(body)) + var + body


def publish_header(
    topic: str, payload_len: int, qos: int, retain: bool, dup: bool, pid: int
) -> bytes:
    """Build PUBLISH fixed header, topic and packet id (§3.3); the payload follows it."""
    first = T_PUBLISH | (qos << 1) | (1 if retain else 0) | (0x08 if dup else 0)
    t = _str(topic)
    n = len(t) + payload_len + (2 if qos else 0)
    head = bytes((first,)) + remaining_length(n) + t
    if qos:
        head += bytes((pid >> 8, pid & 0xFF))
    return head


def subscribe(pid: int, topics: "list[tuple[str, int]]") -> bytes:
    """Build SUBSCRIBE (§3.8) for (topic filter, qos) pairs."""
    body = bytes((pid >> 8, pid & 0xFF))
    for topic, qos in topics:
        body += _str(topic) + bytes((qos,))
    return b"\x82" + remaining_length(len(body)) + body


def puback(pid: int) -> bytes:
    """Build PUBACK (§3.4)."""
    return bytes((T_PUBACK, 2, pid >> 8, pid & 0xFF))
