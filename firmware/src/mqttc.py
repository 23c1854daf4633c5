"""Speaks MQTT 3.1.1 over one asyncio stream: CONNECT+LWT, QoS0/1 with PUBACK tracking and DUP resend, keepalive."""

import asyncio
import time

import log
import mqttpkt
import mqttsock
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any, Callable

    from config import Config

_MAX_TOPIC = const(200)


class MQTTError(Exception):
    """The broker refused us or broke the protocol."""


class MQTTClient:
    """One broker session at a time; a fresh socket for every `connect`."""

    def __init__(self, client_id: str, cfg: "Config", tls: "Any" = None) -> None:
        self.client_id = client_id
        self._cfg = cfg  # mqtt_host/port/user/password/keepalive_s/max_in/retry_ms
        self._keepalive_ms = cfg.mqtt_keepalive_s * 1000
        self._tls = tls
        self.on_message: "Callable[[str, bytes], None] | None" = None
        self.on_puback: "Callable[[Any], None] | None" = None
        # pid -> [topic, payload, retain, sent_ticks, ref]; `ref` goes back with the PUBACK
        self.inflight: "dict[int, list[Any]]" = {}
        self.connected = False
        self._pid = 0
        self._s: "Any" = None  # asyncio stream (reader and writer at once on MicroPython)
        self._sending = False  # one writer at a time (an asyncio.Lock costs RAM and a module)
        self._last_tx = time.ticks_ms()
        self._last_rx = self._last_tx
        self._ping_at = self._last_tx
        self._ping_out = False

    def _next_pid(self) -> int:
        for _ in range(65535):
            self._pid = self._pid % 65535 + 1
            if self._pid not in self.inflight:
                return self._pid
        raise MQTTError("no free packet id")

    async def _send(self, *parts: bytes) -> None:
        while self._sending:  # another task is draining: its buffer must not be replaced
            await asyncio.sleep_ms(2)
        w = self._s
        if w is None:
            raise OSError(107)  # ENOTCONN
        self._sending = True
        try:
            for p in parts:
                w.write(p)
            await asyncio.wait_for_ms(w.drain(), 5000)
        finally:
            self._sending = False
        self._last_tx = time.ticks_ms()

    async def connect(
        self, will_topic: str, will_msg: bytes, clean: bool, timeout_ms: int = 10000
    ) -> bool:
        """Open a new connection and wait for CONNACK; return the session-present flag."""
        self.close()
        cfg = self._cfg
        sock = await mqttsock.open_socket(cfg.mqtt_host, cfg.mqtt_port, self._tls, timeout_ms)
        stream = asyncio.StreamReader(sock)
        self._s = stream
        await self._send(
            mqttpkt.connect(
                self.client_id,
                cfg.mqtt_keepalive_s,
                clean,
                cfg.mqtt_user,
                cfg.mqtt_password,
                will_topic,
                will_msg,
            )
        )
        ack: bytes = await asyncio.wait_for_ms(stream.readexactly(4), timeout_ms)
        if ack[0] != mqttpkt.T_CONNACK or ack[1] != 2:
            raise MQTTError("bad CONNACK")
        if ack[3]:
            raise MQTTError("refused rc=%d" % ack[3])
        now = time.ticks_ms()
        self._last_rx = now
        self._ping_out = False
        self.connected = True
        # MQTT 3.1.1 §4.4: with CleanSession=0, resend unacknowledged PUBLISHes with DUP set.
        for pid in sorted(self.inflight):
            await self._publish_raw(pid, True)
        return bool(ack[2] & 1)

    async def _publish_raw(self, pid: int, dup: bool) -> None:
        entry = self.inflight[pid]
        entry[3] = time.ticks_ms()
        payload = entry[1]
        head = mqttpkt.publish_header(entry[0], len(payload), 1, entry[2], dup, pid)
        await self._send(head, payload)

    async def publish(
        self, topic: str, payload: bytes, qos: int = 0, retain: bool = False, ref: "Any" = None
    ) -> int:
        """Send PUBLISH; for QoS1 `on_puback(ref)` reports the PUBACK (it may come before we return)."""
        if not self.connected:
            raise OSError(107)
        if qos:
            pid = self._next_pid()
            self.inflight[pid] = [topic, payload, retain, 0, ref]
            await self._publish_raw(pid, False)
            return pid
        await self._send(mqttpkt.publish_header(topic, len(payload), 0, retain, False, 0), payload)
        return 0

    async def subscribe(self, topics: "list[tuple[str, int]]") -> None:
        """Send SUBSCRIBE; a refused filter is logged when its SUBACK arrives."""
        await self._send(mqttpkt.subscribe(self._next_pid(), topics))

    async def tick(self) -> None:
        """Keepalive and retransmission; call about once a second. Raises when the link is dead."""
        now = time.ticks_ms()
        if self._ping_out and time.ticks_diff(now, self._ping_at) > self._keepalive_ms:
            raise MQTTError("no PINGRESP")
        if time.ticks_diff(now, self._last_rx) > self._keepalive_ms * 2:
            raise MQTTError("broker silent")
        half = self._keepalive_ms // 2
        # Ping when either direction is idle: sending keeps the broker happy, the PINGRESP
        # proves the broker is still there while we only publish QoS0 heartbeats.
        if not self._ping_out and (
            time.ticks_diff(now, self._last_tx) >= half
            or time.ticks_diff(now, self._last_rx) >= half
        ):
            self._ping_at = now
            self._ping_out = True
            await self._send(mqttpkt.PINGREQ)
        for pid in list(self.inflight):
            entry = self.inflight.get(pid)
            if entry is not None and time.ticks_diff(now, entry[3]) >= self._cfg.mqtt_retry_ms:
                log.warn("mqtt", "mqtt_resend", "pid=%d" % pid)
                await self._publish_raw(pid, True)

    async def _read_exact(self, n: int) -> bytes:
        data = await self._s.readexactly(n)
        if len(data) != n:
            raise EOFError
        return data

    async def _discard(self, n: int) -> None:
        while n > 0:
            k = 256 if n > 256 else n
            await self._read_exact(k)
            n -= k

    async def read_loop(self) -> None:
        """Read packets until the connection fails; PUBLISH and PUBACK go to the callbacks."""
        while True:
            first = (await self._read_exact(1))[0]
            n = 0
            shift = 0
            while True:
                b = (await self._read_exact(1))[0]
                n |= (b & 0x7F) << shift
                if not b & 0x80:
                    break
                shift += 7
                if shift > 21:
                    raise MQTTError("bad remaining length")
            self._last_rx = time.ticks_ms()
            kind = first & 0xF0
            if kind == mqttpkt.T_PUBLISH:
                await self._on_publish(first, n)
            elif kind == mqttpkt.T_PUBACK and n == 2:
                body = await self._read_exact(2)
                pid = (body[0] << 8) | body[1]
                entry = self.inflight.pop(pid, None)
                if entry is not None and entry[4] is not None and self.on_puback:
                    self.on_puback(entry[4])
            elif kind == mqttpkt.T_PINGRESP:
                self._ping_out = False
            elif kind == mqttpkt.T_SUBACK:
                body = await self._read_exact(n)
                if b"\x80" in body[2:]:
                    log.error("mqtt", "subscribe_refused")
            else:
                await self._discard(n)

    async def _on_publish(self, first: int, n: int) -> None:
        qos = (first >> 1) & 0x03
        head = await self._read_exact(2)
        tlen = (head[0] << 8) | head[1]
        if tlen > _MAX_TOPIC or tlen + 2 > n:
            raise MQTTError("bad topic length")
        topic = (await self._read_exact(tlen)).decode()
        n -= 2 + tlen
        pid = 0
        if qos:
            pb = await self._read_exact(2)
            pid = (pb[0] << 8) | pb[1]
            n -= 2
        if n > self._cfg.mqtt_max_in:
            log.warn("mqtt", "mqtt_oversize", "topic=%s bytes=%d" % (topic, n))
            await self._discard(n)
        else:
            payload = await self._read_exact(n)
            if self.on_message:
                try:
                    self.on_message(topic, payload)
                except Exception as e:  # a bad message must never kill the session
                    log.exc("mqtt", "message_handler_failed", e)
        if qos:
            await self._send(mqttpkt.puback(pid))

    async def disconnect(self) -> None:
        """Send DISCONNECT (the broker then drops the Last Will) and close."""
        try:
            if self.connected:
                await self._send(mqttpkt.DISCONNECT)
        except (OSError, asyncio.TimeoutError):
            pass
        self.close()

    def close(self) -> None:
        """Drop the connection without DISCONNECT (the broker publishes the Last Will)."""
        self.connected = False
        w = self._s
        self._s = None
        if w is not None:
            try:  # asyncio's Stream.close() is a no-op on MicroPython; close the socket itself
                w.s.close()
            except (AttributeError, OSError):
                pass
