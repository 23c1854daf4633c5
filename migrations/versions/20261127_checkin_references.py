"""Check-ins' references checked once per statement instead of once per row (issue 4, hot path).

A check-in points at a member or a visitor and at the badge tapped (domain §1: Restrict, a row
with history is never deleted). Foreign keys check that row by row: each inserted check-in runs
one query per key and takes a `FOR KEY SHARE` lock on the member's and the badge's rows, a heap
write and a WAL record each, which measured as about a third of PostgreSQL's work per scan in
the ingest's batch writes (deploy/README.md §8.4). On the plain-PostgreSQL path the three keys
become triggers that hold the same rule under concurrency:

* after each statement that inserts or updates check-ins, one query over the statement's new
  rows (a transition table) refuses any reference to a missing row, after taking the one
  `scan_inputs` row `FOR KEY SHARE` (held to the transaction's end; writers of check-ins do
  not wait on each other);
* before a member, badge or visitor is deleted (or its id changed), the row is locked
  `FOR UPDATE`, which waits for every check-in writer in flight and keeps new ones out until
  the deleting transaction ends; then the check-ins are looked for with a fresh snapshot, so
  the rows of a writer that committed meanwhile are seen. A TRUNCATE of those tables is refused
  while any check-in refers to them.

Either way round, the one that comes second sees what the first committed: the same guarantee
as the keys, and the same error (SQLSTATE 23503, the old constraint's name). On the TimescaleDB
path `checkins` is a hypertable, and only recent TimescaleDB releases allow transition tables
on hypertables, so the foreign keys stay there (recorded in `schema_features` as
`checkin_references`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column of checkins, referenced table, constraint name) as revision 0001 created them.
KEYS = (
    ("member_id", "members", "fk_checkins_member_id_members"),
    ("badge_id", "badges", "fk_checkins_badge_id_badges"),
    ("visitor_id", "visitors", "fk_checkins_visitor_id_visitors"),
)

_MISSING = " UNION ALL ".join(
    f"""
    SELECT '{column}', '{table}', '{name}', CAST(a.{column} AS text) FROM added a
    WHERE a.{column} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM public.{table} t WHERE t.id = a.{column})"""
    for column, table, name in KEYS
)

_ADDED = f"""
    CREATE OR REPLACE FUNCTION sentinel_checkins_refs_exist() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        bad record;
    BEGIN
        -- Waits for a delete in flight (it holds the row FOR UPDATE until it ends); the
        -- query below then takes a fresh snapshot, which sees that delete if it committed.
        PERFORM 1 FROM public.scan_inputs WHERE id FOR KEY SHARE;
        SELECT * INTO bad FROM ({_MISSING}
        ) AS missing(col, tbl, name, key) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'insert or update on table "checkins" violates foreign key constraint "%"',
                    bad.name
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = bad.name,
                      TABLE = 'checkins', COLUMN = bad.col,
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                                      bad.col, bad.key, bad.tbl);
        END IF;
        RETURN NULL;
    END $$
"""

_BRANCHES = "\n".join(
    f"""
        {"IF" if i == 0 else "ELSIF"} TG_TABLE_NAME = '{table}' THEN
            name := '{name}';
            used := EXISTS (SELECT 1 FROM public.checkins WHERE {column} = OLD.id);"""
    for i, (column, table, name) in enumerate(KEYS)
)

_REMOVED = f"""
    CREATE OR REPLACE FUNCTION sentinel_checkins_refs_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        name text;
        used boolean;
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
            RETURN NEW;
        END IF;
        -- Waits for every check-in writer in flight and keeps new ones out until this
        -- transaction ends; the query below then sees what they committed.
        PERFORM 1 FROM public.scan_inputs WHERE id FOR UPDATE;
        {_BRANCHES}
        END IF;
        IF used THEN
            RAISE EXCEPTION
                'update or delete on table "%" violates foreign key constraint "%" on table "checkins"',
                TG_TABLE_NAME, name
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = name, TABLE = TG_TABLE_NAME,
                      DETAIL = format('Key (id)=(%s) is still referenced from table "checkins".',
                                      OLD.id);
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$
"""

_COLUMN_OF_TABLE = " ".join(f"WHEN '{table}' THEN {column}" for column, table, _ in KEYS)

_TRUNCATED = f"""
    CREATE OR REPLACE FUNCTION sentinel_checkins_refs_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM public.scan_inputs WHERE id FOR UPDATE;
        IF EXISTS (SELECT 1 FROM public.checkins
                   WHERE CASE TG_TABLE_NAME {_COLUMN_OF_TABLE} END IS NOT NULL) THEN
            RAISE EXCEPTION 'cannot truncate table "%": check-ins refer to it', TG_TABLE_NAME
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
        END IF;
        RETURN NULL;
    END $$
"""


def _timescale() -> bool:
    """True when revision 0001 made `checkins` a hypertable (see the module's docstring)."""
    bind = op.get_bind()
    recorded = bind.execute(
        sa.text("SELECT enabled FROM schema_features WHERE name = 'timescaledb'")
    ).scalar()
    installed = bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
    ).scalar()
    return bool(recorded and installed)


def _record(triggers: bool) -> None:
    detail = (
        "statement triggers (revision 0013)"
        if triggers
        else "foreign keys (checkins is a hypertable)"
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO schema_features (name, enabled, detail)"
            " VALUES ('checkin_references', :on, :d)"
        ),
        {"on": triggers, "d": detail},
    )


def upgrade() -> None:
    if _timescale():
        _record(False)
        return
    for statement in (_ADDED, _REMOVED, _TRUNCATED):
        op.execute(statement)
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER checkins_refs_{event.lower()} AFTER {event} ON checkins"
            f" REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
            f" EXECUTE FUNCTION sentinel_checkins_refs_exist()"
        )
    for _column, table, name in KEYS:
        op.execute(
            f"CREATE TRIGGER checkins_refs_kept BEFORE DELETE OR UPDATE OF id ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION sentinel_checkins_refs_kept()"
        )
        op.execute(
            f"CREATE TRIGGER checkins_refs_truncated BEFORE TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION sentinel_checkins_refs_truncated()"
        )
        op.drop_constraint(name, "checkins", type_="foreignkey")
    _record(True)


def downgrade() -> None:
    triggers = (
        op.get_bind()
        .execute(sa.text("SELECT enabled FROM schema_features WHERE name = 'checkin_references'"))
        .scalar()
    )
    if triggers:
        for column, table, name in KEYS:
            op.create_foreign_key(name, "checkins", table, [column], ["id"])
            op.execute(f"DROP TRIGGER IF EXISTS checkins_refs_truncated ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS checkins_refs_kept ON {table}")
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS checkins_refs_{event} ON checkins")
        for function in ("exist", "kept", "truncated"):
            op.execute(f"DROP FUNCTION IF EXISTS sentinel_checkins_refs_{function}()")
    op.execute("DELETE FROM schema_features WHERE name = 'checkin_references'")
