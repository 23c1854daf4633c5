"""Auto-qualification rules: APS/BM/QM/DSWK by rank order, SWK never (domain.md §1.9)."""

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.qualifications import (
    AUTOMATIC_CODES,
    MemberFacts,
    eligible_codes,
    plan_sync,
)

facts = st.builds(
    MemberFacts,
    rank_order=st.integers(0, 19),
    division_code=st.sampled_from([None, "OPS", "BMQ", "DECK"]),
    has_active_swk=st.booleans(),
)
held = st.sets(st.sampled_from([*AUTOMATIC_CODES, "SWK", "DDS"]))


@given(facts)
def test_each_rank_order_earns_at_most_one_automatic_code(f: MemberFacts) -> None:
    codes = eligible_codes(f)
    assert len(codes) <= 1 and "SWK" not in codes
    if f.rank_order == 2:
        assert codes == {"BM"}
    if f.rank_order == 3:
        assert codes == {"QM"}


def test_aps_excludes_bmq() -> None:
    assert eligible_codes(MemberFacts(1, "OPS", False)) == {"APS"}
    assert eligible_codes(MemberFacts(1, "BMQ", False)) == frozenset()


def test_dswk_needs_no_swk() -> None:
    assert eligible_codes(MemberFacts(8, "OPS", False)) == {"DSWK"}
    assert eligible_codes(MemberFacts(8, "OPS", True)) == frozenset()


@given(facts, held)
def test_applying_the_plan_leaves_nothing_to_do(f: MemberFacts, codes: set[str]) -> None:
    plan = plan_sync(f, held=codes)
    after = (codes | plan.grant) - set(plan.revoke)
    assert plan_sync(f, held=after).is_empty
    assert plan.grant.isdisjoint(codes) and set(plan.revoke) <= codes


@given(facts, held)
def test_manual_codes_are_never_touched(f: MemberFacts, codes: set[str]) -> None:
    plan = plan_sync(f, held=codes)
    assert not ({"SWK", "DDS"} & (plan.grant | set(plan.revoke)))
    assert all(reason.startswith("Auto-revoked") for reason in plan.revoke.values())
