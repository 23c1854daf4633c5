"""Keeps the broker session alive and moves scans from the outbox to MQTT oldest-first (replayed after outages)."""

import asyncio
import time

import log
import payloads
from backoff import Backoff
from micropython import const
from mqttc import MQTTClient, MQTTError
from mqttsock import make_tls

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any, Callable

    from config import Config
    from net import Net
    from outbox import Outbox
    from timesync import Clock

_PREFIX = const("sentinel/v1/readers/")
_ERRORS = (OSError, EOFError, MQTTError, asyncio.TimeoutError, ValueError)


class Uplink:
    """Supervises the MQTT session: connect with backoff, subscribe, birth, send, ack, retry."""

    def __init__(
        self,
        cfg: "Config",
        device_id: str,
        boot_hex: str,
        outbox: "Outbox",
        net: "Net",
        clock: "Clock",
        fw: str,
    ) -> None:
        self._cfg = cfg
        self.device_id = device_id
        self._boot_hex = boot_hex
        self._outbox = outbox
        self._net = net
        self._clock = clock
        self._fw = fw
        self.base = _PREFIX + device_id + "/"
        self._t_feedback = self.base + "feedback"
        self._t_cmd = self.base + "cmd"
        tls = make_tls(cfg.mqtt_ca) if cfg.mqtt_tls else None
        c = MQTTClient(device_id, cfg, tls)
        c.on_message = self._on_message
        c.on_puback = self._on_puback
        self.client = c
        self.on_feedback: "Callable[[bytes], None] | None" = None
        self.on_command: "Callable[[bytes], None] | None" = None
        self.reconnects = 0
        self._connects = 0
        self.progress = time.ticks_ms()
        self._wake = asyncio.Event()
        self._sent: "list[int]" = []  # seqs published and not yet acknowledged
        self._cursor = 0
        self._live_from = 0
        self._acks: "list[bytes]" = []
        self._backoff = Backoff(cfg.backoff_min_ms, cfg.backoff_max_ms)
        self._reader: "Any" = None
        self._stopped = False
        self._drops = 0

    @property
    def connected(self) -> bool:
        """True while a broker session is up."""
        return self.client.connected

    def notify(self) -> None:
        """Wake the sender: a scan was queued, an ack arrived, or a second passed.

        The app's supervisor calls this every second; that tick drives keepalive and resends
        (cheaper in RAM than an asyncio.wait_for_ms timeout on every wait).
        """
        self._wake.set()

    def queue_ack(self, payload: bytes) -> None:
        """Queue a cmd/ack for the next send pass (bounded; the oldest is dropped)."""
        if len(self._acks) >= 8:
            self._acks.pop(0)
            log.warn("mqtt", "ack_dropped")
        self._acks.append(payload)
        self._wake.set()

    async def publish(self, suffix: str, payload: bytes, qos: int = 0, retain: bool = False) -> int:
        """Publish under this reader's subtree; raises OSError when offline."""
        return await self.client.publish(self.base + suffix, payload, qos, retain)

    async def run(self) -> None:
        """Connect, serve and reconnect forever with capped, jittered backoff."""
        while True:
            self.progress = time.ticks_ms()
            if self._stopped or not self._net.is_up():
                await asyncio.sleep_ms(200)
                continue
            try:
                await self._session()
            except _ERRORS as e:
                log.warn("mqtt", "mqtt_down", "exc=%s msg=%s" % (type(e).__name__, e))
            except Exception as e:  # supervisor: count it and carry on
                log.exc("mqtt", "mqtt_session_failed", e)
            self._teardown()
            if self._stopped:
                continue
            delay = self._backoff.next_delay()
            log.info("mqtt", "mqtt_retry", "in_ms=%d" % delay)
            while delay > 0:
                step = 500 if delay > 500 else delay
                await asyncio.sleep_ms(step)
                delay -= step
                self.progress = time.ticks_ms()

    async def _session(self) -> None:
        c = self.client
        cfg = self._cfg
        self._drops = self._net.drops  # a WiFi drop seen after this ends the session
        log.info("mqtt", "mqtt_connecting", "host=%s port=%d" % (cfg.mqtt_host, cfg.mqtt_port))
        present = await c.connect(self.base + "status", payloads.LWT, False)
        self._connects += 1
        if self._connects > 1:
            self.reconnects += 1
        log.info("mqtt", "mqtt_connected", "session_present=%d" % present)
        self._reader = asyncio.create_task(self._read())
        await c.subscribe([(self._t_cmd, 1), (self._t_feedback, 1)])
        await c.publish(
            self.base + "status",
            payloads.birth(self._fw, self._boot_hex, self._net.ip(), self._clock.ts_json()),
            1,
            True,
        )
        ob = self._outbox
        self._live_from = ob.next_seq  # anything older was queued during the outage
        # Unacknowledged scans are resent by the client (DUP); continue after the newest.
        self._sent = [e[4] for e in c.inflight.values() if e[4] is not None]
        self._cursor = max(ob.first(), max(self._sent) + 1 if self._sent else 0)
        self._backoff.reset()
        while c.connected:
            self.progress = time.ticks_ms()
            if not self._link_intact():
                raise OSError(101)  # ENETUNREACH: WiFi is gone, the socket is dead too
            self._wake.clear()
            await self._flush_acks()
            await self._pump()
            await c.tick()
            await self._wake.wait()  # notify(): a scan, an ack, or the app's 1 s tick

    async def _read(self) -> None:
        try:
            await self.client.read_loop()
        except _ERRORS as e:
            log.warn("mqtt", "mqtt_read_failed", "exc=%s msg=%s" % (type(e).__name__, e))
        self.client.connected = False
        self._wake.set()

    def _teardown(self) -> None:
        r = self._reader
        self._reader = None
        if r is not None:
            r.cancel()
        self.client.close()

    async def _flush_acks(self) -> None:
        while self._acks and self.client.connected:
            payload = self._acks.pop(0)  # take it first: shutdown() may flush concurrently
            try:
                await self.publish("cmd/ack", payload, 1)
            except _ERRORS:
                self._acks.insert(0, payload)
                raise

    async def _pump(self) -> None:
        c = self.client
        ob = self._outbox
        window = self._cfg.send_window
        if self._cursor < ob.first():
            self._cursor = ob.first()
        # Check the link per scan: a tap during a WiFi drop must wait for the reconnect and go
        # out as replayed, even if this loop was already running when the drop happened.
        while (
            len(self._sent) < window
            and self._cursor < ob.next_seq
            and c.connected
            and self._link_intact()
        ):
            seq = self._cursor
            self._cursor += 1
            rec = ob.get(seq)
            if rec is None:
                continue
            replayed = seq < self._live_from
            self._sent.append(seq)
            await c.publish(
                self.base + "scan", payloads.scan(rec, self.device_id, replayed), 1, False, seq
            )
            log.info("mqtt", "scan_sent", "seq=%d replayed=%d" % (seq, replayed))

    def _link_intact(self) -> bool:
        # A drop the WiFi supervisor saw, even one already healed, broke this session's socket:
        # scans tapped meanwhile must go out after a reconnect, as replayed.
        return self._net.is_up() and self._net.drops == self._drops

    def _on_puback(self, seq: "Any") -> None:
        if seq in self._sent:
            self._sent.remove(seq)
            self._outbox.ack(seq)
            log.debug("mqtt", "scan_acked", "seq=%d" % seq)
            self._wake.set()

    def _on_message(self, topic: str, payload: bytes) -> None:
        if topic == self._t_feedback:
            if self.on_feedback:
                self.on_feedback(payload)
        elif topic == self._t_cmd:
            if self.on_command:
                self.on_command(payload)
        else:
            log.warn("mqtt", "unexpected_topic", "topic=" + topic)

    def reset_cursor(self) -> None:
        """Restart sending from the oldest waiting scan (after clear_outbox)."""
        self._cursor = self._outbox.first()

    async def shutdown(self, reason: str) -> None:
        """Flush acks, publish a graceful offline status, wait for PUBACKs (≤ 3 s), DISCONNECT."""
        self._stopped = True
        c = self.client
        try:
            if c.connected:
                await self._flush_acks()
                await c.publish(self.base + "status", payloads.offline(reason), 1, True)
                deadline = time.ticks_add(time.ticks_ms(), 3000)
                while c.inflight and c.connected and time.ticks_diff(deadline, time.ticks_ms()) > 0:
                    await asyncio.sleep_ms(20)  # waiting for PUBACKs, bounded
                await c.disconnect()
        except _ERRORS as e:
            log.warn("mqtt", "shutdown_incomplete", "exc=%s" % type(e).__name__)
        self._teardown()
