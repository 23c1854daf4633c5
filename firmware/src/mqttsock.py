"""Opens the broker connection: DNS, non-blocking connect with timeout, TCP_NODELAY, optional TLS."""

import asyncio
import errno
import select
import socket
import time

import log
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

_IPPROTO_TCP = const(6)
_TCP_NODELAY = const(1)


def make_tls(ca_path: str) -> "Any":
    """Return an SSLContext; verifies the broker when a CA file (DER or PEM) is given."""
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_path:
        with open(ca_path, "rb") as f:
            ctx.load_verify_locations(cadata=f.read())
        ctx.verify_mode = ssl.CERT_REQUIRED  # type: ignore[attr-defined]  # MicroPython has it
    else:
        log.warn("mqtt", "tls_unverified", "reason=no mqtt_ca")
        ctx.verify_mode = ssl.CERT_NONE  # type: ignore[attr-defined]
    return ctx


async def open_socket(host: str, port: int, tls: "Any", timeout_ms: int) -> "Any":
    """Return a connected non-blocking socket (TLS-wrapped if configured), or raise.

    Not asyncio.open_connection: when its non-blocking connect() fails at once (e.g.
    ECONNREFUSED) it leaks the socket, whose finaliser later closes a reused fd -- the
    live connection's. Here every failure closes the socket it created.
    """
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(ai[0], ai[1], ai[2])
    try:
        try:  # Nagle would hold small PUBLISHes back for up to ~200 ms
            sock.setsockopt(_IPPROTO_TCP, _TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        sock.setblocking(False)
        try:
            sock.connect(ai[-1])
        except OSError as e:
            if e.errno != errno.EINPROGRESS:
                raise
        poller = select.poll()
        poller.register(sock, select.POLLOUT)
        deadline = time.ticks_add(time.ticks_ms(), timeout_ms)
        while not poller.poll(0):
            if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
                raise OSError(errno.ETIMEDOUT)
            await asyncio.sleep_ms(10)
        poller.unregister(sock)
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
            sock.setblocking(False)
        return sock
    except BaseException:
        sock.close()
        raise
