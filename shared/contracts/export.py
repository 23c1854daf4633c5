"""Writes the JSON Schema of every wire model to `shared/contracts/schemas/`.

Run `python -m shared.contracts.export`; a test regenerates the files and fails on any diff.
"""

import json
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from shared.contracts.alert import AlertAcknowledged, AlertMessage
from shared.contracts.building import (
    BuildingChange,
    DdsState,
    LockupHeld,
    LockupState,
    ResponsibilityNeeded,
)
from shared.contracts.checkin import CheckinEvent
from shared.contracts.command import Command, CommandAck
from shared.contracts.feedback import Feedback
from shared.contracts.fleet import FleetReader
from shared.contracts.heartbeat import Heartbeat
from shared.contracts.presence import MemberPresence, PresenceSummary
from shared.contracts.scan import ScanEvent
from shared.contracts.status import ReaderStatus

INBOUND = {"scan", "status", "heartbeat", "cmd_ack"}
SCHEMA_DIR = Path(__file__).parent / "schemas"
MODELS: dict[str, type[BaseModel]] = {
    "scan": ScanEvent,
    "status": ReaderStatus,
    "heartbeat": Heartbeat,
    "cmd_ack": CommandAck,
    "cmd": Command,
    "feedback": Feedback,
    "presence_summary": PresenceSummary,
    "presence_member": MemberPresence,
    "checkin_event": CheckinEvent,
    "alert": AlertMessage,
    "alert_acknowledged": AlertAcknowledged,
    "fleet_reader": FleetReader,
    "building_lockup": LockupState,
    "building_dds": DdsState,
    "building_responsibility_needed": ResponsibilityNeeded,
    "building_lockup_held": LockupHeld,
    "building_change": BuildingChange,
}


def render_schemas() -> dict[str, str]:
    """Return file name → JSON Schema text for every model."""
    rendered = {}
    for name, model in MODELS.items():
        mode: Literal["validation", "serialization"] = (
            "validation" if name in INBOUND else "serialization"
        )
        schema = model.model_json_schema(mode=mode)
        rendered[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return rendered


def main() -> None:
    """Write the schema files, or with `--check` fail when any is stale."""
    rendered = render_schemas()
    if "--check" in sys.argv[1:]:
        stale = [
            n
            for n, t in rendered.items()
            if not (SCHEMA_DIR / n).exists() or (SCHEMA_DIR / n).read_text() != t
        ]
        if stale:
            sys.exit(f"stale contract schemas (run python -m shared.contracts.export): {stale}")
        return
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in rendered.items():
        (SCHEMA_DIR / name).write_text(text)


if __name__ == "__main__":
    main()
