"""pseudo_supplier.kind in English identifiers: name, number, pattern (issue 9)

Stored values are identifiers in one language; the admin page shows "navn (eksakt)",
"leverandørnummer" and "mønster (regex)" through the translator (``store.pseudo.KINDS``).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMES = (("navn", "name"), ("nummer", "number"), ("mønster", "pattern"))


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    table = sa.table("pseudo_supplier", sa.column("kind", sa.String))
    for old, new in pairs:
        op.execute(table.update().where(table.c.kind == old).values(kind=new))


def _comment(new: str, old: str) -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no column comments
        op.alter_column(
            "pseudo_supplier",
            "kind",
            existing_type=sa.String(10),
            existing_nullable=False,
            comment=new,
            existing_comment=old,
        )


def upgrade() -> None:
    _rename(RENAMES)
    _comment("name | number | pattern", "navn | nummer | mønster")


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMES])
    _comment("navn | nummer | mønster", "name | number | pattern")
