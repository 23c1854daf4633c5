"""People, badges, auth and sessions, visitors, settings (admin API, issue 5).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: this revision is reserved for the feature named above."""


def downgrade() -> None:
    """Nothing yet."""
