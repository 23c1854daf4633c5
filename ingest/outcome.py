"""What one applied batch leaves to do after its commit: acks, publishes, counters."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from shared.store.outbox import Outgoing

# Outbox rows the ingest publishes itself right after commit become the relay's job only
# after this long (a crash or a broker outage in between); see shared/store/outbox.enqueue.
SELF_PUBLISH_GRACE_S = 5.0


@dataclass
class BatchOutcome:
    """Collected while applying a batch; acted on by the publish stage after commit."""

    feedback: list[Outgoing] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)
    outbox: list[Outgoing] = field(default_factory=list)
    retained: list[Outgoing] = field(default_factory=list)
    changed_members: set[UUID] = field(default_factory=set)
    results: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)
    correlation_ids: list[str] = field(default_factory=list)
    tapped_at: list[datetime] = field(default_factory=list)  # live, clock-synced taps
    presence_changed: bool = False  # the presence summary is due for a republish

    def queue_outbox(self, ids: list[int], messages: list[Outgoing]) -> None:
        """Remember outbox rows written in this transaction, to publish right after commit."""
        self.outbox_ids.extend(ids)
        self.outbox.extend(messages)
