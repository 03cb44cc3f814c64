"""spend_cube index on month (issue 8: period queries across all municipalities, pushed down)

Revision ID: 0006
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_cube_month"), "spend_cube", ["month"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cube_month"), table_name="spend_cube")
