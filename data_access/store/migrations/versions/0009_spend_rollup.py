"""spend_rollup: the cube summed over supplier, e-handel and agreement (issue 8, national scale)

Filled from ``spend_cube`` here; from then on kept by ``store.cube`` in the same transaction
as the cube.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spend_rollup",
        sa.Column("month", sa.Date(), nullable=False, comment="first day of month"),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=12), nullable=False),
        sa.Column("spend_class", sa.String(length=20), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("n_lines", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_rollup_muni_month", "spend_rollup", ["municipality_code", "month"])
    op.create_index("ix_rollup_month", "spend_rollup", ["month"])
    op.execute(
        "INSERT INTO spend_rollup (month, municipality_code, category_id, area, spend_class,"
        " amount_ore, n_lines)"
        " SELECT month, municipality_code, category_id, area, spend_class, sum(amount_ore),"
        " sum(n_lines) FROM spend_cube"
        " GROUP BY month, municipality_code, category_id, area, spend_class ORDER BY month"
    )


def downgrade() -> None:
    op.drop_index("ix_rollup_month", table_name="spend_rollup")
    op.drop_index("ix_rollup_muni_month", table_name="spend_rollup")
    op.drop_table("spend_rollup")
