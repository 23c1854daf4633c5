"""Ingest fleet and outbox notifications (issue 4).

Outbox rows get `relay_after`: rows the ingest publishes itself right after commit are left
to the relay only after a grace period, while rows written by the API or jobs are due at once.
A statement trigger sends `NOTIFY sentinel_outbox` so the relay wakes without polling.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox",
        sa.Column(
            "relay_after",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.add_column("devices", sa.Column("offline_since", sa.DateTime(timezone=True)))
    op.execute(
        """
        CREATE FUNCTION sentinel_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('sentinel_outbox', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
        " FOR EACH STATEMENT EXECUTE FUNCTION sentinel_outbox_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS sentinel_outbox_notify()")
    op.drop_column("devices", "offline_since")
    op.drop_column("outbox", "relay_after")
