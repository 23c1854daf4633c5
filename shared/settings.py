"""Sentinel settings from `SENTINEL_*` environment variables and an optional `.env` file.

Build one `Settings()` in each `__main__` and pass it down; there is no import-time singleton.
"""

from datetime import time
from enum import StrEnum
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.event_loop import EventLoopName


class UidFormat(StrEnum):
    """How a reader's UID is matched to enrolled badge serials (domain.md §2.11 step 3)."""

    HEX_UPPER = "hex_upper"
    DEC10_LE = "dec10_le"
    DEC10_BE = "dec10_be"


class AlertRateLimit(BaseModel):
    """At most `threshold` alerts of one type per subject within `window_s` (domain.md §4.3)."""

    threshold: int = Field(default=1, ge=1, le=1000)
    window_s: int = Field(default=3600, ge=60, le=7 * 24 * 3600)


class Settings(BaseSettings):
    """Every tunable of the services, with local-development defaults."""

    model_config = SettingsConfigDict(env_prefix="SENTINEL_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://sentinel:sentinel@127.0.0.1:5432/sentinel"
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    # CA bundle that verifies the broker's certificate for mqtts:// URLs (system CAs when unset).
    mqtt_ca_file: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)

    timezone: str = "America/Winnipeg"
    day_rollover: time = time(3, 0)

    duplicate_window_s: float = Field(default=5.0, ge=0, le=3600)
    reject_inactive_members: bool = False
    accept_unregistered_readers: bool = True
    uid_formats: list[UidFormat] = Field(default_factory=lambda: [UidFormat.HEX_UPPER])
    clock_max_past_s: int = 7 * 24 * 3600
    clock_max_future_s: int = 120
    alert_window_s: int = 3600
    alert_threshold: int = Field(default=1, ge=1)

    ingest_client_id: str = "sentinel-ingest"
    ingest_share_group: str | None = None
    # At most this many messages per batch; a backlog drains faster in batches of 1,000 than of
    # 500 (deploy/README.md §8.4). The broker's in-flight window must be at least as large
    # (broker/README.md): each message stays unacknowledged until its batch is committed.
    ingest_batch_max: int = Field(default=1000, ge=1, le=10000)
    # Messages received and not yet taken into a batch (the subscriber's queue); while it is
    # full the socket is left unread and the broker holds the rest. Keep it at least the broker's
    # in-flight window (`max_inflight_messages`) so a full window fits.
    ingest_queue_max: int = Field(default=10000, ge=10)
    # The optimistic batch writes commit without waiting for the disk (answered sooner); a batch
    # is acknowledged to the broker only once a durable commit has flushed it
    # (`ingest/durability.py`). False: every batch's commit waits for its own flush.
    ingest_async_commit: bool = True
    ingest_max_payload_bytes: int = Field(default=4096, ge=256)
    ingest_metrics_port: int | None = None
    # The ingest's event loop (`shared/event_loop.py`): "asyncio" rules uvloop out of a problem.
    ingest_event_loop: EventLoopName = "uvloop"
    outbox_relay_interval_s: float = 1.0
    heartbeat_period_s: int = Field(default=30, ge=1)
    device_offline_alert_s: int = Field(default=600, ge=0)
    operating_hours_start: time = time(6, 0)
    operating_hours_end: time = time(23, 0)

    # Admin API authentication (domain.md §10; issue 5).
    session_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    session_cookie_secure: bool = False
    login_badge_max_failures: int = Field(default=5, ge=1)
    login_ip_max_failures: int = Field(default=20, ge=1)
    login_lockout_s: int = Field(default=15 * 60, ge=1)
    login_lockout_max_s: int = Field(default=24 * 3600, ge=1)

    # Building operations: daily jobs and alert rate limits (domain.md §0.2 rules 7–9; issue 6).
    lockup_warning_time: time = time(22, 0)
    lockup_critical_time: time = time(23, 0)
    scheduler_enabled: bool = True
    scheduler_tick_s: float = Field(default=15.0, gt=0)
    scheduler_catch_up_s: int = Field(default=2 * 3600, ge=0)
    # Per alert type, e.g. SENTINEL_ALERT_RATE_LIMITS='{"lockup_reminder":{"threshold":2,"window_s":600}}'
    alert_rate_limits: dict[str, AlertRateLimit] = Field(default_factory=dict)

    # API hardening (issue 10). Origins allowed to call the API from a browser, as JSON, e.g.
    # SENTINEL_API_CORS_ORIGINS='["https://admin.example.org"]'; empty: no cross-origin access.
    api_cors_origins: list[str] = Field(default_factory=list)
    # Largest request body; the nominal-roll CSV import (/api/members/import/) gets its own.
    api_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    api_import_max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # Requests per client address per window (token bucket); 0 turns a limit off. Auth routes
    # (sign-in, PIN change) count against both limits. /health, /ready, /metrics are exempt.
    api_rate_limit: int = Field(default=1200, ge=0)
    api_rate_window_s: float = Field(default=60.0, gt=0)
    api_auth_rate_limit: int = Field(default=20, ge=0)
    api_auth_rate_window_s: float = Field(default=60.0, gt=0)

    @field_validator("mqtt_url")
    @classmethod
    def _mqtt_scheme(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"mqtt", "mqtts"}:
            raise ValueError("SENTINEL_MQTT_URL must start with mqtt:// or mqtts://")
        return value


class BrokerAddress:
    """The parts of `SENTINEL_MQTT_URL`."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "mqtts"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (8883 if self.tls else 1883)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    def __repr__(self) -> str:
        return f"BrokerAddress({self.host}:{self.port}, tls={self.tls}, user={self.username})"
