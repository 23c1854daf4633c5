"""A version number for what a scan decision reads besides member states (issue 4, hot path).

A single ingest worker keeps what its reads said about badges, members, readers and the
building (`ingest/stages/mirror.py`) and decides most batches without reading them again. Its
write then has to fail if any of that changed meanwhile. Member states are checked row by row
(revision 0009); everything else is covered by this one number, which every committed change
to those tables raises once.

It is raised by deferred constraint triggers, at commit: a transaction takes the row's lock
as its very last step, after every other lock it needs, so two transactions that also lock
other rows cannot deadlock on it (raised by each statement, it was taken mid-transaction and
did). It is raised in the changing transaction, so a reader sees the new number only together
with the change it stands for (a sequence would not do: `nextval` is visible before the
commit). Only changed rows raise it; a TRUNCATE (no row triggers) raises it at once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose rows a scan decision reads (badge lookup, the building's cycle and DDS).
WATCHED = ("badges", "members", "divisions", "visitors", "lockup_cycles", "dds_assignments")


_RAISE = """
    CREATE OR REPLACE FUNCTION sentinel_scan_inputs_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Once per transaction: an import of thousands of rows would otherwise leave as many
        -- versions of the one row for every read to walk through until a vacuum. The flag holds
        -- the transaction's id (a value preset for a role or session cannot match it) and is
        -- undone with a rolled-back savepoint, like the deferred events it stands for.
        IF current_setting('sentinel.scan_inputs_raised', true)
                IS DISTINCT FROM pg_current_xact_id()::text THEN
            UPDATE public.scan_inputs SET version = version + 1;
            PERFORM set_config('sentinel.scan_inputs_raised', pg_current_xact_id()::text, true);
        END IF;
        RETURN NULL;
    END $$
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE scan_inputs (
            id boolean PRIMARY KEY DEFAULT true,
            version bigint NOT NULL DEFAULT 0,
            CONSTRAINT ck_scan_inputs_one_row CHECK (id)
        )
        """
    )
    op.execute("INSERT INTO scan_inputs (id, version) VALUES (true, 0)")
    op.execute(_RAISE)
    for table in WATCHED:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER scan_inputs_changed AFTER INSERT OR UPDATE OR DELETE"
            f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            f" EXECUTE FUNCTION sentinel_scan_inputs_changed()"
        )
        op.execute(
            f"CREATE TRIGGER scan_inputs_truncated AFTER TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION sentinel_scan_inputs_changed()"
        )
    # Readers: only a status change counts (their last-seen marks change all the time).
    op.execute(
        "CREATE CONSTRAINT TRIGGER scan_inputs_changed AFTER UPDATE OF status ON devices"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        " WHEN (OLD.status IS DISTINCT FROM NEW.status)"
        " EXECUTE FUNCTION sentinel_scan_inputs_changed()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER scan_inputs_removed AFTER DELETE ON devices"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        " EXECUTE FUNCTION sentinel_scan_inputs_changed()"
    )
    op.execute(
        "CREATE TRIGGER scan_inputs_truncated AFTER TRUNCATE ON devices"
        " FOR EACH STATEMENT EXECUTE FUNCTION sentinel_scan_inputs_changed()"
    )


def downgrade() -> None:
    for table in (*WATCHED, "devices"):
        op.execute(f"DROP TRIGGER IF EXISTS scan_inputs_truncated ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS scan_inputs_changed ON {table}")
    op.execute("DROP TRIGGER IF EXISTS scan_inputs_removed ON devices")
    op.execute("DROP FUNCTION IF EXISTS sentinel_scan_inputs_changed()")
    op.execute("DROP TABLE IF EXISTS scan_inputs")
