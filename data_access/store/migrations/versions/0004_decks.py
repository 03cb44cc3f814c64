"""decks: saved, ordered presentation views per user (issue 12)

Revision ID: 0004
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deck",
        sa.Column("id", sa.String(length=24), nullable=False, comment="random token used in links"),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False, comment="others may view"),
        sa.Column(
            "slides_json", sa.Text(), nullable=False, comment='[{"chart": id, "params": {}}]'
        ),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deck")),
    )
    op.create_index(op.f("ix_deck_owner"), "deck", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_deck_owner"), table_name="deck")
    op.drop_table("deck")
