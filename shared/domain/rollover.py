"""The daily rollover's rules: who is force-checked-out, which alerts, whether a pending DDS.

At the rollover instant the previous operational day is closed (domain.md §0.2 rule 7): an
alert if the building was left unsecured, everyone still in is checked out at exactly the
rollover instant with a missed-checkout record, and a fresh secured cycle begins.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.domain.checkin import Direction
from shared.domain.lockup import BuildingStatus


@dataclass(frozen=True, slots=True)
class MemberState:
    """A member's latest check-in as the state table records it."""

    member_id: UUID
    direction: Direction | None
    at: datetime | None


def stragglers(states: Sequence[MemberState], *, instant: datetime) -> list[UUID]:
    """Members still in who checked in before the rollover instant, in id order.

    Someone who checked in after the instant (a late catch-up run) belongs to the new day.
    """
    return sorted(
        s.member_id
        for s in states
        if s.direction is Direction.IN and s.at is not None and s.at < instant
    )


def building_alert(
    status: BuildingStatus | None, *, on: date, holder_label: str | None
) -> AlertRequest | None:
    """`building_not_secured` when the closing day's latest cycle is not secured (§4.2)."""
    if status is None or status is BuildingStatus.SECURED:
        return None
    holder = f"; {holder_label} held lockup" if holder_label else ""
    return AlertRequest(
        AlertType.BUILDING_NOT_SECURED,
        Severity.CRITICAL,
        on.isoformat(),
        f"Building Not Secured: operational day {on.isoformat()} ended {status}{holder}",
    )


def missed_checkout_alert(names: Sequence[str], *, on: date) -> AlertRequest | None:
    """`member_missed_checkout` listing everyone force-checked-out at rollover (§4.2)."""
    if not names:
        return None
    return AlertRequest(
        AlertType.MEMBER_MISSED_CHECKOUT,
        Severity.WARNING,
        on.isoformat(),
        f"{len(names)} member(s) were force-checked out during daily reset: " + ", ".join(names),
    )
