"""A row the ingest updates with a durable commit, to flush its fast commits (issue 4).

The ingest commits its optimistic batch writes with `synchronous_commit = off`: the commit is
visible at once and the readers are answered at once, but it reaches the disk a moment later.
It acknowledges a batch to the broker only after a commit of its own on this row, made with
`synchronous_commit = on`, has returned: that commit's flush writes out every commit before it,
so a scan the broker forgot is always on disk (a database crash loses only unacknowledged
scans, which the broker delivers again). One such commit serves every batch waiting for it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE wal_flushes (
            id boolean PRIMARY KEY DEFAULT true,
            flushes bigint NOT NULL DEFAULT 0,
            CONSTRAINT ck_wal_flushes_one_row CHECK (id)
        )
        """
    )
    op.execute("INSERT INTO wal_flushes (id, flushes) VALUES (true, 0)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS wal_flushes")
