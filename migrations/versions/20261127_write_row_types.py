"""Row types for the ingest's small batch writes: one array of rows per table (issue 4).

The batch write sends each table's rows to PostgreSQL as arrays. One array per column is the
cheaper per row; one array of composite rows per table is the cheaper per statement (16
arguments instead of 46 in the optimistic write): asyncpg encodes a composite field by field
through a slower path, but a one-scan write saves about a sixth of the worker's CPU. The ingest
used these types for batches of a few scans and column arrays above that; measured again
later, rows are the cheaper at every size and every batch uses them (`ingest.stages.scan_io`).
Stop the ingest before downgrading past this revision, and start it again after upgrading: its
connections keep statements prepared against these types.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column names and types as in the tables they are written to, in the write's order.
TYPES = {
    "sentinel_checkin_row": "id uuid, at timestamptz, member_id uuid, visitor_id uuid,"
    " badge_id uuid, direction text, source text, method text, device_id text, event_id text,"
    " clock_suspect boolean, replayed boolean",
    "sentinel_state_row": "member_id uuid, direction text, at timestamptz, checkin_id uuid",
    "sentinel_decision_row": "event_id text, device_id text, result text, reason text,"
    " display text, member_id uuid, checkin_id uuid, event_at timestamptz,"
    " received_at timestamptz, clock_suspect boolean",
    "sentinel_outbox_row": "topic text, payload bytea, qos integer, retain boolean,"
    " correlation_id text",
}


def upgrade() -> None:
    for name, columns in TYPES.items():
        op.execute(f"CREATE TYPE {name} AS ({columns})")


def downgrade() -> None:
    for name in TYPES:
        op.execute(f"DROP TYPE IF EXISTS {name}")
