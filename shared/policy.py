"""Operations policy: the timezone, rollover, job times and alert limits, built once from settings.

Edges (API, ingest jobs, the scan hook) build an `OperationsPolicy` from `Settings` and pass it
down; pure rules receive the plain values they need from it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain import opday
from shared.domain.alerts import AlertType, RateLimit
from shared.settings import Settings


@dataclass(frozen=True, slots=True)
class OperationsPolicy:
    """Tunables of the daily responsibility cycle."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Winnipeg"))
    rollover: time = time(3, 0)
    lockup_warning: time = time(22, 0)
    lockup_critical: time = time(23, 0)
    catch_up: timedelta = timedelta(hours=2)
    default_limit: RateLimit = field(default_factory=RateLimit)
    limits: Mapping[str, RateLimit] = field(default_factory=dict)

    def operational_date(self, at: datetime) -> date:
        """Return the operational date of `at` (domain.md §1.8)."""
        return opday.operational_date(at, tz=self.tz, rollover=self.rollover)

    def rollover_instant(self, on: date) -> datetime:
        """Return the instant operational date `on` starts."""
        return opday.rollover_instant(on, tz=self.tz, rollover=self.rollover)

    def instant_on(self, on: date, at: time) -> datetime:
        """Return the instant of local time `at` within operational date `on`."""
        return opday.instant_on(on, at, tz=self.tz, rollover=self.rollover)

    def limit(self, alert_type: AlertType) -> RateLimit:
        """Return the rate limit configured for `alert_type` (domain.md §4.3)."""
        return self.limits.get(alert_type.value, self.default_limit)


def operations_policy(settings: Settings) -> OperationsPolicy:
    """Build the policy from settings."""
    return OperationsPolicy(
        tz=ZoneInfo(settings.timezone),
        rollover=settings.day_rollover,
        lockup_warning=settings.lockup_warning_time,
        lockup_critical=settings.lockup_critical_time,
        catch_up=timedelta(seconds=settings.scheduler_catch_up_s),
        default_limit=RateLimit(
            threshold=settings.alert_threshold, window=timedelta(seconds=settings.alert_window_s)
        ),
        limits={
            name: RateLimit(threshold=limit.threshold, window=timedelta(seconds=limit.window_s))
            for name, limit in settings.alert_rate_limits.items()
        },
    )
