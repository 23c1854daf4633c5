"""Daily check-in, personnel roster and visitor summary reports (domain.md §8.1)."""

from collections import Counter
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.reports.attendance import row_sort_key
from api.reports.context import ReportContext
from api.schemas.report_results import (
    Count,
    DailyCheckinReport,
    DailyRow,
    DivisionDaily,
    PeriodOut,
    RosterReport,
    RosterRow,
    VisitorSummaryReport,
    VisitOut,
)
from api.schemas.reports import (
    DailyCheckinRequest,
    MemberTypeFilter,
    RosterRequest,
    VisitorSummaryRequest,
)
from shared.domain.report_settings import SortOrder, format_date
from shared.store import reports as report_store
from shared.store.reports import FT_STAFF, RESERVE, ReportMember

ALL_TYPES = (*RESERVE, *FT_STAFF, "civilian_staff")


def _ref(member: ReportMember) -> dict[str, object]:
    return {
        "member_id": member.member_id,
        "service_number": member.service_number,
        "rank": member.rank,
        "rank_order": member.rank_order,
        "display_name": member.display_name,
        "last_name": member.last_name,
        "first_name": member.first_name,
        "division_code": member.division_code,
        "division_name": member.division_name,
        "member_type": member.member_type,
    }


async def daily_checkin_report(
    session: AsyncSession, request: DailyCheckinRequest, ctx: ReportContext
) -> DailyCheckinReport:
    """Present FT staff, absent FT staff and present reserve on one operational day.

    "Present" = at least one `in` during the operational day, so a check-in at 01:00 counts
    for the day before (domain.md §1.8), not for the calendar date.
    """
    on = request.operational_date or ctx.today
    types = {
        MemberTypeFilter.ALL: FT_STAFF + RESERVE,
        MemberTypeFilter.FT_STAFF: FT_STAFF,
        MemberTypeFilter.RESERVE: RESERVE,
    }[request.member_type]
    ctx.progress("loading members")
    members = await report_store.report_members(
        session, tz=ctx.tz.key, member_types=types, division_id=request.division_id
    )
    ctx.progress("loading check-ins")
    activity = await report_store.day_activity(
        session,
        [m.member_id for m in members],
        start_at=ctx.day_start(on),
        end_at=ctx.day_start(on + timedelta(days=1)),
    )
    rows: list[tuple[ReportMember, DailyRow]] = []
    for member in members:
        seen = activity.get(member.member_id)
        first_in = seen.first_in_at if seen else None
        row = DailyRow.model_validate(
            {
                **_ref(member),
                "present": first_in is not None,
                "first_in_at": first_in,
                "last_out_at": seen.last_out_at if seen else None,
            }
        )
        rows.append((member, row))
    key = row_sort_key(SortOrder.DIVISION_RANK)
    ft = sorted((r for m, r in rows if m.member_type in FT_STAFF), key=key)
    reserve = sorted((r for m, r in rows if m.member_type in RESERVE), key=key)
    return DailyCheckinReport(
        title=f"Daily check-in — {format_date(on, ctx.settings.formatting.date_format)}",
        generated_at=ctx.now,
        operational_date=on,
        ft_present=[r for r in ft if r.present],
        ft_absent=[r for r in ft if not r.present],
        reserve_present=[r for r in reserve if r.present],
        divisions=_division_counts([r for _, r in rows]),
    )


def _division_counts(rows: list[DailyRow]) -> list[DivisionDaily]:
    groups: dict[tuple[str, str | None], list[DailyRow]] = {}
    for row in rows:
        groups.setdefault((row.division_name or "\uffff", row.division_code), []).append(row)
    out = []
    for (name, code), members in sorted(groups.items()):
        ft = [r for r in members if r.member_type in FT_STAFF]
        reserve = [r for r in members if r.member_type in RESERVE]
        out.append(
            DivisionDaily(
                division_code=code,
                division_name=name if code else "No division",
                ft_present=sum(r.present for r in ft),
                ft_total=len(ft),
                reserve_present=sum(r.present for r in reserve),
                reserve_total=len(reserve),
            )
        )
    return out


async def roster_report(
    session: AsyncSession, request: RosterRequest, ctx: ReportContext
) -> RosterReport:
    """Active members sorted by seniority (`ranks.display_order` desc) or name (Appendix B.16)."""
    ctx.progress("loading members")
    members = await report_store.report_members(
        session, tz=ctx.tz.key, member_types=ALL_TYPES, division_id=request.division_id
    )
    rows = [
        RosterRow.model_validate(
            {
                **_ref(m),
                "initials": m.initials,
                "status": m.status,
                "badge_serial": m.badge_serial,
                "email": m.email,
                "phone": m.phone,
            }
        )
        for m in members
    ]
    return RosterReport(
        title="Personnel roster",
        generated_at=ctx.now,
        sort_order=request.sort_order.value,
        members=sorted(rows, key=row_sort_key(request.sort_order)),
    )


async def visitor_summary_report(
    session: AsyncSession, request: VisitorSummaryRequest, ctx: ReportContext
) -> VisitorSummaryReport:
    """Visits between two operational dates with counts by type and organisation."""
    ctx.progress("loading visits")
    visits = await report_store.visitor_rows(
        session,
        start_at=ctx.day_start(request.start_date),
        end_at=ctx.day_start(request.end_date + timedelta(days=1)),
        visit_type=request.visit_type,
        organization=request.organization,
    )
    by_type = Counter(v.visit_type for v in visits)
    by_org = Counter((v.organization or "").strip() or "(none)" for v in visits)
    fmt = ctx.settings.formatting.date_format
    label = f"{format_date(request.start_date, fmt)} – {format_date(request.end_date, fmt)}"
    return VisitorSummaryReport(
        title="Visitor summary",
        generated_at=ctx.now,
        period=PeriodOut(start_on=request.start_date, end_on=request.end_date, label=label),
        total=len(visits),
        by_type=[
            Count(label=k, count=n) for k, n in sorted(by_type.items(), key=lambda i: (-i[1], i[0]))
        ],
        by_organization=[
            Count(label=k, count=n) for k, n in sorted(by_org.items(), key=lambda i: (-i[1], i[0]))
        ],
        visits=[VisitOut.model_validate(v, from_attributes=True) for v in visits],
    )
