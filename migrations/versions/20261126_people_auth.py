"""People, badges, auth and sessions, visitors, settings (admin API, issue 5).

Adds the option tables (member types/statuses, visit types, badge statuses) with their seeds,
tags and qualifications, sessions, API keys, login throttles, settings and missed check-outs,
and the member, visitor and badge columns the admin API needs. `members.status`,
`members.member_type` and `visitors.visit_type` become foreign keys to the option codes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPTION_TABLES = ("member_types", "member_statuses", "visit_types", "badge_statuses")

MEMBER_TYPES = (
    ("class_a", "Class A", "Part-time reserve"),
    ("class_b", "Class B", "Full-time, 13 or more consecutive days"),
    ("class_c", "Class C", None),
    ("reg_force", "Reg Force", None),
    ("civilian_staff", "Civilian Staff", "Museum staff, manual records"),
)
MEMBER_STATUSES = (
    ("active", "Active", "dot", "success", False),
    ("deployed", "Deployed", "solid", "default", True),
    ("inactive", "Inactive", "solid", "default", False),
    ("archived", "Archived", "solid", "default", True),
    ("suspended", "Suspended", "solid", "warning", False),
    ("leave", "On leave", "solid", "default", False),
)
VISIT_TYPES = ("contractor", "guest", "military", "recruitment", "official", "other")
BADGE_STATUSES = ("active", "damaged", "inactive", "lost", "decommissioned")
TAGS = ("DDS", "SWK", "CMD", "VIP", "FTS", "APS", "BM", "QM", "DSWK")
POSITIONAL_TAGS = (
    "Commanding Officer",
    "Executive Officer",
    "COXN",
    "Training Officer",
    "Facility Manager",
    "RPO",
    "Stores Mgr",
)
# code, name, can_receive_lockup, is_automatic (domain.md §1.9)
QUALIFICATIONS = (
    ("DDS", "Duty Day Staff", True, False),
    ("SWK", "Senior Watchkeeper", True, False),
    ("APS", "Alongside Patrol Sentry", False, True),
    ("BM", "Boatswain's Mate", False, True),
    ("QM", "Quartermaster", False, True),
    ("DSWK", "Deputy Senior Watchkeeper", False, True),
)


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _updated_at() -> sa.Column[object]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _option_table(name: str, *extra: sa.Column[object]) -> None:
    op.create_table(
        name,
        _id(),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("chip_variant", sa.String(length=20), server_default="solid", nullable=False),
        sa.Column("chip_color", sa.String(length=20), server_default="default", nullable=False),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_system", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _created_at(),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("code", name=op.f(f"uq_{name}_code")),
    )


def _options() -> None:
    _option_table("member_types")
    _option_table(
        "member_statuses",
        sa.Column("is_hidden", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    _option_table("visit_types")
    _option_table("badge_statuses")
    option = sa.table(
        "member_types",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("display_order", sa.Integer),
        sa.column("is_system", sa.Boolean),
    )
    op.bulk_insert(
        option,
        [
            {"code": c, "name": n, "description": d, "display_order": i, "is_system": True}
            for i, (c, n, d) in enumerate(MEMBER_TYPES)
        ],
    )
    statuses = sa.table(
        "member_statuses",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("chip_variant", sa.String),
        sa.column("chip_color", sa.String),
        sa.column("is_hidden", sa.Boolean),
        sa.column("display_order", sa.Integer),
        sa.column("is_system", sa.Boolean),
    )
    op.bulk_insert(
        statuses,
        [
            {
                "code": c,
                "name": n,
                "chip_variant": v,
                "chip_color": col,
                "is_hidden": h,
                "display_order": i,
                "is_system": True,
            }
            for i, (c, n, v, col, h) in enumerate(MEMBER_STATUSES)
        ],
    )
    for table, codes in (("visit_types", VISIT_TYPES), ("badge_statuses", BADGE_STATUSES)):
        simple = sa.table(
            table,
            sa.column("code", sa.String),
            sa.column("name", sa.String),
            sa.column("display_order", sa.Integer),
            sa.column("is_system", sa.Boolean),
        )
        op.bulk_insert(
            simple,
            [
                {"code": c, "name": c.capitalize(), "display_order": i, "is_system": True}
                for i, c in enumerate(codes)
            ],
        )


def _qualifications() -> None:
    op.create_table(
        "tags",
        _id(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("chip_variant", sa.String(length=20), server_default="solid", nullable=False),
        sa.Column("chip_color", sa.String(length=20), server_default="default", nullable=False),
        sa.Column("is_positional", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _created_at(),
        _updated_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "member_tags",
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("tag_id", sa.UUID(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_tags_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_member_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("member_id", "tag_id", name=op.f("pk_member_tags")),
    )
    op.create_index("ix_member_tags_tag_id", "member_tags", ["tag_id"], unique=False)
    op.create_table(
        "qualification_types",
        _id(),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "can_receive_lockup", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("is_automatic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tag_id", sa.UUID(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_qualification_types_tag_id_tags"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_types")),
        sa.UniqueConstraint("code", name=op.f("uq_qualification_types_code")),
    )
    op.create_table(
        "member_qualifications",
        _id(),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("qualification_type_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("granted_by", sa.UUID(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.UUID(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active','expired','revoked')",
            name=op.f("ck_member_qualifications_status"),
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["members.id"],
            name=op.f("fk_member_qualifications_granted_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_qualifications_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["qualification_type_id"],
            ["qualification_types.id"],
            name="fk_member_qualifications_type",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"],
            ["members.id"],
            name=op.f("fk_member_qualifications_revoked_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_qualifications")),
        sa.UniqueConstraint(
            "member_id",
            "qualification_type_id",
            name=op.f("uq_member_qualifications_member_id"),
        ),
    )
    op.create_index(
        "ix_member_qualifications_type",
        "member_qualifications",
        ["qualification_type_id"],
        unique=False,
    )
    tags = sa.table(
        "tags",
        sa.column("name", sa.String),
        sa.column("display_order", sa.Integer),
        sa.column("is_positional", sa.Boolean),
    )
    op.bulk_insert(
        tags,
        [{"name": n, "display_order": i, "is_positional": False} for i, n in enumerate(TAGS)]
        + [
            {"name": n, "display_order": 100 + i, "is_positional": True}
            for i, n in enumerate(POSITIONAL_TAGS)
        ],
    )
    for order, (code, name, lockup, automatic) in enumerate(QUALIFICATIONS):
        op.execute(
            sa.text(
                "INSERT INTO qualification_types (code, name, can_receive_lockup, is_automatic,"
                " display_order, tag_id) VALUES (:code, :name, :lockup, :auto, :order,"
                " (SELECT id FROM tags WHERE name = :code))"
            ).bindparams(code=code, name=name, lockup=lockup, auto=automatic, order=order)
        )


def _auth() -> None:
    op.create_table(
        "member_sessions",
        _id(),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _created_at(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=30), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_sessions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_member_sessions_token_hash")),
    )
    op.create_index("ix_member_sessions_member_id", "member_sessions", ["member_id"])
    op.create_table(
        "api_keys",
        _id(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scopes",
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("created_by", sa.UUID(), nullable=True),
        _created_at(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["members.id"],
            name=op.f("fk_api_keys_created_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "auth_throttles",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "first_failed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "subject", name=op.f("pk_auth_throttles")),
    )


def _config_and_missed() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("category", sa.String(length=30), server_default="system", nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        _updated_at(),
        sa.Column("updated_by", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "missed_checkouts",
        _id(),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("missed_on", sa.Date(), nullable=False),
        sa.Column("original_checkin_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forced_checkout_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(length=30), nullable=False),
        sa.Column("resolved_by_member_id", sa.UUID(), nullable=True),
        sa.Column("lockup_execution_id", sa.UUID(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_missed_checkouts_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_checkouts")),
    )
    op.create_index("ix_missed_checkouts_member_id", "missed_checkouts", ["member_id"])


MEMBER_COLUMNS = (
    ("mobile_phone", 50),
    ("home_phone", 30),
    ("employee_number", 20),
    ("mess", 50),
    ("moc", 100),
    ("class_details", 100),
)
VISITOR_COLUMNS = (
    ("unit", 200),
    ("mobile_phone", 25),
    ("license_plate", 20),
    ("visit_purpose", 50),
    ("recruitment_step", 50),
)


def _existing_tables() -> None:
    for name, length in MEMBER_COLUMNS:
        op.add_column("members", sa.Column(name, sa.String(length=length), nullable=True))
    op.create_foreign_key(
        op.f("fk_members_member_type_member_types"),
        "members",
        "member_types",
        ["member_type"],
        ["code"],
    )
    op.create_foreign_key(
        op.f("fk_members_status_member_statuses"),
        "members",
        "member_statuses",
        ["status"],
        ["code"],
    )
    for name, length in VISITOR_COLUMNS:
        op.add_column("visitors", sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column("visitors", sa.Column("purpose_details", sa.Text(), nullable=True))
    op.add_column("visitors", sa.Column("admin_notes", sa.Text(), nullable=True))
    op.add_column(
        "visitors",
        sa.Column(
            "check_in_method", sa.String(length=30), server_default="admin_manual", nullable=False
        ),
    )
    op.add_column("visitors", sa.Column("created_by", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_visitors_created_by_members"),
        "visitors",
        "members",
        ["created_by"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_visitors_visit_type_visit_types"),
        "visitors",
        "visit_types",
        ["visit_type"],
        ["code"],
    )
    op.add_column("badges", _updated_at())


def upgrade() -> None:
    _options()
    _qualifications()
    _auth()
    _config_and_missed()
    _existing_tables()


def downgrade() -> None:
    op.drop_column("badges", "updated_at")
    op.drop_constraint(op.f("fk_visitors_visit_type_visit_types"), "visitors", type_="foreignkey")
    op.drop_constraint(op.f("fk_visitors_created_by_members"), "visitors", type_="foreignkey")
    for name in ("created_by", "check_in_method", "admin_notes", "purpose_details"):
        op.drop_column("visitors", name)
    for name, _ in VISITOR_COLUMNS:
        op.drop_column("visitors", name)
    op.drop_constraint(op.f("fk_members_status_member_statuses"), "members", type_="foreignkey")
    op.drop_constraint(op.f("fk_members_member_type_member_types"), "members", type_="foreignkey")
    for name, _ in MEMBER_COLUMNS:
        op.drop_column("members", name)
    op.drop_index("ix_missed_checkouts_member_id", table_name="missed_checkouts")
    op.drop_table("missed_checkouts")
    op.drop_table("settings")
    op.drop_table("auth_throttles")
    op.drop_table("api_keys")
    op.drop_index("ix_member_sessions_member_id", table_name="member_sessions")
    op.drop_table("member_sessions")
    op.drop_index("ix_member_qualifications_type", table_name="member_qualifications")
    op.drop_table("member_qualifications")
    op.drop_table("qualification_types")
    op.drop_index("ix_member_tags_tag_id", table_name="member_tags")
    op.drop_table("member_tags")
    op.drop_table("tags")
    for name in reversed(OPTION_TABLES):
        op.drop_table(name)
