"""A conflict signal for the ingest's optimistic batch write (issue 4, hot path).

The ingest decides a batch from a read taken outside any transaction and writes it in one
statement that first re-reads (and locks) the members' state rows it decided from. If one
changed meanwhile the statement must fail as a whole so the batch is decided again; plain SQL
cannot raise, so this function does, with SQLSTATE 40001 (serialization_failure: retry).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION sentinel_conflict(what text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION 'concurrent change: %', what USING ERRCODE = 'serialization_failure';
        END $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS sentinel_conflict(text)")
