"""A minimal QoS0 MQTT 3.1.1 subscriber for load measurements (no per-message overhead)."""

import asyncio
import socket
from collections.abc import Callable

from shared.mqtt_wire import PacketReader, connect_packet, parse_publish, subscribe_packet


class LiteSubscriber:
    """Calls `on_message(topic, payload)` for every PUBLISH received (QoS0 subscriptions)."""

    def __init__(self, on_message: Callable[[str, bytes], None]) -> None:
        self.on_message = on_message
        self._task: asyncio.Task[None] | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def start(self, host: str, port: int, client_id: str, filters: list[str]) -> None:
        """Connect, subscribe, and wait for SUBACK."""
        reader, writer = await asyncio.open_connection(host, port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.write(connect_packet(client_id, keepalive=120, username=None, password=None))
        await reader.readexactly(4)
        writer.write(subscribe_packet([(f, 0) for f in filters], 1))
        await writer.drain()
        self._writer = writer
        suback = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._read(reader, suback))
        await asyncio.wait_for(suback, timeout=10)

    async def _read(self, reader: asyncio.StreamReader, suback: "asyncio.Future[None]") -> None:
        stream = PacketReader(reader)  # the CONNACK was read whole: nothing buffered is lost
        while True:
            for header, body in await stream.packets():
                kind = header >> 4
                if kind == 3:
                    topic, payload, *_ = parse_publish(header, body)
                    self.on_message(topic, payload)
                elif kind == 9 and not suback.done():
                    suback.set_result(None)

    async def close(self) -> None:
        """Disconnect."""
        if self._task:
            self._task.cancel()
        if self._writer:
            self._writer.close()
