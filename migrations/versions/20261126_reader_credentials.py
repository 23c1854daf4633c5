"""Reader credentials and provisioning (issue 8).

`devices.credential_rotated_at` records when the reader's broker password was last issued
(create or rotate) and `credential_revoked_at` when it was revoked (the reader is then
`disabled`). The secrets themselves live only in the broker's password file.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("credential_rotated_at", sa.DateTime(timezone=True)))
    op.add_column("devices", sa.Column("credential_revoked_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("devices", "credential_revoked_at")
    op.drop_column("devices", "credential_rotated_at")
