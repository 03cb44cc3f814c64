"""real ledgers: private-person review, pseudo-suppliers (issue 10)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pseudo_supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False, comment="navn | nummer | mønster"),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pseudo_supplier")),
        sa.UniqueConstraint("kind", "value", name="uq_pseudo_supplier_kind_value"),
    )
    with op.batch_alter_table("supplier") as batch:
        batch.add_column(
            sa.Column(
                "private_reason",
                sa.String(length=12),
                nullable=True,
                comment="fnr | flagg | mistanke (person-like name) | frigitt (released by an admin)",
            )
        )
        batch.add_column(
            sa.Column(
                "held_name",
                sa.String(length=200),
                nullable=True,
                comment="a suspected private person's name as written; shown to admins only",
            )
        )
        batch.add_column(
            sa.Column(
                "is_pseudo",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="a collective post marked by an import profile (not one supplier)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("supplier") as batch:
        batch.drop_column("is_pseudo")
        batch.drop_column("held_name")
        batch.drop_column("private_reason")
    op.drop_table("pseudo_supplier")
