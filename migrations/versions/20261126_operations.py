"""Building operations: lockup, DDS, duty watch, qualifications, job runs (issue 6).

Creates the lockup cycles/transfers/executions, the responsibility log, duty roles and
positions (seeded: DDS; DUTY_WATCH with SWK, DSWK, QM, BM, APS×2), weekly schedules and their
assignments, Duty Watch rules (seeded: Tuesday and Thursday 19:00 from the week of
2026-01-05), night overrides, live coverage, live DDS assignments and `job_runs`. Seeds the
qualification types DDS/SWK/APS/BM/QM/DSWK when revision 0003 did not.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUALIFICATIONS = (
    ("DDS", "Duty Day Staff", True, False),
    ("SWK", "Senior Watchkeeper", True, False),
    ("APS", "Access Point Sentry", False, True),
    ("BM", "Bos'n Mate", False, True),
    ("QM", "Quartermaster", False, True),
    ("DSWK", "Deputy Senior Watchkeeper", False, True),
)
POSITIONS = (
    ("SWK", "Senior Watchkeeper", 1),
    ("DSWK", "Deputy Senior Watchkeeper", 1),
    ("QM", "Quartermaster", 1),
    ("BM", "Bos'n Mate", 1),
    ("APS", "Access Point Sentry", 2),
)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _now(name: str) -> sa.Column[object]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _member_fk(table: str, column: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["members.id"],
        name=op.f(f"fk_{table}_{column}_members"),
        ondelete=ondelete,
    )


def _lockup() -> None:
    op.create_table(
        "lockup_cycles",
        _id(),
        sa.Column("operational_date", sa.Date(), nullable=False),
        sa.Column("building_status", sa.String(20), server_default="secured", nullable=False),
        sa.Column("holder_id", sa.UUID(), nullable=True),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.UUID(), nullable=True),
        sa.Column("secured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("secured_by", sa.UUID(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("closed_reason", sa.String(20), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint(
            "building_status IN ('secured','open','locking_up')",
            name=op.f("ck_lockup_cycles_building_status"),
        ),
        _member_fk("lockup_cycles", "holder_id"),
        _member_fk("lockup_cycles", "opened_by"),
        _member_fk("lockup_cycles", "secured_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockup_cycles")),
    )
    op.create_index(
        "uq_lockup_cycles_active",
        "lockup_cycles",
        ["is_active"],
        unique=True,
        postgresql_where=sa.text("is_active"),
    )
    op.create_index(
        "ix_lockup_cycles_operational_date", "lockup_cycles", ["operational_date", "created_at"]
    )
    op.create_table(
        "lockup_transfers",
        _id(),
        sa.Column("cycle_id", sa.UUID(), nullable=False),
        sa.Column("from_member_id", sa.UUID(), nullable=True),
        sa.Column("to_member_id", sa.UUID(), nullable=False),
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("performed_by", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["lockup_cycles.id"],
            name=op.f("fk_lockup_transfers_cycle_id_lockup_cycles"),
            ondelete="CASCADE",
        ),
        _member_fk("lockup_transfers", "from_member_id"),
        _member_fk("lockup_transfers", "to_member_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockup_transfers")),
    )
    op.create_index("ix_lockup_transfers_transferred_at", "lockup_transfers", ["transferred_at"])
    op.create_table(
        "lockup_executions",
        _id(),
        sa.Column("cycle_id", sa.UUID(), nullable=False),
        sa.Column("executed_by", sa.UUID(), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "members_checked_out",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "visitors_checked_out",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("total_checked_out", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["lockup_cycles.id"],
            name=op.f("fk_lockup_executions_cycle_id_lockup_cycles"),
            ondelete="CASCADE",
        ),
        _member_fk("lockup_executions", "executed_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockup_executions")),
        sa.UniqueConstraint("cycle_id", name=op.f("uq_lockup_executions_cycle_id")),
    )
    op.create_index("ix_lockup_executions_executed_at", "lockup_executions", ["executed_at"])
    op.create_table(
        "responsibility_audit_log",
        _id(),
        sa.Column("member_id", sa.UUID(), nullable=True),
        sa.Column("tag_name", sa.String(10), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_member_id", sa.UUID(), nullable=True),
        sa.Column("to_member_id", sa.UUID(), nullable=True),
        sa.Column("performed_by", sa.UUID(), nullable=True),
        sa.Column("performed_by_type", sa.String(10), server_default="system", nullable=False),
        sa.Column("operational_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "tag_name IN ('DDS','Lockup')", name=op.f("ck_responsibility_audit_log_tag_name")
        ),
        _member_fk("responsibility_audit_log", "member_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility_audit_log")),
    )
    op.create_index(
        "ix_responsibility_audit_log_tag_at", "responsibility_audit_log", ["tag_name", "at"]
    )
    op.create_index(
        "ix_responsibility_audit_log_operational_date",
        "responsibility_audit_log",
        ["operational_date"],
    )


def _roles() -> None:
    op.create_table(
        "duty_roles",
        _id(),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("role_type", sa.String(10), nullable=False),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("role_type IN ('single','team')", name=op.f("ck_duty_roles_role_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_roles")),
        sa.UniqueConstraint("code", name=op.f("uq_duty_roles_code")),
    )
    op.create_table(
        "duty_positions",
        _id(),
        sa.Column("duty_role_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("max_slots", sa.Integer(), server_default="1", nullable=False),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["duty_role_id"],
            ["duty_roles.id"],
            name=op.f("fk_duty_positions_duty_role_id_duty_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_positions")),
        sa.UniqueConstraint("duty_role_id", "code", name=op.f("uq_duty_positions_duty_role_id")),
    )
    op.create_table(
        "duty_watch_rules",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("effective_start_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("recurrence", sa.String(30), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("interval_weeks", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ordinal", sa.String(10), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _now("created_at"),
        sa.CheckConstraint(
            "recurrence IN ('weekly','monthly_nth_weekday')",
            name=op.f("ck_duty_watch_rules_recurrence"),
        ),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name=op.f("ck_duty_watch_rules_weekday")),
        sa.CheckConstraint(
            "interval_weeks BETWEEN 1 AND 52", name=op.f("ck_duty_watch_rules_interval_weeks")
        ),
        sa.CheckConstraint(
            "ordinal IS NULL OR ordinal IN ('first','second','third','fourth','last')",
            name=op.f("ck_duty_watch_rules_ordinal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_watch_rules")),
    )


def _schedules() -> None:
    op.create_table(
        "weekly_schedules",
        _id(),
        sa.Column("duty_role_id", sa.UUID(), nullable=False),
        sa.Column("week_start_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), server_default="draft", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("published_by", sa.UUID(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint(
            "status IN ('draft','published')", name=op.f("ck_weekly_schedules_status")
        ),
        sa.CheckConstraint(
            "extract(isodow FROM week_start_date) = 1", name=op.f("ck_weekly_schedules_monday")
        ),
        sa.ForeignKeyConstraint(
            ["duty_role_id"],
            ["duty_roles.id"],
            name=op.f("fk_weekly_schedules_duty_role_id_duty_roles"),
        ),
        _member_fk("weekly_schedules", "created_by", "SET NULL"),
        _member_fk("weekly_schedules", "published_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_schedules")),
        sa.UniqueConstraint(
            "duty_role_id", "week_start_date", name=op.f("uq_weekly_schedules_duty_role_id")
        ),
    )
    op.create_table(
        "schedule_assignments",
        _id(),
        sa.Column("schedule_id", sa.UUID(), nullable=False),
        sa.Column("duty_position_id", sa.UUID(), nullable=True),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(20), server_default="assigned", nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        _now("created_at"),
        sa.CheckConstraint(
            "status IN ('assigned','confirmed','released')",
            name=op.f("ck_schedule_assignments_status"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["weekly_schedules.id"],
            name=op.f("fk_schedule_assignments_schedule_id_weekly_schedules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["duty_position_id"],
            ["duty_positions.id"],
            name=op.f("fk_schedule_assignments_duty_position_id_duty_positions"),
        ),
        _member_fk("schedule_assignments", "member_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_assignments")),
        sa.UniqueConstraint(
            "schedule_id", "member_id", name=op.f("uq_schedule_assignments_schedule_id")
        ),
    )
    op.create_table(
        "dw_night_overrides",
        _id(),
        sa.Column("schedule_id", sa.UUID(), nullable=False),
        sa.Column("night_date", sa.Date(), nullable=False),
        sa.Column("duty_position_id", sa.UUID(), nullable=False),
        sa.Column("override_type", sa.String(10), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=True),
        sa.Column("base_member_id", sa.UUID(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        _now("created_at"),
        sa.CheckConstraint(
            "override_type IN ('replace','add','remove')",
            name=op.f("ck_dw_night_overrides_override_type"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["weekly_schedules.id"],
            name=op.f("fk_dw_night_overrides_schedule_id_weekly_schedules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["duty_position_id"],
            ["duty_positions.id"],
            name=op.f("fk_dw_night_overrides_duty_position_id_duty_positions"),
        ),
        _member_fk("dw_night_overrides", "member_id", "CASCADE"),
        _member_fk("dw_night_overrides", "base_member_id", "CASCADE"),
        _member_fk("dw_night_overrides", "created_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dw_night_overrides")),
        sa.UniqueConstraint(
            "schedule_id",
            "night_date",
            "duty_position_id",
            "base_member_id",
            name=op.f("uq_dw_night_overrides_schedule_id"),
        ),
    )


def _live() -> None:
    op.create_table(
        "live_duty_assignments",
        _id(),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("duty_position_id", sa.UUID(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(30), nullable=True),
        sa.Column("assigned_by", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["duty_position_id"],
            ["duty_positions.id"],
            name=op.f("fk_live_duty_assignments_duty_position_id_duty_positions"),
        ),
        _member_fk("live_duty_assignments", "member_id", "CASCADE"),
        _member_fk("live_duty_assignments", "assigned_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_duty_assignments")),
    )
    op.create_index(
        "ix_live_duty_assignments_active",
        "live_duty_assignments",
        ["duty_position_id"],
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "dds_assignments",
        _id(),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("operational_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transferred_to", sa.UUID(), nullable=True),
        sa.Column("assigned_by", sa.UUID(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        _now("created_at"),
        sa.CheckConstraint(
            "status IN ('pending','active','released','transferred')",
            name=op.f("ck_dds_assignments_status"),
        ),
        _member_fk("dds_assignments", "member_id"),
        _member_fk("dds_assignments", "transferred_to"),
        _member_fk("dds_assignments", "assigned_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dds_assignments")),
    )
    op.create_index(
        "ix_dds_assignments_date_status", "dds_assignments", ["operational_date", "status"]
    )
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(50), nullable=False),
        sa.Column("operational_date", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.PrimaryKeyConstraint("job", "operational_date", name=op.f("pk_job_runs")),
    )


def _seed() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO duty_roles (code, name, description, role_type, display_order) VALUES"
            " ('DDS', 'Duty Day Staff', 'Daily operations, one person per week', 'single', 1),"
            " ('DUTY_WATCH', 'Duty Watch', 'Evening team on Duty Watch nights', 'team', 2)"
        )
    )
    for order, (code, name, slots) in enumerate(POSITIONS, start=1):
        bind.execute(
            sa.text(
                "INSERT INTO duty_positions (duty_role_id, code, name, max_slots, display_order)"
                " SELECT id, :code, :name, :slots, :order FROM duty_roles WHERE code = 'DUTY_WATCH'"
            ),
            {"code": code, "name": name, "slots": slots, "order": order},
        )
    for weekday, name in ((2, "Tuesday Duty Watch"), (4, "Thursday Duty Watch")):
        bind.execute(
            sa.text(
                "INSERT INTO duty_watch_rules (name, effective_start_date, start_time, end_time,"
                " recurrence, weekday, interval_weeks)"
                " VALUES (:name, DATE '2026-01-05', TIME '19:00', TIME '19:00', 'weekly', :wd, 1)"
            ),
            {"name": name, "wd": weekday},
        )
    # Revision 0003 seeds these too; ON CONFLICT keeps whichever ran first.
    for order, (code, name, lockup, automatic) in enumerate(QUALIFICATIONS):
        bind.execute(
            sa.text(
                "INSERT INTO qualification_types (code, name, can_receive_lockup, is_automatic,"
                " display_order) VALUES (:code, :name, :lockup, :auto, :order)"
                " ON CONFLICT (code) DO NOTHING"
            ),
            {"code": code, "name": name, "lockup": lockup, "auto": automatic, "order": order},
        )


def upgrade() -> None:
    _lockup()
    _roles()
    _schedules()
    _live()
    _seed()


def downgrade() -> None:
    # The qualification types seeded here may equally come from 0003, so they stay.
    op.drop_table("job_runs")
    op.drop_index("ix_dds_assignments_date_status", table_name="dds_assignments")
    op.drop_table("dds_assignments")
    op.drop_index(
        "ix_live_duty_assignments_active",
        table_name="live_duty_assignments",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_table("live_duty_assignments")
    op.drop_table("dw_night_overrides")
    op.drop_table("schedule_assignments")
    op.drop_table("weekly_schedules")
    op.drop_table("duty_watch_rules")
    op.drop_table("duty_positions")
    op.drop_table("duty_roles")
    op.drop_index(
        "ix_responsibility_audit_log_operational_date", table_name="responsibility_audit_log"
    )
    op.drop_index("ix_responsibility_audit_log_tag_at", table_name="responsibility_audit_log")
    op.drop_table("responsibility_audit_log")
    op.drop_index("ix_lockup_executions_executed_at", table_name="lockup_executions")
    op.drop_table("lockup_executions")
    op.drop_index("ix_lockup_transfers_transferred_at", table_name="lockup_transfers")
    op.drop_table("lockup_transfers")
    op.drop_index("ix_lockup_cycles_operational_date", table_name="lockup_cycles")
    op.drop_index(
        "uq_lockup_cycles_active", table_name="lockup_cycles", postgresql_where=sa.text("is_active")
    )
    op.drop_table("lockup_cycles")
