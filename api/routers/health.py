"""Liveness, readiness (database and broker) and Prometheus metrics."""

import asyncio
import socket

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import StateDep
from api.schemas.health import Health, Readiness
from shared.mqtt_wire import connect_packet
from shared.settings import BrokerAddress

router = APIRouter(tags=["health"])
# An anonymous probe: any CONNACK (even "not authorised") proves the broker answers.
CONNECT_PACKET = connect_packet("", keepalive=10, username=None, password=None)


@router.get("/health", response_model=Health)
async def health() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(state: StateDep, response: Response) -> Readiness:
    """The database and the broker answer."""
    database = await _database_ok(state)
    broker = await _broker_ok(state.settings.mqtt_url)
    ok = database and broker
    if not ok:
        response.status_code = 503
    return Readiness(status="ok" if ok else "unavailable", database=database, broker=broker)


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _database_ok(state: StateDep) -> bool:
    try:
        async with asyncio.timeout(2), state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # readiness reports failure; it never raises
        return False
    return True


async def _broker_ok(url: str) -> bool:
    """A TCP connect plus an MQTT CONNECT/CONNACK round trip (anonymous probes may be refused)."""
    address = BrokerAddress(url)
    try:
        async with asyncio.timeout(2):
            reader, writer = await asyncio.open_connection(address.host, address.port)
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                if address.tls:
                    return True  # the TCP listener answers; TLS handshake is checked by clients
                writer.write(CONNECT_PACKET)
                await writer.drain()
                header = await reader.readexactly(2)
                return header[0] == 0x20
            finally:
                writer.close()
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return False
