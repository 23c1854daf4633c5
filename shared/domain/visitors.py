"""Visitor sign-in rules: required fields per visit type and purpose, the reason summary (§7.3)."""

from dataclasses import dataclass
from enum import StrEnum


class VisitPurpose(StrEnum):
    """Why a visitor comes."""

    MEMBER_INVITED = "member_invited"
    APPOINTMENT = "appointment"
    INFORMATION = "information"
    OTHER = "other"


class RecruitmentStep(StrEnum):
    """Where a recruit is in the process."""

    INFORMATION = "information"
    TESTING = "testing"
    INTERVIEW = "interview"
    MEDICAL_ADMIN = "medical_admin"
    OTHER = "other"


class CheckInMethod(StrEnum):
    """How a visitor was signed in."""

    ADMIN_MANUAL = "admin_manual"
    KIOSK = "kiosk"
    KIOSK_SELF_SERVICE = "kiosk_self_service"


@dataclass(frozen=True, slots=True)
class VisitorFacts:
    """What the sign-in rules look at."""

    visit_type: str
    rank_prefix: str | None = None
    unit: str | None = None
    organization: str | None = None
    recruitment_step: str | None = None
    visit_purpose: VisitPurpose | None = None
    purpose_details: str | None = None
    has_host: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A missing field and why it is needed."""

    field: str
    message: str


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def sign_in_problems(facts: VisitorFacts) -> list[Problem]:
    """Return every rule the sign-in breaks (domain.md §7.3); empty when it may proceed."""
    out: list[Problem] = []
    if facts.visit_type == "military":
        if _blank(facts.rank_prefix):
            out.append(Problem("rank_prefix", "Military visitors need a rank"))
        if _blank(facts.unit):
            out.append(Problem("unit", "Military visitors need a unit"))
    if facts.visit_type == "contractor" and _blank(facts.organization):
        out.append(Problem("organization", "Contractors need an organization"))
    if facts.visit_type == "recruitment" and _blank(facts.recruitment_step):
        out.append(Problem("recruitment_step", "Recruitment visits need a step"))
    purpose = facts.visit_purpose
    if purpose in (VisitPurpose.MEMBER_INVITED, VisitPurpose.APPOINTMENT) and (
        not facts.has_host and _blank(facts.purpose_details)
    ):
        out.append(Problem("host_member_id", "Name the host member or give details"))
    if purpose is VisitPurpose.OTHER and _blank(facts.purpose_details):
        out.append(Problem("purpose_details", "Describe the purpose"))
    return out


PURPOSE_LABELS = {
    VisitPurpose.MEMBER_INVITED: "Invited by a member",
    VisitPurpose.APPOINTMENT: "Appointment",
    VisitPurpose.INFORMATION: "Information",
    VisitPurpose.OTHER: "Other visit purpose",
}


def compose_reason(facts: VisitorFacts, *, visit_type_name: str) -> str:
    """Return "type summary | purpose label | details" when no reason was given (§7.3)."""
    summary = f"{visit_type_name} visit"
    if not _blank(facts.organization):
        summary += f" for {facts.organization}"
    parts = [summary]
    if facts.visit_purpose is not None:
        parts.append(PURPOSE_LABELS[facts.visit_purpose])
    if not _blank(facts.purpose_details):
        parts.append(str(facts.purpose_details).strip())
    return " | ".join(parts)[:500]
