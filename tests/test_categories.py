"""Editing the category tree and the classification rules (admin only), then re-classifying."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from data_access import demo
from data_access.admin.categories import save_rules, save_tree
from data_access.store import schema
from data_access.store.categories import load_rules_table, load_tree
from data_access.store.db import make_engine, migrate
from data_access.store.scope import Scope

ADMIN = Scope(role="admin", username="admin_t")


@pytest.fixture()
def eng(tmp_path: Path) -> sa.Engine:
    import datetime as dt

    e = make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    migrate(e)
    with e.begin() as c:
        demo.generate(c, size=0.005, today=dt.date(2026, 11, 25))
    return e


def test_supplier_rule_moves_its_lines_and_the_cube_follows(eng: sa.Engine) -> None:
    lt, s = schema.ledger_line, schema.supplier
    with eng.connect() as c:
        key, sid, n = c.execute(
            sa.select(s.c.key, s.c.id, sa.func.count())
            .join(lt, lt.c.supplier_id == s.c.id)
            .where(s.c.key.like("orgnr:%"))
            .group_by(s.c.key, s.c.id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
        rules = load_rules_table(c)
    target = "Tjenester › Konsulenttjenester"
    new_rule = pl.DataFrame(
        {
            "kind": ["supplier"],
            "supplier_key": [key],
            "art_from": [None],
            "art_to": [None],
            "nace_prefix": [None],
            "category": [target],
            "priority": [10],
            "note": ["test"],
        },
        schema_overrides={"art_from": pl.String, "art_to": pl.String, "nace_prefix": pl.String},
    )
    with eng.begin() as c:
        result = save_rules(
            c, pl.concat([new_rule, rules.drop("id")], how="vertical_relaxed"), ADMIN
        )
    assert result["rules"] == rules.height + 1 and result["changed"] > 0
    with eng.connect() as c:
        cats = c.execute(
            sa.select(lt.c.category_rule, schema.category.c.name)
            .join(schema.category, schema.category.c.id == lt.c.category_id)
            .where(lt.c.supplier_id == sid)
        ).all()
        cube_n = c.execute(
            sa.select(sa.func.sum(schema.spend_cube.c.n_lines)).where(
                schema.spend_cube.c.supplier_id == sid,
                schema.spend_cube.c.category_id.in_(
                    sa.select(schema.category.c.id).where(
                        schema.category.c.name == "Konsulenttjenester"
                    )
                ),
            )
        ).scalar()
    assert len(cats) == n and {name for _r, name in cats} == {"Konsulenttjenester"}
    assert all(r.startswith("supplier:") for r, _n in cats)
    assert cube_n == n


def test_invalid_rules_store_nothing(eng: sa.Engine) -> None:
    with eng.connect() as c:
        before = load_rules_table(c)
    bad = pl.DataFrame(
        {
            "kind": ["account", "magic"],
            "supplier_key": [None, None],
            "art_from": ["12", "100"],
            "art_to": ["1", "100"],
            "nace_prefix": [None, None],
            "category": ["Finnes ikke", "Tjenester › Konsulenttjenester"],
            "priority": [1, 1],
            "note": [None, None],
        },
        schema_overrides={"supplier_key": pl.String, "nace_prefix": pl.String, "note": pl.String},
    )
    with pytest.raises(ValueError) as err, eng.begin() as c:
        save_rules(c, bad, ADMIN)
    text = str(err.value)
    assert (
        "rad 1: ukjent kategori «Finnes ikke»" in text
        and "tre sifre" in text
        and "rad 2: type" in text
    )
    with eng.connect() as c:
        assert load_rules_table(c).height == before.height


def test_tree_rename_add_and_protected_removals(eng: sa.Engine) -> None:
    with eng.connect() as c:
        tree = load_tree(c)
    renamed = tree.with_columns(
        level2=pl.when(pl.col("level2") == "Husleie")
        .then(pl.lit("Leie av lokaler"))
        .otherwise("level2")
    ).select("id", "level1", "level2")
    new = pl.DataFrame(
        {"id": [None], "level1": ["Tjenester"], "level2": ["Tolketjenester"]},
        schema_overrides={"id": pl.Int64},
    )
    with eng.begin() as c:
        result = save_tree(c, pl.concat([renamed, new]), ADMIN)
    assert result == {"added": 1, "changed": 1, "removed": 0}
    with eng.connect() as c:
        names = set(load_tree(c)["level2"])
    assert {"Leie av lokaler", "Tolketjenester"} <= names and "Husleie" not in names
    # A used category and "Uklassifisert" cannot be removed.
    with eng.connect() as c:
        tree = load_tree(c)
    used = tree.filter(pl.col("n_lines") > 0)["level2"][0]
    with pytest.raises(ValueError, match="kan ikke fjernes"), eng.begin() as c:
        save_tree(c, tree.filter(pl.col("level2") != used).select("id", "level1", "level2"), ADMIN)
    with pytest.raises(ValueError, match="Uklassifisert"), eng.begin() as c:
        save_tree(
            c,
            tree.filter(pl.col("level2") != "Uklassifisert").select("id", "level1", "level2"),
            ADMIN,
        )


@pytest.mark.parametrize("role", ["analyst", "leder"])
def test_only_admin_edits(eng: sa.Engine, role: str) -> None:
    with eng.connect() as c:
        tree, rules = load_tree(c), load_rules_table(c)
    with pytest.raises(PermissionError), eng.begin() as c:
        save_tree(c, tree.select("id", "level1", "level2"), Scope(role=role))
    with pytest.raises(PermissionError), eng.begin() as c:
        save_rules(c, rules.drop("id"), Scope(role=role))
