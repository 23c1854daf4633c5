"""Opening and closing the ingest's own MQTT 3.1.1 connections (subscriber and publisher).

CONNECT/CONNACK with TCP_NODELAY (backend-notes §4.3: without it a round trip waits ~40 ms on
Nagle), the keepalive pings, and a bounded DISCONNECT/close.
"""

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable, Iterable

from shared.mqtt_wire import connect_packet, read_packet
from shared.settings import BrokerAddress

CONNACK_CODES = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


class Connection:
    """An open connection with its read loop and keepalive pings (subclasses read)."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keepalive: int
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._keepalive = keepalive
        self._next_id = 1  # our next packet id
        self._closed: BaseException | None = None
        self._tasks = [
            asyncio.create_task(self._read_loop()),
            asyncio.create_task(ping(writer, keepalive, lambda: self._closed is None)),
        ]

    async def _read_loop(self) -> None:
        raise NotImplementedError


async def open_connection(
    address: BrokerAddress,
    client_id: str,
    *,
    clean: bool,
    tls: ssl.SSLContext | None,
    keepalive: int,
    timeout_s: float,
    refused: Callable[[str], Exception],
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect and complete CONNECT/CONNACK; raise `refused(reason)` if the broker says no."""
    async with asyncio.timeout(timeout_s):
        reader, writer = await asyncio.open_connection(
            address.host,
            address.port,
            ssl=tls,
            server_hostname=address.host if tls else None,
        )
    try:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connect = connect_packet(
            client_id,
            keepalive=keepalive,
            username=address.username,
            password=address.password,
            clean=clean,
        )
        async with asyncio.timeout(timeout_s):
            writer.write(connect)
            await writer.drain()
            header, body = await read_packet(reader)
    except BaseException:
        writer.close()  # a timeout or EOF before CONNACK must not leave the socket open
        raise
    if header >> 4 != 2 or len(body) < 2 or body[1] != 0:
        writer.close()
        code = body[1] if len(body) >= 2 else -1
        raise refused(f"broker refused the connection: {CONNACK_CODES.get(code, f'code {code}')}")
    return reader, writer


# What writing to a lost connection raises: asyncio's loop an OSError, or nothing; uvloop a
# RuntimeError ("the handler is closed") once the transport has closed itself.
WRITE_ERRORS = (OSError, RuntimeError)


def write_if_open(writer: asyncio.StreamWriter, data: bytes) -> bool:
    """Write `data` unless the connection is closing or lost; False if it was not written.

    A lost connection is the read loop's to report (it fails whatever still waits on it); a
    write that finds it first is dropped instead of raising whatever the event loop raises.
    """
    if writer.is_closing():
        return False
    try:
        writer.write(data)
    except WRITE_ERRORS:
        return False
    return True


async def ping(writer: asyncio.StreamWriter, keepalive: int, open_: Callable[[], bool]) -> None:
    """Send PINGREQ every half keepalive while `open_()` says the connection is in use."""
    while open_():
        await asyncio.sleep(keepalive / 2)  # keepalive schedule
        write_if_open(writer, b"\xc0\x00")


async def disconnect(writer: asyncio.StreamWriter, tasks: Iterable[asyncio.Task[None]]) -> None:
    """Cancel the connection's tasks, send DISCONNECT and close, each bounded to 2 s."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    with contextlib.suppress(OSError):  # TimeoutError is an OSError; writes: write_if_open
        write_if_open(writer, b"\xe0\x00")
        writer.close()
        async with asyncio.timeout(2):
            await writer.wait_closed()
    # asyncio.wait neither raises the tasks' CancelledError nor swallows our own.
    await asyncio.wait(tasks, timeout=2)
