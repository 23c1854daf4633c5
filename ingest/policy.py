"""The ingest's tunables, built once from settings and passed to the stages."""

from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from shared.domain.alerts import RateLimit
from shared.domain.scan import ClockPolicy, ScanPolicy
from shared.settings import Settings, UidFormat


@dataclass(frozen=True, slots=True)
class IngestPolicy:
    """Everything the apply stage needs to know from settings."""

    scan: ScanPolicy = field(default_factory=ScanPolicy)
    clock: ClockPolicy = field(default_factory=ClockPolicy)
    alert_limit: RateLimit = field(default_factory=RateLimit)
    uid_formats: tuple[UidFormat, ...] = (UidFormat.HEX_UPPER,)
    accept_unregistered: bool = True
    max_payload_bytes: int = 4096
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Winnipeg"))
    day_rollover: time = time(3, 0)


def policy_from(settings: Settings) -> IngestPolicy:
    """Build the policy from settings."""
    return IngestPolicy(
        scan=ScanPolicy(
            duplicate_window=timedelta(seconds=settings.duplicate_window_s),
            reject_inactive_members=settings.reject_inactive_members,
        ),
        clock=ClockPolicy(
            max_past=timedelta(seconds=settings.clock_max_past_s),
            max_future=timedelta(seconds=settings.clock_max_future_s),
        ),
        alert_limit=RateLimit(
            threshold=settings.alert_threshold, window=timedelta(seconds=settings.alert_window_s)
        ),
        uid_formats=tuple(settings.uid_formats),
        accept_unregistered=settings.accept_unregistered_readers,
        max_payload_bytes=settings.ingest_max_payload_bytes,
        timezone=ZoneInfo(settings.timezone),
        day_rollover=settings.day_rollover,
    )
