"""Core schema: people, badges, devices, check-ins, state, alerts, audit, ingest bookkeeping.

The check-ins table becomes a TimescaleDB hypertable when the extension is available and
stays a plain table with a BRIN index on `at` otherwise; the path taken is recorded in
`schema_features` (name `timescaledb`).

Revision ID: 0001
Revises:
Create Date: 2026-11-26 01:14:10.141259
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column("actor_type", sa.String(length=20), server_default="system", nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("correlation_id", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id"], unique=False)
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("payload_size", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("device_id", sa.String(length=40), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index("ix_dead_letters_received_at", "dead_letters", ["received_at"], unique=False)
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("online", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fw", sa.String(length=40), nullable=True),
        sa.Column("boot_id", sa.String(length=16), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("rssi", sa.Integer(), nullable=True),
        sa.Column("heap_free", sa.Integer(), nullable=True),
        sa.Column("outbox_depth", sa.Integer(), nullable=True),
        sa.Column("outbox_dropped", sa.Integer(), nullable=True),
        sa.Column("reader_ok", sa.Boolean(), nullable=True),
        sa.Column("reader_resets", sa.Integer(), nullable=True),
        sa.Column("time_synced", sa.Boolean(), nullable=True),
        sa.Column("mqtt_reconnects", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    op.create_table(
        "divisions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_divisions")),
        sa.UniqueConstraint("code", name=op.f("uq_divisions_code")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("qos", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retain", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("correlation_id", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("device_id", sa.String(length=40), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("display", sa.String(length=200), nullable=True),
        sa.Column("member_id", sa.UUID(), nullable=True),
        sa.Column("checkin_id", sa.UUID(), nullable=True),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clock_suspect", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "ranks",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("branch", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("replaced_by_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"], ["ranks.id"], name=op.f("fk_ranks_replaced_by_id_ranks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranks")),
        sa.UniqueConstraint("code", name=op.f("uq_ranks_code")),
    )
    op.create_table(
        "schema_features",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_schema_features")),
    )
    op.create_table(
        "security_alerts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("alert_type", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=100), server_default="", nullable=False),
        sa.Column("badge_serial", sa.String(length=100), nullable=True),
        sa.Column("member_id", sa.UUID(), nullable=True),
        sa.Column("source", sa.String(length=50), server_default="SYSTEM", nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("acknowledged_by", sa.UUID(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledge_note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_alerts")),
    )
    op.create_index(
        "ix_security_alerts_status_created",
        "security_alerts",
        ["status", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_security_alerts_type_subject_created",
        "security_alerts",
        ["alert_type", "subject", "created_at"],
        unique=False,
    )
    op.create_table(
        "members",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("service_number", sa.String(length=20), nullable=False),
        sa.Column("rank_id", sa.UUID(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("initials", sa.String(length=10), server_default="", nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("division_id", sa.UUID(), nullable=True),
        sa.Column("member_type", sa.String(length=20), server_default="class_a", nullable=False),
        sa.Column(
            "member_source", sa.String(length=30), server_default="nominal_roll", nullable=False
        ),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("account_level", sa.Integer(), server_default="1", nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=True),
        sa.Column("must_change_pin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("missed_checkout_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_missed_checkout", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "account_level BETWEEN 1 AND 10", name=op.f("ck_members_account_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["division_id"], ["divisions.id"], name=op.f("fk_members_division_id_divisions")
        ),
        sa.ForeignKeyConstraint(["rank_id"], ["ranks.id"], name=op.f("fk_members_rank_id_ranks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("service_number", name=op.f("uq_members_service_number")),
    )
    op.create_index(
        "ix_members_division_status", "members", ["division_id", "status"], unique=False
    )
    op.create_table(
        "badges",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("serial_number", sa.String(length=100), nullable=False),
        sa.Column(
            "assignment_type", sa.String(length=20), server_default="unassigned", nullable=False
        ),
        sa.Column("member_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "assignment_type IN ('member','visitor','event','unassigned')",
            name=op.f("ck_badges_assignment_type"),
        ),
        sa.CheckConstraint(
            "status IN ('active','inactive','lost','damaged','decommissioned')",
            name=op.f("ck_badges_status"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_badges_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badges")),
        sa.UniqueConstraint("member_id", name=op.f("uq_badges_member_id")),
        sa.UniqueConstraint("serial_number", name=op.f("uq_badges_serial_number")),
    )
    op.create_table(
        "member_states",
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkin_id", sa.UUID(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_states_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_states")),
    )
    op.create_table(
        "visitors",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("rank_prefix", sa.String(length=50), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("visit_type", sa.String(length=50), server_default="guest", nullable=False),
        sa.Column("visit_reason", sa.Text(), nullable=True),
        sa.Column("host_member_id", sa.UUID(), nullable=True),
        sa.Column("temporary_badge_id", sa.UUID(), nullable=True),
        sa.Column(
            "check_in_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("check_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=50), server_default="ADMIN_MANUAL", nullable=False),
        sa.ForeignKeyConstraint(
            ["host_member_id"], ["members.id"], name=op.f("fk_visitors_host_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["temporary_badge_id"],
            ["badges.id"],
            name=op.f("fk_visitors_temporary_badge_id_badges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitors")),
    )
    op.create_index(
        "ix_visitors_present",
        "visitors",
        ["check_out_at"],
        unique=False,
        postgresql_where=sa.text("check_out_at IS NULL"),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=True),
        sa.Column("visitor_id", sa.UUID(), nullable=True),
        sa.Column("badge_id", sa.UUID(), nullable=True),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("method", sa.String(length=20), server_default="badge", nullable=False),
        sa.Column("device_id", sa.String(length=40), nullable=True),
        sa.Column("event_id", sa.String(length=100), nullable=True),
        sa.Column("clock_suspect", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("replayed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["badge_id"], ["badges.id"], name=op.f("fk_checkins_badge_id_badges")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_checkins_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"], ["visitors.id"], name=op.f("fk_checkins_visitor_id_visitors")
        ),
        sa.PrimaryKeyConstraint("id", "at", name=op.f("pk_checkins")),
    )
    op.create_index(
        "ix_checkins_member_at",
        "checkins",
        ["member_id", sa.literal_column("at DESC")],
        unique=False,
    )
    op.create_index(
        "ix_checkins_source_at", "checkins", ["source", sa.literal_column("at DESC")], unique=False
    )
    _timeseries()


def _timeseries() -> None:
    """Make `checkins` a hypertable when TimescaleDB is available; else index it with BRIN."""
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    ).scalar()
    if available:
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        op.execute(
            "SELECT create_hypertable('checkins', by_range('at', INTERVAL '7 days'),"
            " migrate_data => true)"
        )
        detail = "checkins is a hypertable (7-day chunks)"
    else:
        op.execute("CREATE INDEX ix_checkins_at_brin ON checkins USING brin (at)")
        detail = "extension not available: plain table with BRIN(at)"
    bind.execute(
        sa.text(
            "INSERT INTO schema_features (name, enabled, detail) VALUES ('timescaledb', :on, :d)"
        ),
        {"on": bool(available), "d": detail},
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_checkins_at_brin")
    op.drop_index("ix_checkins_source_at", table_name="checkins")
    op.drop_index("ix_checkins_member_at", table_name="checkins")
    op.drop_table("checkins")
    op.drop_index(
        "ix_visitors_present",
        table_name="visitors",
        postgresql_where=sa.text("check_out_at IS NULL"),
    )
    op.drop_table("visitors")
    op.drop_table("member_states")
    op.drop_table("badges")
    op.drop_index("ix_members_division_status", table_name="members")
    op.drop_table("members")
    op.drop_index("ix_security_alerts_type_subject_created", table_name="security_alerts")
    op.drop_index("ix_security_alerts_status_created", table_name="security_alerts")
    op.drop_table("security_alerts")
    op.drop_table("schema_features")
    op.drop_table("ranks")
    op.drop_table("processed_events")
    op.drop_index(
        "ix_outbox_unpublished",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.drop_table("outbox")
    op.drop_table("divisions")
    op.drop_table("devices")
    op.drop_index("ix_dead_letters_received_at", table_name="dead_letters")
    op.drop_table("dead_letters")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
