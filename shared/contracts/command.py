"""`.../cmd` (backend → reader) and `.../cmd/ack` (reader → backend)."""

from typing import Any, Literal

from pydantic import Field

from shared.contracts.base import Inbound, Outbound

CommandName = Literal["reboot", "identify", "set_config", "sync_time", "clear_outbox"]


class Command(Outbound):
    """A remote command for one reader."""

    cmd_id: str = Field(min_length=1, max_length=40)
    cmd: CommandName
    args: dict[str, Any] = Field(default_factory=dict)


class CommandAck(Inbound):
    """The reader's answer to a command."""

    cmd_id: str = Field(min_length=1, max_length=40)
    ok: bool
    error: str | None = Field(default=None, max_length=200)
    ts: int | None = None
