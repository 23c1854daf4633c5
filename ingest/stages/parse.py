"""Parse stage (pure): raw MQTT message → contract model, or a dead letter with its reason."""

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from ingest.inbound import Inbound
from shared.contracts import topics
from shared.contracts.command import CommandAck
from shared.contracts.heartbeat import Heartbeat
from shared.contracts.scan import ScanEvent
from shared.contracts.status import ReaderStatus
from shared.contracts.topics import ReaderTopic

MODELS: dict[ReaderTopic, type[BaseModel]] = {
    ReaderTopic.SCAN: ScanEvent,
    ReaderTopic.STATUS: ReaderStatus,
    ReaderTopic.HEARTBEAT: Heartbeat,
    ReaderTopic.CMD_ACK: CommandAck,
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """A valid message from a reader."""

    inbound: Inbound
    device_id: str
    kind: ReaderTopic
    model: BaseModel


@dataclass(frozen=True, slots=True)
class Refused:
    """A message that goes to the dead-letter store."""

    inbound: Inbound
    reason: str
    error: str
    device_id: str | None = None
    kind: ReaderTopic | None = None


def parse(inbound: Inbound, *, max_bytes: int) -> Parsed | Refused:
    """Validate one message against the contract; never raises for bad input."""
    address = topics.parse_reader(inbound.topic)
    if address is None:
        return Refused(inbound, "unknown_topic", f"not a reader topic: {inbound.topic[:200]!r}")
    device_id, kind = address.device_id, address.kind
    if len(inbound.payload) > max_bytes:
        error = f"payload of {len(inbound.payload)} bytes exceeds {max_bytes}"
        return Refused(inbound, "oversized", error, device_id, kind)
    if kind is ReaderTopic.STATUS and not inbound.payload:
        # An empty retained message clears a status topic; nothing to record.
        return Refused(inbound, "empty_status", "retained status cleared", device_id, kind)
    try:
        model = MODELS[kind].model_validate_json(inbound.payload)
    except ValidationError as exc:
        return Refused(inbound, _reason(exc), _summary(exc), device_id, kind)
    if isinstance(model, ScanEvent) and model.device_of_event() != device_id:
        error = f"event_id {model.event_id!r} does not belong to topic device {device_id!r}"
        return Refused(inbound, "device_mismatch", error, device_id, kind)
    return Parsed(inbound, device_id, kind, model)


def _reason(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if any(e["type"] in {"json_invalid", "json_type"} for e in errors):
        return "invalid_json"
    if any(e["loc"] == ("v",) for e in errors):
        return "unsupported_version"
    return "invalid_payload"


def _summary(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False)[:5]:
        loc = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{loc}: {error['msg']}")
    return "; ".join(parts)
