"""Formatting helpers shared by the report layouts: local times, dates, paper size."""

from datetime import datetime
from zoneinfo import ZoneInfo

from api.reports.document import Chart, Document, Table
from shared.domain.report_settings import ReportSettings, format_date


class Layout:
    """Formatting helpers bound to the unit's settings and zone."""

    def __init__(self, settings: ReportSettings, tz: ZoneInfo) -> None:
        self.settings = settings
        self.fmt = settings.formatting
        self.handling = settings.member_handling
        self.tz = tz

    def when(self, at: datetime | None) -> str:
        """Local date and time, or blank."""
        if at is None:
            return ""
        local = at.astimezone(self.tz)
        return f"{format_date(local.date(), self.fmt.date_format)} {local:%H:%M}"

    def clock(self, at: datetime | None) -> str:
        """Local time of day, or blank."""
        return "" if at is None else f"{at.astimezone(self.tz):%H:%M}"

    def subtitle(self, generated_at: datetime, what: str) -> str:
        """The line under the title."""
        return f"{what} · generated {self.when(generated_at)}"

    def document(
        self,
        *,
        title: str,
        subtitle: str,
        facts: list[tuple[str, str]],
        charts: list[Chart],
        tables: list[Table],
        csv: Table,
        landscape: bool = True,
    ) -> Document:
        """A document with this unit's paper size."""
        return Document(
            title, subtitle, facts, charts, tables, csv, self.fmt.page_size, landscape=landscape
        )


def pct(value: float | None) -> str:
    """A percentage with one decimal, or blank."""
    return "" if value is None else f"{value:.1f}"
