"""Reports: training years, stat holidays, report settings, BMQ, aggregates (issue 7).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: this revision is reserved for the feature named above."""


def downgrade() -> None:
    """Nothing yet."""
