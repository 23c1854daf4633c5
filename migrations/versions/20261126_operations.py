"""Building operations: lockup, DDS, duty watch, qualifications, job runs (issue 6).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: this revision is reserved for the feature named above."""


def downgrade() -> None:
    """Nothing yet."""
