"""Layout of the training-night and BMQ attendance reports: facts, charts, attention list, tables."""

from api.reports.document import Chart, Document, Table, Tone
from api.reports.layout import Layout, pct
from api.schemas.report_results import AttendanceRow, TrainingNightReport
from api.schemas.reports import OrganizationOption
from shared.domain.attendance import AttendanceFlag, Trend
from shared.domain.report_settings import format_date

TREND_MARK = {Trend.UP: "▲", Trend.DOWN: "▼", Trend.STABLE: "=", Trend.NONE: ""}
FLAG_COLOUR = {"none": "#4a8c5c", "warning": "#d39e00", "critical": "#c0392b"}


def _tone(row: AttendanceRow) -> Tone:
    if row.flag is AttendanceFlag.CRITICAL:
        return "critical"
    if row.flag is AttendanceFlag.WARNING or row.trend is Trend.DOWN:
        return "warning"
    return None


def _attendance_columns(layout: Layout, report: TrainingNightReport) -> list[str]:
    columns = ["Service no."] if layout.fmt.show_service_number else []
    columns += ["Rank", "Name", "Division", "Attended", "Possible", "%", "Status", "Flag"]
    if layout.handling.show_trend_indicators and report.previous_period:
        columns.append("Trend")
    if layout.handling.show_bmq_badge:
        columns.append("BMQ")
    return columns


def _attendance_cells(
    layout: Layout, report: TrainingNightReport, row: AttendanceRow
) -> tuple[str, ...]:
    cells = [row.service_number] if layout.fmt.show_service_number else []
    cells += [
        row.rank,
        f"{row.last_name}, {row.first_name}",
        row.division_code or "",
        str(row.attended),
        str(row.possible),
        pct(row.percentage),
        row.status.value,
        "" if row.flag is AttendanceFlag.NONE else row.flag.value,
    ]
    if layout.handling.show_trend_indicators and report.previous_period:
        delta = "" if row.delta is None else f" {row.delta:+.1f}"
        cells.append(f"{TREND_MARK[row.trend]}{delta}")
    if layout.handling.show_bmq_badge:
        cells.append("BMQ" if row.bmq_enrolled else "")
    return tuple(cells)


def _attendance_table(
    layout: Layout,
    report: TrainingNightReport,
    title: str,
    rows: list[AttendanceRow],
    *,
    page_break: bool = False,
) -> Table:
    return Table(
        title=title,
        columns=tuple(_attendance_columns(layout, report)),
        rows=[_attendance_cells(layout, report, r) for r in rows],
        tones=[_tone(r) for r in rows],
        page_break_before=page_break,
    )


def attendance_document(report: TrainingNightReport, layout: Layout) -> Document:
    """Training-night or BMQ attendance: facts, three charts, attention list, member tables."""
    s, t = report.summary, report.thresholds
    window = (
        f"{', '.join(d.title() for d in t.weekdays)} {t.window_start:%H:%M}–{t.window_end:%H:%M}"
    )
    facts = [
        ("Period", report.period.label),
        (
            "Nights counted",
            f"{len(report.nights)} ({window}, present ≥ {t.minimum_presence_minutes} min)",
        ),
        ("Thresholds", f"warning below {t.warning:g} %, critical below {t.critical:g} %"),
        (
            "Members",
            f"{s.members} ({s.calculated} calculated, {s.new} new, {s.insufficient_data} insufficient data)",
        ),
        (
            "Average attendance",
            f"{pct(s.average_percentage)} % (overall rate {pct(s.attendance_rate)} %)",
        ),
        ("Flagged", f"{s.critical} critical, {s.warning} warning, {s.trending_down} trending down"),
    ]
    references = [
        (t.warning, "warning", FLAG_COLOUR["warning"]),
        (t.critical, "critical", FLAG_COLOUR["critical"]),
    ]
    divisions = [d for d in report.divisions if d.summary.average_percentage is not None]
    charts = [
        Chart(
            "bar",
            "Average attendance by division (%)",
            [d.division_code or d.division_name for d in divisions],
            [d.summary.average_percentage or 0.0 for d in divisions],
            "%",
            references,
        ),
        Chart(
            "line",
            "Turnout per night (% of eligible members)",
            [format_date(n.on, layout.fmt.date_format) for n in report.nights],
            [n.percentage or 0.0 for n in report.nights],
            "%",
            references,
        ),
        _distribution(report),
    ]
    attention = sorted(
        (r for r in report.members if _tone(r)),
        key=lambda r: r.percentage if r.percentage is not None else 101.0,
    )
    tables = [
        _attendance_table(layout, report, "Needs attention (flagged or trending down)", attention)
    ]
    option = OrganizationOption(report.organization_option)
    if option is OrganizationOption.SEPARATED_BY_DIVISION:
        for division in report.divisions:
            rows = [r for r in report.members if r.division_code == division.division_code]
            tables.append(
                _attendance_table(layout, report, division.division_name, rows, page_break=True)
            )
    else:
        tables.append(_attendance_table(layout, report, "Members", report.members))
    if option is OrganizationOption.SPECIFIC_MEMBER and report.members and report.members[0].nights:
        nights = report.members[0].nights
        tables.append(
            Table(
                "Nights",
                ("Date", "Attended"),
                [
                    (format_date(n.on, layout.fmt.date_format), "yes" if n.attended else "no")
                    for n in nights
                ],
                [None if n.attended else "warning" for n in nights],
            )
        )
    return layout.document(
        title=report.title,
        subtitle=layout.subtitle(report.generated_at, report.period.label),
        facts=facts,
        charts=charts,
        tables=tables,
        csv=_attendance_csv(report),
    )


def _distribution(report: TrainingNightReport) -> Chart:
    bins = [0] * 10
    for row in report.members:
        if row.percentage is not None and row.status.value == "calculated":
            bins[min(int(row.percentage // 10), 9)] += 1
    labels = [f"{10 * i}–{10 * i + 9 if i < 9 else 100}" for i in range(10)]
    t = report.thresholds
    palette = [
        FLAG_COLOUR["critical"]
        if 10 * i + 10 <= t.critical
        else FLAG_COLOUR["warning"]
        if 10 * i + 10 <= t.warning
        else FLAG_COLOUR["none"]
        for i in range(10)
    ]
    return Chart(
        "histogram",
        "Members by attendance (%)",
        labels,
        [float(b) for b in bins],
        "members",
        colors=palette,
    )


def _attendance_csv(report: TrainingNightReport) -> Table:
    columns = (
        "service_number",
        "rank",
        "last_name",
        "first_name",
        "division",
        "member_type",
        "joined_on",
        "attended",
        "possible",
        "percentage",
        "status",
        "flag",
        "trend",
        "delta",
        "bmq_enrolled",
    )
    rows = [
        (
            r.service_number,
            r.rank,
            r.last_name,
            r.first_name,
            r.division_code or "",
            r.member_type,
            r.joined_on.isoformat(),
            str(r.attended),
            str(r.possible),
            pct(r.percentage),
            r.status.value,
            r.flag.value,
            r.trend.value,
            "" if r.delta is None else f"{r.delta:.1f}",
            str(r.bmq_enrolled).lower(),
        )
        for r in report.members
    ]
    return Table("members", columns, rows)
