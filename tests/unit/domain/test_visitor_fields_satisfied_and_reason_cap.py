"""Visitor sign-in: each required field is satisfied by a value (and not by blanks), every
problem explains itself, and the composed reason is capped at 500 characters.

Found by mutation testing (`uv run python -m tools.mutation`): the existing tests only showed
that an empty form is refused, never that the filled-in field is then accepted.
"""

import pytest

from shared.domain.visitors import VisitorFacts, VisitPurpose, compose_reason, sign_in_problems


@pytest.mark.parametrize(
    "facts",
    [
        VisitorFacts("contractor", organization="ACME"),
        VisitorFacts("recruitment", recruitment_step="testing"),
        VisitorFacts(
            "guest", visit_purpose=VisitPurpose.APPOINTMENT, purpose_details="CO at 19:00"
        ),
        VisitorFacts(
            "guest", visit_purpose=VisitPurpose.MEMBER_INVITED, purpose_details="Mess dinner"
        ),
        VisitorFacts("guest", visit_purpose=VisitPurpose.OTHER, purpose_details="Delivery"),
        VisitorFacts("guest", visit_purpose=VisitPurpose.INFORMATION),
    ],
)
def test_a_filled_in_field_satisfies_its_rule(facts: VisitorFacts) -> None:
    assert sign_in_problems(facts) == []


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        (VisitorFacts("military", rank_prefix=" ", unit="HMCS X"), "rank_prefix"),
        (VisitorFacts("military", rank_prefix="Capt", unit="\t"), "unit"),
        (VisitorFacts("contractor", organization="  "), "organization"),
        (VisitorFacts("recruitment", recruitment_step=""), "recruitment_step"),
        (
            VisitorFacts("guest", visit_purpose=VisitPurpose.MEMBER_INVITED, purpose_details=" "),
            "host_member_id",
        ),
        (
            VisitorFacts("guest", visit_purpose=VisitPurpose.OTHER, purpose_details=" "),
            "purpose_details",
        ),
    ],
)
def test_blanks_do_not_count_and_each_problem_explains_itself(
    facts: VisitorFacts, field: str
) -> None:
    [problem] = sign_in_problems(facts)
    assert problem.field == field
    assert isinstance(problem.message, str) and problem.message


def test_the_reason_is_cut_at_500_characters() -> None:
    facts = VisitorFacts("guest", visit_purpose=VisitPurpose.OTHER, purpose_details="x" * 600)
    reason = compose_reason(facts, visit_type_name="Guest")
    assert len(reason) == 500
    assert reason.startswith("Guest visit | Other visit purpose | xxx")
