"""Reports: training years, stat holidays, report settings, BMQ, aggregates (issue 7).

Adds `members.joined_on`, the report configuration tables, BMQ courses and enrolments, the
report audit log, and the hourly check-in aggregate `checkin_hourly`:

* TimescaleDB path (revision 0001 made `checkins` a hypertable): a real-time continuous
  aggregate (`time_bucket`, `materialized_only = false`) with a refresh policy, plus
  compression on `checkins` after 30 days (the `timeseries` report-settings default).
* Plain PostgreSQL: the materialized view `checkin_hourly_mat` (`date_bin`) holding complete
  hours up to its last refresh, and the view `checkin_hourly` = that view plus the raw check-ins
  after it, so both paths answer the same. `refresh_checkin_aggregates()` refreshes it.

The path taken is recorded in `schema_features` as `checkin_aggregates`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORIGIN = "TIMESTAMPTZ '2000-01-03 00:00:00+00'"  # time_bucket's default origin (a Monday)
_SUMS = """
    count(*) AS scans,
    sum(CASE WHEN member_id IS NOT NULL AND direction = 'in' THEN 1 ELSE 0 END) AS member_ins,
    sum(CASE WHEN member_id IS NOT NULL AND direction = 'out' THEN 1 ELSE 0 END) AS member_outs,
    sum(CASE WHEN visitor_id IS NOT NULL AND direction = 'in' THEN 1 ELSE 0 END) AS visitor_ins,
    sum(CASE WHEN visitor_id IS NOT NULL AND direction = 'out' THEN 1 ELSE 0 END) AS visitor_outs
"""

# The TimescaleDB branch, also replayed by the optional PGlite smoke test.
TIMESCALE_UP = [
    f"""
    CREATE MATERIALIZED VIEW checkin_hourly
    WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT time_bucket(INTERVAL '1 hour', at) AS bucket, {_SUMS}
    FROM checkins GROUP BY 1 WITH NO DATA
    """,
    """
    SELECT add_continuous_aggregate_policy('checkin_hourly',
        start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 hour',
        schedule_interval => INTERVAL '30 minutes')
    """,
    """
    ALTER TABLE checkins SET (timescaledb.compress,
        timescaledb.compress_segmentby = 'member_id', timescaledb.compress_orderby = 'at DESC')
    """,
    "SELECT add_compression_policy('checkins', INTERVAL '30 days')",
    """
    CREATE FUNCTION refresh_checkin_aggregates() RETURNS text LANGUAGE sql AS
    $$ SELECT 'timescaledb policies refresh checkin_hourly'::text $$
    """,
]
TIMESCALE_DOWN = [
    "DROP FUNCTION IF EXISTS refresh_checkin_aggregates()",
    "SELECT remove_compression_policy('checkins', if_exists => true)",
    "SELECT decompress_chunk(c, true) FROM show_chunks('checkins') c",
    "ALTER TABLE checkins SET (timescaledb.compress = false)",
    "DROP MATERIALIZED VIEW IF EXISTS checkin_hourly",
]
PLAIN_UP = [
    f"""
    CREATE MATERIALIZED VIEW checkin_hourly_mat AS
    SELECT date_bin(INTERVAL '1 hour', at, {_ORIGIN}) AS bucket, {_SUMS}
    FROM checkins
    WHERE at < date_bin(INTERVAL '1 hour', now(), {_ORIGIN})
    GROUP BY 1
    """,
    "CREATE UNIQUE INDEX uq_checkin_hourly_mat_bucket ON checkin_hourly_mat (bucket)",
    f"""
    CREATE VIEW checkin_hourly AS
    SELECT bucket, scans, member_ins, member_outs, visitor_ins, visitor_outs
    FROM checkin_hourly_mat
    UNION ALL
    SELECT date_bin(INTERVAL '1 hour', at, {_ORIGIN}) AS bucket, {_SUMS}
    FROM checkins
    WHERE at >= (SELECT coalesce(max(bucket) + INTERVAL '1 hour', '-infinity')
                 FROM checkin_hourly_mat)
    GROUP BY 1
    """,
    """
    CREATE FUNCTION refresh_checkin_aggregates() RETURNS text LANGUAGE plpgsql AS $$
    BEGIN
        REFRESH MATERIALIZED VIEW CONCURRENTLY checkin_hourly_mat;
        RETURN 'refreshed checkin_hourly_mat';
    END $$
    """,
]
PLAIN_DOWN = [
    "DROP FUNCTION IF EXISTS refresh_checkin_aggregates()",
    "DROP VIEW IF EXISTS checkin_hourly",
    "DROP MATERIALIZED VIEW IF EXISTS checkin_hourly_mat",
]


def _timescale() -> bool:
    """True when revision 0001 took the TimescaleDB path and the extension is installed."""
    bind = op.get_bind()
    recorded = bind.execute(
        sa.text("SELECT enabled FROM schema_features WHERE name = 'timescaledb'")
    ).scalar()
    installed = bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
    ).scalar()
    return bool(recorded and installed)


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.add_column("members", sa.Column("joined_on", sa.Date(), nullable=True))
    _tables()
    timescale = _timescale()
    for statement in TIMESCALE_UP if timescale else PLAIN_UP:
        op.execute(statement)
    detail = (
        "checkin_hourly is a real-time continuous aggregate; checkins compress after 30 days"
        if timescale
        else "checkin_hourly = materialized view checkin_hourly_mat + raw tail (date_bin)"
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO schema_features (name, enabled, detail)"
            " VALUES ('checkin_aggregates', :on, :d)"
        ),
        {"on": timescale, "d": detail},
    )


def _tables() -> None:
    op.create_table(
        "training_years",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column(
            "holiday_exclusions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "day_exceptions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("is_current", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.CheckConstraint("start_on <= end_on", name=op.f("ck_training_years_dates_ordered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_years")),
        sa.UniqueConstraint("name", name=op.f("uq_training_years_name")),
    )
    op.create_index(
        "uq_training_years_current",
        "training_years",
        ["is_current"],
        unique=True,
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "stat_holidays",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("holiday_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("province", sa.String(length=10), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_holidays")),
        sa.UniqueConstraint("holiday_on", name=op.f("uq_stat_holidays_holiday_on")),
    )
    op.create_table(
        "report_settings",
        sa.Column("key", sa.String(length=30), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_by", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_settings")),
    )
    op.create_table(
        "report_audit_log",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("report_type", sa.String(length=50), nullable=False),
        sa.Column("output_format", sa.String(length=10), nullable=False),
        sa.Column(
            "parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("actor_type", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_audit_log")),
    )
    op.create_index("ix_report_audit_log_created_at", "report_audit_log", ["created_at"])
    op.create_table(
        "bmq_courses",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("training_start", sa.Time(), nullable=False),
        sa.Column("training_end", sa.Time(), nullable=False),
        sa.Column("training_days", postgresql.ARRAY(sa.String(length=10)), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.CheckConstraint("start_on < end_on", name=op.f("ck_bmq_courses_dates_ordered")),
        sa.CheckConstraint(
            "training_start < training_end", name=op.f("ck_bmq_courses_times_ordered")
        ),
        sa.CheckConstraint("cardinality(training_days) >= 1", name=op.f("ck_bmq_courses_has_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bmq_courses")),
    )
    op.create_table(
        "bmq_enrollments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("course_id", sa.UUID(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="enrolled", nullable=False),
        sa.CheckConstraint(
            "status IN ('enrolled','completed','withdrawn')", name=op.f("ck_bmq_enrollments_status")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["bmq_courses.id"],
            name=op.f("fk_bmq_enrollments_course_id_bmq_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_bmq_enrollments_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bmq_enrollments")),
        sa.UniqueConstraint("member_id", "course_id", name="uq_bmq_enrollments_member_course"),
    )
    op.create_index("ix_bmq_enrollments_course_id", "bmq_enrollments", ["course_id"])


def downgrade() -> None:
    timescale = _timescale()
    for statement in TIMESCALE_DOWN if timescale else PLAIN_DOWN:
        op.execute(statement)
    op.execute("DELETE FROM schema_features WHERE name = 'checkin_aggregates'")
    op.drop_index("ix_bmq_enrollments_course_id", table_name="bmq_enrollments")
    op.drop_table("bmq_enrollments")
    op.drop_table("bmq_courses")
    op.drop_index("ix_report_audit_log_created_at", table_name="report_audit_log")
    op.drop_table("report_audit_log")
    op.drop_table("report_settings")
    op.drop_table("stat_holidays")
    op.drop_index(
        "uq_training_years_current",
        table_name="training_years",
        postgresql_where=sa.text("is_current"),
    )
    op.drop_table("training_years")
    op.drop_column("members", "joined_on")
