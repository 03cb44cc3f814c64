"""Re-classification after a rule change, without re-import (PRODUCT.md §3.4, issue 3 point 5).

The stored lines are run through the same :func:`data_access.importing.classify.classify` as at import;
only lines whose category or deciding rule changed are written, grouped by the new
(category, rule) so the update is a handful of ``UPDATE … WHERE id IN (…)`` statements instead
of one statement per line. The cube is rebuilt and the data version bumped in the same
transaction.

:func:`fix_private_suppliers` repairs databases imported before private persons with an invalid
orgnr were recognised (they were stored under their own name); :func:`reclassify` runs it first.
"""

from __future__ import annotations

import json

import polars as pl
import sqlalchemy as sa

from data_access.importing.classify import classify, with_spend_class
from data_access.importing.layouts import (
    LAYOUTS,
    Layout,
    LayoutError,
    art_class_map,
    examples,
    read_expr,
)
from data_access.importing.validate import is_person_name
from data_access.store import schema
from data_access.store.categories import load_rules, unclassified_id
from data_access.store.cube import rebuild_cube
from data_access.store.db import audit, bump_data_version, read_frame
from data_access.store.suppliers import PRIVATE_LABEL

CHUNK = 5000


def reclassify(conn: sa.Connection, *, username: str = "system") -> dict[str, int]:
    """Re-apply the category rules to every stored line; returns {'lines', 'changed'}.

    Private persons stored by name by an older import are anonymised first
    (:func:`fix_private_suppliers`)."""
    fixed = fix_private_suppliers(conn, username=username)
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
                .values(category_id=int(cat), category_rule=str(rule))
            )
    if changed.height or fixed:
        rebuild_cube(conn)
        bump_data_version(conn)
    audit(
        conn, username, "reclassify", f"{changed.height} av {lines.height} linjer fikk ny kategori"
    )
    return {"lines": lines.height, "changed": changed.height}


def fix_private_suppliers(conn: sa.Connection, *, username: str = "system") -> int:
    """Anonymise suppliers that are private persons by today's rule but were stored by name.

    Older imports treated a person-like name as a private person only when the orgnr cell was
    *empty*; with an invalid number in it (``12345;Kari Nordmann``) the person was stored as a
    named supplier (``navn:…`` or ``lnr:…``), with the name in ``supplier.name``,
    ``supplier_name_raw`` and ``supplier_alias``. Such a supplier has no valid orgnr, a
    person-like name, and a line with something in the orgnr cell (without one, the old rule would
    have made it private unless the file flagged it "not private", which is then respected). The
    private flag itself is not stored, so a flagged line under a company-like name cannot be
    found here (re-import the file to correct it).

    Each such supplier becomes "Privatperson" (``is_private``), its key loses the name
    (``privat:s<id>``), its aliases are deleted and its lines' raw name and orgnr are replaced.
    Idempotent; returns the number of suppliers changed. Runs in the caller's transaction; the
    caller rebuilds the cube (``reclassify`` does).
    """
    s, lt, al = schema.supplier, schema.ledger_line, schema.supplier_alias
    named = read_frame(
        conn,
        sa.select(s.c.id, s.c.name).where(
            s.c.orgnr.is_(None),
            s.c.is_private.is_(False),
            s.c.identity_kind != "orgnr",
            # an admin released it: a wrong suspicion, never masked again
            sa.or_(s.c.private_reason.is_(None), s.c.private_reason != "frigitt"),
        ),
    )
    person_like = named.filter(is_person_name(pl.col("name")))["id"].cast(pl.Int64).to_list()
    ids: list[int] = []
    for i in range(0, len(person_like), CHUNK):
        ids += [
            int(v)
            for v in conn.execute(
                sa.select(lt.c.supplier_id)
                .where(
                    lt.c.supplier_id.in_(person_like[i : i + CHUNK]),
                    lt.c.supplier_orgnr_raw.is_not(None),
                    lt.c.supplier_orgnr_raw != "",
                )
                .distinct()
            ).scalars()
        ]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        conn.execute(al.delete().where(al.c.supplier_id.in_(chunk)))
        conn.execute(
            lt.update()
            .where(lt.c.supplier_id.in_(chunk))
            .values(supplier_name_raw=PRIVATE_LABEL, supplier_orgnr_raw=None)
        )
        conn.execute(
            s.update()
            .where(s.c.id.in_(chunk))
            .values(
                name=PRIVATE_LABEL,
                register_name=None,
                is_private=True,
                private_reason="mistanke",
                held_name=s.c.name,
                identity_kind="name",
                key=sa.literal("privat:s") + sa.cast(s.c.id, sa.String),
            )
        )
    if ids:
        audit(conn, username, "private.fix", f"{len(ids)} leverandører anonymisert (privatperson)")
    return len(ids)


def reread_accounts(
    conn: sa.Connection,
    layout: Layout,
    *,
    batch_ids: list[int] | None = None,
    username: str = "system",
) -> dict[str, int]:
    """Read the art of stored lines again with another account layout (no re-import).

    For lines imported with the wrong layout (``10100`` read as art 101 instead of kontoklasse
    1 + art 010): the art is re-read from the stored account, then the spend class, the
    category (same rules as at import) and — where the new layout has a kontoklasse and the
    batch's area did not come from a column or a fixed value — the area. Lines that become
    non-purchase (wages) stay stored with spend class ``excluded``, so no figure counts them,
    exactly as a fresh import would not. Rows a wrong layout excluded at import were never
    stored: re-import the file for those. Every account must fit the layout, else nothing is
    changed (:class:`LayoutError` with examples). Returns {'lines', 'changed'}.
    """
    lt, s, b = schema.ledger_line, schema.supplier, schema.import_batch
    stmt = sa.select(
        lt.c.id,
        lt.c.batch_id,
        lt.c.account,
        lt.c.art.label("old_art"),
        lt.c.spend_class.label("old_class"),
        lt.c.area.label("old_area"),
        lt.c.category_id.label("old_cat"),
        lt.c.category_rule.label("old_rule"),
        s.c.key.label("supplier_key"),
        s.c.nace,
    ).join(s, lt.c.supplier_id == s.c.id)
    if batch_ids is not None:
        stmt = stmt.where(lt.c.batch_id.in_(batch_ids))
    lines = read_frame(conn, stmt)
    if lines.height == 0:
        return {"lines": 0, "changed": 0}
    art, klasse = read_expr(pl.col("account"), layout)
    lines = lines.with_columns(art=art, account_class=klasse)
    bad = lines.filter(pl.col("art").is_null())["account"].unique().sort().head(5).to_list()
    if bad:
        raise LayoutError(
            f"{lines['art'].null_count()} lagrede linjer har kontoer som ikke passer "
            f"kontooppsettet «{layout.label}», f.eks. {', '.join(bad)}; ingenting er endret"
        )
    # Area from a column or a fixed value is kept; otherwise the kontoklasse decides.
    reports = dict(
        conn.execute(
            sa.select(b.c.id, b.c.report_json).where(
                b.c.id.in_(lines["batch_id"].unique().to_list())
            )
        ).all()
    )
    keep_area = [
        int(i)
        for i, js in reports.items()
        if js
        and str(json.loads(js).get("area_source", "")).split(" ")[0] in ("fast", "kolonne")
        and "kontoklassen der" not in str(json.loads(js).get("area_source", ""))
    ]
    a = schema.art_class
    arts = read_frame(conn, sa.select(a.c.art_from, a.c.art_to, a.c.spend_class))
    lines = with_spend_class(lines, arts).with_columns(
        area=pl.when(pl.col("batch_id").is_in(keep_area) | pl.col("account_class").is_null())
        .then(pl.col("old_area"))
        .when(pl.col("account_class") == "0")
        .then(pl.lit("investering"))
        .otherwise(pl.lit("drift"))
    )
    lines = classify(lines, load_rules(conn), unclassified_id(conn))
    changed = lines.filter(
        (pl.col("art") != pl.col("old_art"))
        | (pl.col("spend_class") != pl.col("old_class"))
        | (pl.col("area") != pl.col("old_area"))
        | (pl.col("category_id") != pl.col("old_cat"))
        | (pl.col("category_rule") != pl.col("old_rule"))
    )
    if changed.height:
        params = [
            {
                "_id": int(r[0]),
                "_art": r[1],
                "_cls": r[2],
                "_area": r[3],
                "_cat": int(r[4]),
                "_rule": r[5],
            }
            for r in changed.select(
                "id", "art", "spend_class", "area", "category_id", "category_rule"
            ).iter_rows()
        ]
        conn.execute(
            lt.update()
            .where(lt.c.id == sa.bindparam("_id"))
            .values(
                art=sa.bindparam("_art"),
                spend_class=sa.bindparam("_cls"),
                area=sa.bindparam("_area"),
                category_id=sa.bindparam("_cat"),
                category_rule=sa.bindparam("_rule"),
            ),
            params,
        )
        rebuild_cube(conn)
        bump_data_version(conn)
    cls_map = art_class_map(arts)
    # The batches' reports say which layout their lines are now read with.
    for bid, js in reports.items():
        rep = json.loads(js) if js else {}
        rep.setdefault(
            "importert_med", (rep.get("layout") or {}).get("mønster") or LAYOUTS["art"].pattern
        )
        rep["layout"] = {
            "navn": layout.name,
            "beskrivelse": layout.label,
            "kilde": "lest på nytt fra lagrede kontoer",
            "mønster": layout.pattern,
            "eksempler": examples(
                lines.filter(pl.col("batch_id") == bid)["account"].unique().to_list(),
                layout,
                cls_map,
            ),
        }
        conn.execute(b.update().where(b.c.id == bid).values(report_json=json.dumps(rep)))
    audit(
        conn,
        username,
        "reclassify.layout",
        f"art lest på nytt med «{layout.label}»: {changed.height} av {lines.height} linjer endret",
    )
    return {"lines": lines.height, "changed": changed.height}
