"""Visitor sign-in rules and the reason summary (shared.domain.visitors, §7.3)."""

from shared.domain.visitors import VisitorFacts, VisitPurpose, compose_reason, sign_in_problems


def _fields(facts: VisitorFacts) -> set[str]:
    return {p.field for p in sign_in_problems(facts)}


def test_guest_needs_nothing_more() -> None:
    assert _fields(VisitorFacts("guest")) == set()


def test_military_needs_rank_and_unit() -> None:
    assert _fields(VisitorFacts("military")) == {"rank_prefix", "unit"}
    assert _fields(VisitorFacts("military", rank_prefix="Capt", unit="HMCS X")) == set()


def test_contractor_needs_organization_and_recruit_a_step() -> None:
    assert _fields(VisitorFacts("contractor")) == {"organization"}
    assert _fields(VisitorFacts("recruitment")) == {"recruitment_step"}


def test_appointment_needs_a_host_or_details() -> None:
    appointment = VisitPurpose.APPOINTMENT
    assert _fields(VisitorFacts("guest", visit_purpose=appointment)) == {"host_member_id"}
    assert _fields(VisitorFacts("guest", visit_purpose=appointment, has_host=True)) == set()
    assert _fields(VisitorFacts("guest", visit_purpose=VisitPurpose.OTHER)) == {"purpose_details"}


def test_reason_is_composed_from_type_purpose_and_details() -> None:
    facts = VisitorFacts(
        "contractor",
        organization="ACME",
        visit_purpose=VisitPurpose.OTHER,
        purpose_details="fixing HVAC",
    )
    assert compose_reason(facts, visit_type_name="Contractor") == (
        "Contractor visit for ACME | Other visit purpose | fixing HVAC"
    )
