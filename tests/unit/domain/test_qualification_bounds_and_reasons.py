"""Auto-qualification edges: the DSWK rank band's ends, which revocation reason is recorded,
and when a qualification counts as active.

Found by mutation testing (`uv run python -m tools.mutation`): random rank orders rarely hit
the band's ends, and the reasons were only checked for their common prefix.
"""

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.qualifications import MemberFacts, eligible_codes, is_active, plan_sync

NOW = datetime(2026, 11, 24, 19, tzinfo=UTC)


@pytest.mark.parametrize(("order", "earns"), [(3, False), (4, True), (12, True), (13, False)])
def test_dswk_band_is_rank_order_4_to_12(order: int, earns: bool) -> None:
    assert ("DSWK" in eligible_codes(MemberFacts(order, "OPS", False))) is earns


@pytest.mark.parametrize(
    ("facts", "code", "reason"),
    [
        (MemberFacts(4, "OPS", True), "DSWK", "Auto-revoked: holds an active SWK qualification"),
        (MemberFacts(12, "OPS", True), "DSWK", "Auto-revoked: holds an active SWK qualification"),
        (
            MemberFacts(13, "OPS", True),
            "DSWK",
            "Auto-revoked: rank order 13 no longer qualifies for DSWK",
        ),
        (
            MemberFacts(3, "OPS", True),
            "DSWK",
            "Auto-revoked: rank order 3 no longer qualifies for DSWK",
        ),
        (MemberFacts(1, "BMQ", False), "APS", "Auto-revoked: member is in the BMQ division"),
        (
            MemberFacts(2, "OPS", False),
            "APS",
            "Auto-revoked: rank order 2 no longer qualifies for APS",
        ),
        (
            MemberFacts(1, "OPS", False),
            "BM",
            "Auto-revoked: rank order 1 no longer qualifies for BM",
        ),
        (
            MemberFacts(5, "OPS", True),
            "QM",
            "Auto-revoked: rank order 5 no longer qualifies for QM",
        ),
    ],
)
def test_the_revocation_reason_says_why(facts: MemberFacts, code: str, reason: str) -> None:
    assert plan_sync(facts, held={code}).revoke == {code: reason}


class TestIsActive:
    def test_active_without_expiry(self) -> None:
        assert is_active("active", None, now=NOW)

    def test_active_until_the_expiry_instant(self) -> None:
        assert is_active("active", NOW + timedelta(microseconds=1), now=NOW)
        assert not is_active("active", NOW, now=NOW)

    @pytest.mark.parametrize("status", ["expired", "revoked", "suspended", "ACTIVE"])
    def test_any_other_status_does_not_count(self, status: str) -> None:
        assert not is_active(status, None, now=NOW)
        assert not is_active(status, NOW + timedelta(days=1), now=NOW)
