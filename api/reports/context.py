"""What every report builder needs besides the session: time, zone, settings, progress."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.opday import operational_date, rollover_instant
from shared.domain.report_settings import ReportSettings
from shared.settings import Settings
from shared.store.report_settings import load_report_settings

Progress = Callable[[str], None]


def no_progress(step: str) -> None:
    """Ignore progress (the API has nobody to show it to)."""


@dataclass(frozen=True)
class ReportContext:
    """The edge's inputs to a report: `now` from the clock, zone and rollover from settings."""

    now: datetime
    tz: ZoneInfo
    rollover: time
    settings: ReportSettings
    progress: Progress = field(default=no_progress)

    @property
    def today(self) -> date:
        """Today's operational date."""
        return operational_date(self.now, tz=self.tz, rollover=self.rollover)

    def day_start(self, on: date) -> datetime:
        """The instant operational date `on` begins."""
        return rollover_instant(on, tz=self.tz, rollover=self.rollover)

    def local(self, at: datetime) -> datetime:
        """`at` in the unit's zone."""
        return at.astimezone(self.tz)


async def load_context(
    session: AsyncSession, settings: Settings, *, now: datetime, progress: Progress = no_progress
) -> ReportContext:
    """Build the context from the app settings and the stored report settings."""
    report_settings = await load_report_settings(session)
    return ReportContext(
        now, ZoneInfo(settings.timezone), settings.day_rollover, report_settings, progress
    )
