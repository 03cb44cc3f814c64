"""Re-classification after a rule change, without re-import (PRODUCT.md §3.4, issue 3 point 5).

The stored lines are run through the same :func:`data_access.classify.classify` as at import;
only lines whose category or deciding rule changed are written, grouped by the new
(category, rule) so the update is a handful of ``UPDATE … WHERE id IN (…)`` statements instead
of one statement per line. The cube is rebuilt and the data version bumped in the same
transaction.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.classify import classify, load_rules, unclassified_id
from data_access.cube import rebuild_cube
from data_access.db import audit, bump_data_version, read_frame

CHUNK = 5000


def reclassify(conn: sa.Connection, *, username: str = "system") -> dict[str, int]:
    """Re-apply the category rules to every stored line; returns {'lines', 'changed'}."""
    lt, s = schema.ledger_line, schema.supplier
    lines = read_frame(
        conn,
        sa.select(
            lt.c.id,
            lt.c.art,
            lt.c.category_id,
            lt.c.category_rule,
            s.c.key.label("supplier_key"),
            s.c.nace,
        ).join(s, lt.c.supplier_id == s.c.id),
    )
    if lines.height == 0:
        return {"lines": 0, "changed": 0}
    new = classify(
        lines.rename({"category_id": "old_cat", "category_rule": "old_rule"}),
        load_rules(conn),
        unclassified_id(conn),
    )
    changed = new.filter(
        (pl.col("category_id") != pl.col("old_cat"))
        | (pl.col("category_rule") != pl.col("old_rule"))
    )
    for (cat, rule), grp in changed.group_by("category_id", "category_rule"):
        ids = grp["id"].to_list()
        for i in range(0, len(ids), CHUNK):
            conn.execute(
                lt.update()
                .where(lt.c.id.in_(ids[i : i + CHUNK]))
                .values(category_id=int(cat), category_rule=str(rule))  # type: ignore[arg-type]
            )
    if changed.height:
        rebuild_cube(conn)
        bump_data_version(conn)
    audit(
        conn, username, "reclassify", f"{changed.height} av {lines.height} linjer fikk ny kategori"
    )
    return {"lines": lines.height, "changed": changed.height}
