"""The editable category tree and classification rules (PRODUCT.md §3.4), admin only.

Saving replaces the tree or the rule list as edited, validates everything first (nothing is
stored when a row is wrong), writes the audit log, re-applies the rules to every stored line
(``importing.reclassify``) and bumps the data version, all in the caller's transaction. The
reads (tree, rules) are in ``store.categories``, shared with the import pipeline.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.importing.reclassify import reclassify
from data_access.store import schema
from data_access.store.categories import load_tree
from data_access.store.db import audit, bump_data_version, inserted_id, sync_id_sequences
from data_access.store.reference import UNCLASSIFIED
from data_access.store.scope import Scope

RULE_KINDS = ("supplier", "account", "nace")


def _require_admin(scope: Scope) -> None:
    if scope.role != "admin":
        raise PermissionError("bare administratorer kan endre kategorier og regler")


# Exempt from C901: validate every edited row, then apply renames/moves/new/removed in one transaction;
# the branches are the kinds of change an admin can make in the table.
def save_tree(conn: sa.Connection, edited: pl.DataFrame, scope: Scope) -> dict[str, int]:  # noqa: C901
    """Apply an edited leaf list (columns id (null for new), level1, level2).

    Renames and moves keep a category's id, so lines and rules follow it. A category still
    used by lines or rules cannot be removed; "Uklassifisert" cannot be removed or renamed.
    """
    _require_admin(scope)
    rows = edited.select(
        pl.col("id").cast(pl.Int64, strict=False),
        pl.col("level1").cast(pl.String).str.strip_chars(),
        pl.col("level2").cast(pl.String).str.strip_chars(),
    )
    problems = []
    for i, r in enumerate(rows.iter_rows(named=True), start=1):
        if not r["level1"] or not r["level2"]:
            problems.append(f"rad {i}: både nivå 1 og nivå 2 må ha navn")
    dup = rows.filter(pl.struct("level1", "level2").is_duplicated())
    if dup.height:
        problems.append(
            "samme kategori står flere ganger: " + ", ".join(sorted(set(dup["level2"])))
        )
    before = load_tree(conn)
    gone = before.join(rows.filter(pl.col("id").is_not_null()), on="id", how="anti")
    r_ = schema.category_rule
    for g in gone.iter_rows(named=True):
        n_rules = conn.execute(
            sa.select(sa.func.count()).where(r_.c.category_id == g["id"])
        ).scalar()
        if g["level2"] == UNCLASSIFIED:
            problems.append("«Uklassifisert» kan ikke fjernes")
        elif g["n_lines"] or n_rules:
            problems.append(
                f"«{g['level2']}» brukes av {g['n_lines']} linjer og {n_rules} regler og kan "
                "ikke fjernes; flytt linjene med en regel først"
            )
    unclassified = before.filter(pl.col("level2") == UNCLASSIFIED)["id"].to_list()
    if (
        unclassified
        and rows.filter(
            pl.col("id").is_in(unclassified) & (pl.col("level2") != UNCLASSIFIED)
        ).height
    ):
        problems.append("«Uklassifisert» kan ikke gis nytt navn")
    if problems:
        raise ValueError("; ".join(problems))

    c = schema.category
    parents = dict(conn.execute(sa.select(c.c.name, c.c.id).where(c.c.parent_id.is_(None))).all())
    for l1 in rows["level1"].unique(maintain_order=True).to_list():
        if l1 not in parents:
            parents[l1] = inserted_id(
                conn.execute(c.insert().values(name=l1, parent_id=None, sort=len(parents)))
            )
    changed = added = 0
    for sort, r in enumerate(rows.iter_rows(named=True)):
        values = {"name": r["level2"], "parent_id": parents[r["level1"]], "sort": sort}
        if r["id"] is None:
            conn.execute(c.insert().values(**values))
            added += 1
        else:
            old = before.filter(pl.col("id") == r["id"])
            if old.height and (old["level1"][0], old["level2"][0]) != (r["level1"], r["level2"]):
                changed += 1
            conn.execute(c.update().where(c.c.id == r["id"]).values(**values))
    for g in gone.iter_rows(named=True):
        conn.execute(c.delete().where(c.c.id == g["id"]))
    # Level-1 groups left without leaves go too.
    leafless = sa.select(c.c.parent_id).where(c.c.parent_id.is_not(None))
    conn.execute(c.delete().where(c.c.parent_id.is_(None), c.c.id.not_in(leafless)))
    sync_id_sequences(conn, [c])
    result = {"added": added, "changed": changed, "removed": gone.height}
    audit(conn, scope.username, "category.tree", str(result))
    bump_data_version(conn)
    return result


# Exempt from C901: one check per rule field (kind, pattern, category) with its own message.
def save_rules(conn: sa.Connection, edited: pl.DataFrame, scope: Scope) -> dict[str, int]:  # noqa: C901
    """Replace the rule list with ``edited`` and re-classify every stored line.

    Columns: kind (supplier|account|nace), supplier_key (e.g. ``orgnr:123456789``), art_from,
    art_to (3 digits), nace_prefix, category ('Nivå 1 › Nivå 2'), priority, note.
    """
    _require_admin(scope)
    tree = load_tree(conn).with_columns(label=pl.col("level1") + " › " + pl.col("level2"))
    ids = dict(tree.select("label", "id").iter_rows())
    problems: list[str] = []
    out: list[dict[str, object]] = []
    for i, r in enumerate(edited.iter_rows(named=True), start=1):
        kind = (r.get("kind") or "").strip()
        cat = ids.get((r.get("category") or "").strip())
        rec: dict[str, object] = {
            "kind": kind,
            "supplier_key": None,
            "art_from": None,
            "art_to": None,
            "nace_prefix": None,
            "category_id": cat,
            "priority": int(r.get("priority") or 100),
            "note": r.get("note"),
        }
        if kind not in RULE_KINDS:
            problems.append(f"rad {i}: type må være supplier, account eller nace")
        if cat is None:
            problems.append(f"rad {i}: ukjent kategori «{r.get('category')}»")
        if kind == "supplier":
            key = (r.get("supplier_key") or "").strip()
            if ":" not in key:
                problems.append(f"rad {i}: leverandørnøkkel må være f.eks. orgnr:123456789")
            rec["supplier_key"] = key
        elif kind == "account":
            a, b = (str(r.get("art_from") or "").strip(), str(r.get("art_to") or "").strip())
            b = b or a
            if not (a.isdigit() and b.isdigit() and len(a) == len(b) == 3 and a <= b):
                problems.append(f"rad {i}: art fra–til må være tre sifre, fra ≤ til")
            rec["art_from"], rec["art_to"] = a, b
        elif kind == "nace":
            prefix = (r.get("nace_prefix") or "").strip()
            if not prefix or not prefix.replace(".", "").isdigit():
                problems.append(f"rad {i}: NACE-kode mangler eller er ugyldig")
            rec["nace_prefix"] = prefix
        out.append(rec)
    if problems:
        raise ValueError("; ".join(problems))
    r_ = schema.category_rule
    conn.execute(r_.delete())
    if out:
        conn.execute(r_.insert(), out)
    result = reclassify(conn, username=scope.username)
    audit(conn, scope.username, "category.rules", f"{len(out)} regler; {result}")
    bump_data_version(conn)
    return {"rules": len(out), **result}
