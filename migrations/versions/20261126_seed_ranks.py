"""Seed the CAF rank list with seniority order (domain.md §1.9).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    ("junior_ncm", 4),
    ("senior_ncm", 4),
    ("junior_officer", 4),
    ("senior_officer", 3),
    ("general_officer", 4),
)
LADDERS = {
    "navy": "S3 S2 S1 MS PO2 PO1 CPO2 CPO1 NCdt A/SLt SLt Lt(N) LCdr Cdr Capt(N) "
    "Cmdre RAdm VAdm Adm",
    "army": "Pte(B) Pte(T) Cpl MCpl Sgt WO MWO CWO OCdt 2Lt Lt Capt Maj LCol Col "
    "BGen MGen LGen Gen",
    "air_force": "Avr(B) Avr(T) Cpl-AF MCpl-AF Sgt-AF WO-AF MWO-AF CWO-AF OCdt-AF 2Lt-AF "
    "Lt-AF Capt-AF Maj-AF LCol-AF Col-AF BGen-AF MGen-AF LGen-AF Gen-AF",
}
# The spec writes "Pte (B)"; codes are stored without the space (varchar(10) codes).
DEPRECATED = (("OS", "S3"), ("AB", "S2"), ("LS", "S1"))


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "code": "CIV",
            "name": "Civilian",
            "branch": "civilian",
            "category": "civilian",
            "display_order": 0,
            "is_active": True,
        },
        {
            "code": "SENTINEL",
            "name": "System",
            "branch": "civilian",
            "category": "civilian",
            "display_order": 0,
            "is_active": False,
        },
    ]
    for branch, ladder in LADDERS.items():
        codes = ladder.split()
        categories = [name for name, count in CATEGORIES for _ in range(count)]
        for order, (code, category) in enumerate(zip(codes, categories, strict=True), start=1):
            rows.append(
                {
                    "code": code,
                    "name": code,
                    "branch": branch,
                    "category": category,
                    "display_order": order,
                    "is_active": True,
                }
            )
    return rows


def upgrade() -> None:
    ranks = sa.table(
        "ranks",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("branch", sa.String),
        sa.column("category", sa.String),
        sa.column("display_order", sa.Integer),
        sa.column("is_active", sa.Boolean),
    )
    op.bulk_insert(ranks, _rows())
    for old, new in DEPRECATED:
        op.execute(
            sa.text(
                "INSERT INTO ranks (code, name, branch, category, display_order, is_active,"
                " replaced_by_id) SELECT :old, :old, 'navy', category, display_order, false, id"
                " FROM ranks WHERE code = :new"
            ).bindparams(old=old, new=new)
        )


def downgrade() -> None:
    op.execute("DELETE FROM ranks")
