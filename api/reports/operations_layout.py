"""Layouts of the daily check-in, roster, visitor, presence-over-time and lockup reports."""

from api.reports.document import Chart, Document, Table
from api.reports.layout import Layout
from api.schemas.report_results import (
    DailyCheckinReport,
    DailyRow,
    LockupSummaryReport,
    PresenceOverTimeReport,
    RosterReport,
    VisitorSummaryReport,
)
from shared.domain.report_settings import format_date


def daily_document(report: DailyCheckinReport, layout: Layout) -> Document:
    """Daily check-in: FT present/absent, reserve present, per-division counts."""
    columns = ("Rank", "Name", "Division", "Type", "First in", "Last out")

    def rows(items: list[DailyRow]) -> list[tuple[str, ...]]:
        return [
            (
                r.rank,
                f"{r.last_name}, {r.first_name}",
                r.division_code or "",
                r.member_type,
                layout.clock(r.first_in_at),
                layout.clock(r.last_out_at),
            )
            for r in items
        ]

    counts = Table(
        "By division",
        ("Division", "FT present", "FT total", "Reserve present", "Reserve total"),
        [
            (
                d.division_name,
                str(d.ft_present),
                str(d.ft_total),
                str(d.reserve_present),
                str(d.reserve_total),
            )
            for d in report.divisions
        ],
    )
    everyone = [("ft_present", r) for r in report.ft_present] + [
        ("ft_absent", r) for r in report.ft_absent
    ]
    everyone += [("reserve_present", r) for r in report.reserve_present]
    csv = Table(
        "daily",
        (
            "group",
            "service_number",
            "rank",
            "last_name",
            "first_name",
            "division",
            "member_type",
            "first_in_at",
            "last_out_at",
        ),
        [
            (
                g,
                r.service_number,
                r.rank,
                r.last_name,
                r.first_name,
                r.division_code or "",
                r.member_type,
                r.first_in_at.isoformat() if r.first_in_at else "",
                r.last_out_at.isoformat() if r.last_out_at else "",
            )
            for g, r in everyone
        ],
    )
    return layout.document(
        title=report.title,
        subtitle=layout.subtitle(
            report.generated_at,
            f"Operational day {format_date(report.operational_date, layout.fmt.date_format)}",
        ),
        facts=[
            (
                "FT staff present",
                f"{len(report.ft_present)} of {len(report.ft_present) + len(report.ft_absent)}",
            ),
            ("Reserve present", str(len(report.reserve_present))),
        ],
        charts=[],
        tables=[
            counts,
            Table("FT staff present", columns, rows(report.ft_present)),
            Table(
                "FT staff absent",
                columns,
                rows(report.ft_absent),
                ["warning"] * len(report.ft_absent),
            ),
            Table("Reserve present", columns, rows(report.reserve_present)),
        ],
        csv=csv,
        landscape=False,
    )


def roster_document(report: RosterReport, layout: Layout) -> Document:
    """Personnel roster."""
    columns = (
        "Service no.",
        "Rank",
        "Last name",
        "First name",
        "Init.",
        "Division",
        "Type",
        "Badge",
        "Email",
        "Phone",
    )
    rows = [
        (
            r.service_number,
            r.rank,
            r.last_name,
            r.first_name,
            r.initials,
            r.division_code or "",
            r.member_type,
            r.badge_serial or "",
            r.email or "",
            r.phone or "",
        )
        for r in report.members
    ]
    table = Table("Members", columns, rows)
    return layout.document(
        title=report.title,
        subtitle=layout.subtitle(
            report.generated_at, f"{len(rows)} active members, sorted by {report.sort_order}"
        ),
        facts=[],
        charts=[],
        tables=[table],
        csv=Table("roster", tuple(c.lower().replace(" ", "_").rstrip(".") for c in columns), rows),
    )


def visitor_document(report: VisitorSummaryReport, layout: Layout) -> Document:
    """Visitor summary."""
    rows = [
        (
            layout.when(v.check_in_at),
            layout.when(v.check_out_at),
            v.display_name,
            v.organization or "",
            v.visit_type,
            v.host_name or "",
            v.visit_reason or "",
        )
        for v in report.visits
    ]
    columns = ("In", "Out", "Name", "Organisation", "Type", "Host", "Reason")
    return layout.document(
        title=report.title,
        subtitle=layout.subtitle(report.generated_at, report.period.label),
        facts=[("Visits", str(report.total))],
        charts=[
            Chart(
                "bar",
                "Visits by type",
                [c.label for c in report.by_type],
                [float(c.count) for c in report.by_type],
                "visits",
            )
        ]
        if report.by_type
        else [],
        tables=[
            Table(
                "By organisation",
                ("Organisation", "Visits"),
                [(c.label, str(c.count)) for c in report.by_organization],
            ),
            Table("Visits", columns, rows),
        ],
        csv=Table("visits", tuple(c.lower() for c in columns), rows),
    )


def presence_document(report: PresenceOverTimeReport, layout: Layout) -> Document:
    """Presence over time: an occupancy chart and the hourly table."""
    labels = [h.local_label for h in report.hours]
    chart = Chart(
        "line",
        "Members in the building at the end of each hour",
        labels,
        [float(h.members_present) for h in report.hours],
        "people",
        secondary=[float(h.visitors_present) for h in report.hours],
        secondary_label="visitors",
    )
    flows = Chart(
        "bar",
        "Member arrivals per hour",
        labels,
        [float(h.arrivals) for h in report.hours],
        "arrivals",
    )
    rows = [
        (
            h.local_label,
            str(h.arrivals),
            str(h.departures),
            str(h.members_present),
            str(h.visitors_present),
        )
        for h in report.hours
    ]
    days = [
        (
            format_date(d.operational_date, layout.fmt.date_format),
            str(d.arrivals),
            str(d.peak_members),
            layout.clock(d.peak_at),
        )
        for d in report.days
    ]
    return layout.document(
        title=report.title,
        subtitle=layout.subtitle(report.generated_at, report.period.label),
        facts=[("Aggregate", report.aggregate_path)],
        charts=[chart, flows],
        tables=[
            Table("By operational day", ("Day", "Arrivals", "Peak", "Peak hour"), days),
            Table("By hour", ("Hour", "Arrivals", "Departures", "Members in", "Visitors in"), rows),
        ],
        csv=Table(
            "hours",
            ("bucket_at", "arrivals", "departures", "members_present", "visitors_present"),
            [
                (
                    h.bucket_at.isoformat(),
                    str(h.arrivals),
                    str(h.departures),
                    str(h.members_present),
                    str(h.visitors_present),
                )
                for h in report.hours
            ],
        ),
    )


def lockup_document(report: LockupSummaryReport, layout: Layout) -> Document:
    """Lockup and DDS summary."""
    cycles = [
        (
            format_date(c.operational_date, layout.fmt.date_format),
            c.building_status,
            c.holder or "",
            layout.when(c.acquired_at),
            layout.when(c.secured_at),
            c.secured_by or "",
            "" if c.members_checked_out is None else str(c.members_checked_out),
        )
        for c in report.cycles
    ]
    columns = ("Day", "Status", "Holder", "Acquired", "Secured", "Secured by", "Checked out")
    dds = [
        (
            format_date(d.operational_date, layout.fmt.date_format),
            d.member or "",
            d.status,
            layout.when(d.accepted_at),
        )
        for d in report.dds
    ]
    return layout.document(
        title=report.title,
        subtitle=layout.subtitle(report.generated_at, report.period.label),
        facts=[
            (
                "Days not secured",
                ", ".join(format_date(d, layout.fmt.date_format) for d in report.days_not_secured)
                or "none",
            )
        ],
        charts=[],
        tables=[
            Table("Lockup cycles", columns, cycles),
            Table("DDS", ("Day", "DDS", "Status", "Accepted"), dds),
        ],
        csv=Table("cycles", tuple(c.lower().replace(" ", "_") for c in columns), cycles),
    )
