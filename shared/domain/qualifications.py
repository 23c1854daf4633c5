"""Auto-qualification rules: APS, BM, QM and DSWK follow rank order; SWK is never automatic.

Rules of domain.md §1.9: APS ⇐ rank order 1 outside the BMQ division; BM ⇐ order 2; QM ⇐
order 3; DSWK ⇐ order 4–12 without an active SWK. A member who is eligible and lacks one is
granted it; one who holds it and no longer qualifies has it revoked with a reason.
"""

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime

AUTOMATIC_CODES = ("APS", "BM", "QM", "DSWK")
LOCKUP_CODES = ("DDS", "SWK")


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the rules look at for one member."""

    rank_order: int
    division_code: str | None
    has_active_swk: bool


def eligible_codes(facts: MemberFacts) -> frozenset[str]:
    """Return the automatic qualification codes `facts` earn (domain.md §1.9)."""
    order = facts.rank_order
    codes: set[str] = set()
    if order == 1 and facts.division_code != "BMQ":
        codes.add("APS")
    if order == 2:
        codes.add("BM")
    if order == 3:
        codes.add("QM")
    if 4 <= order <= 12 and not facts.has_active_swk:
        codes.add("DSWK")
    return frozenset(codes)


def _reason(code: str, facts: MemberFacts) -> str:
    if code == "DSWK" and facts.has_active_swk and 4 <= facts.rank_order <= 12:
        return "Auto-revoked: holds an active SWK qualification"
    if code == "APS" and facts.rank_order == 1:
        return "Auto-revoked: member is in the BMQ division"
    return f"Auto-revoked: rank order {facts.rank_order} no longer qualifies for {code}"


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """Grants and revocations (code → reason) that bring a member in line with the rules."""

    grant: frozenset[str]
    revoke: dict[str, str]

    @property
    def is_empty(self) -> bool:
        """True when nothing changes."""
        return not self.grant and not self.revoke


def plan_sync(facts: MemberFacts, *, held: Set[str]) -> SyncPlan:
    """Compare the eligible automatic codes with the active automatic ones `held`."""
    eligible = eligible_codes(facts)
    held_auto = {c for c in held if c in AUTOMATIC_CODES}
    return SyncPlan(
        grant=frozenset(eligible - held_auto),
        revoke={code: _reason(code, facts) for code in sorted(held_auto - eligible)},
    )


def is_active(status: str, expires_at: datetime | None, *, now: datetime) -> bool:
    """A qualification counts when `active` and not expired (domain.md §1.2)."""
    return status == "active" and (expires_at is None or expires_at > now)
