"""The outbox's wake-up for the relay as a row trigger with a WHEN condition (issue 4, hot path).

Revision 0008 made the notification conditional: a statement trigger reads the inserted rows (a
transition table) and notifies only when one is due at once. Every batch the ingest writes
still paid for it: PostgreSQL keeps the statement's rows in a tuplestore for the trigger and
runs a PL/pgSQL function and its query, about a twentieth of the server's work for a one-scan
batch (deploy/README.md §8.4), to learn that the ingest's own rows (due only after a grace
period) need no wake-up.

Now a row trigger fires only `WHEN (NEW.relay_after <= now())`: the condition is evaluated by
the executor itself, so the ingest's rows call no function at all, and no transition table is
kept. A row of the API or the jobs, due at once, still notifies; several in one transaction
give one notification, as PostgreSQL folds identical notifications of a transaction into one.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION sentinel_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('sentinel_outbox', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH ROW"
        " WHEN (NEW.relay_after <= now()) EXECUTE FUNCTION sentinel_outbox_notify()"
    )


def downgrade() -> None:
    # Revision 0008's statement trigger, as it was.
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION sentinel_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM inserted WHERE relay_after <= now()) THEN
                PERFORM pg_notify('sentinel_outbox', '');
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox REFERENCING NEW TABLE AS inserted"
        " FOR EACH STATEMENT EXECUTE FUNCTION sentinel_outbox_notify()"
    )
