"""The data layer on SQLite and PostgreSQL: schema, reference data, demo data, cube, scope."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.cube import load_cube
from data_access.store.db import (
    SQLITE_MAX_PARAMS,
    bulk_insert,
    data_version,
    read_frame,
    side_by_side,
)
from data_access.store.scope import Scope, historical_codes
from tests.conftest import SPURIOUS_LEVANGER_ORE


def test_migrations_create_every_table(engine: sa.Engine) -> None:
    names = set(sa.inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= names
    assert "alembic_version" in names


def test_municipality_history(engine: sa.Engine) -> None:
    m = read_frame(engine, sa.select(schema.municipality))
    by_code = {r["code"]: r for r in m.iter_rows(named=True)}
    assert by_code["5039"]["current_code"] == "5006"  # Verran → Steinkjer 2020
    assert by_code["5004"]["current_code"] == "5006"
    assert by_code["5004"]["valid_to"] == dt.date(2019, 12, 31)
    assert by_code["5038"]["current_code"] == "5038"
    assert by_code["1721"]["current_code"] == "5038"


def test_demo_has_verran_apart_in_2019_and_merged_from_2020(engine: sa.Engine) -> None:
    lt = schema.ledger_line
    year = sa.extract("year", lt.c.date)
    q = sa.select(lt.c.municipality_code, year.label("y"), sa.func.count().label("n")).group_by(
        lt.c.municipality_code, year
    )
    with engine.connect() as c:
        rows = {(r.municipality_code, int(r.y)): r.n for r in c.execute(q)}
    assert rows[("5039", 2019)] > 0 and rows[("5004", 2019)] > 0
    assert ("5006", 2019) not in rows
    assert rows[("5006", 2020)] > 0
    assert not any(code in ("5039", "5004") and y >= 2020 for code, y in rows)


def test_demo_contents_are_realistic(engine: sa.Engine) -> None:
    lt, s = schema.ledger_line, schema.supplier
    with engine.connect() as c:
        credit = c.execute(sa.select(sa.func.count()).where(lt.c.amount_ore < 0)).scalar()
        no_orgnr = c.execute(
            sa.select(sa.func.count()).select_from(lt.join(s)).where(s.c.orgnr.is_(None))
        ).scalar()
        private = c.execute(sa.select(sa.func.count()).where(s.c.is_private.is_(True))).scalar()
        eh = c.execute(
            sa.select(
                sa.extract("year", lt.c.date).label("y"),
                sa.func.avg(sa.cast(lt.c.ehandel, sa.Integer)),
            )
            .group_by("y")
            .order_by("y")
        ).all()
        orgnrs = c.execute(sa.select(s.c.orgnr).where(s.c.orgnr.is_not(None))).scalars().all()
    assert credit > 0 and no_orgnr > 0 and private > 0
    assert float(eh[-1][1]) > float(eh[0][1])  # e-handel grows
    from data_access.store.suppliers import is_valid_orgnr

    assert orgnrs and all(is_valid_orgnr(o) and o.startswith("1") for o in orgnrs)


def test_cube_sums_equal_ledger(engine: sa.Engine) -> None:
    lt, cube = schema.ledger_line, schema.spend_cube
    with engine.connect() as c:
        ledger = c.execute(
            sa.select(
                lt.c.municipality_code, sa.func.sum(lt.c.amount_ore), sa.func.count()
            ).group_by(lt.c.municipality_code)
        ).all()
        cubed = c.execute(
            sa.select(
                cube.c.municipality_code,
                sa.func.sum(cube.c.amount_ore),
                sa.func.sum(cube.c.n_lines),
            ).group_by(cube.c.municipality_code)
        ).all()
    assert {r[0]: (int(r[1]), int(r[2])) for r in ledger} == {
        r[0]: (int(r[1]), int(r[2])) for r in cubed
    }


def test_scope_is_applied_in_sql(engine: sa.Engine) -> None:
    verdal = Scope(role="kommune", municipalities=frozenset({"5038"}))
    steinkjer = Scope(role="kommune", municipalities=frozenset({"5006"}))
    with engine.connect() as c:
        assert historical_codes(c, steinkjer) == ["1702", "1724", "5004", "5006", "5039"]
    v = load_cube(engine, verdal)
    assert set(v["municipality_code"].unique()) == {"5038"}
    s = load_cube(engine, steinkjer)
    assert set(s["municipality_code"].unique()) == {"5004", "5039", "5006"}
    everything = load_cube(engine, Scope(role="leder"))
    assert SPURIOUS_LEVANGER_ORE in everything["amount_ore"].to_list()
    assert SPURIOUS_LEVANGER_ORE not in v["amount_ore"].to_list()


def test_bulk_insert_roundtrip_and_rollback(engine: sa.Engine) -> None:
    df = pl.DataFrame({"key": ["t_a", "t_b"], "value": ["1", "æøå – «x»"]})
    with pytest.raises(RuntimeError), engine.begin() as c:
        bulk_insert(c, schema.app_setting, df)
        raise RuntimeError("interrupted")
    with engine.connect() as c:
        assert (
            c.execute(
                sa.select(sa.func.count()).where(schema.app_setting.c.key.like("t_%"))
            ).scalar()
            == 0
        )
    with engine.begin() as c:
        bulk_insert(c, schema.app_setting, df)
    got = read_frame(
        engine, sa.select(schema.app_setting).where(schema.app_setting.c.key.like("t_%"))
    )
    assert sorted(got.rows()) == [("t_a", "1"), ("t_b", "æøå – «x»")]
    with engine.begin() as c:
        c.execute(schema.app_setting.delete().where(schema.app_setting.c.key.like("t_%")))


def test_bulk_insert_crosses_statement_boundaries_with_every_value_intact(
    engine: sa.Engine,
) -> None:
    """SQLite's rows go in multi-row statements of at most ``SQLITE_MAX_PARAMS`` parameters:
    a frame two statements and a bit long stores every row once, with its types and nulls
    (PostgreSQL's ``COPY`` alike). The probe table is dropped again."""
    per = SQLITE_MAX_PARAMS // 5
    n = 2 * per + 3
    i = pl.int_range(0, n, eager=True)
    df = pl.DataFrame(
        {
            "id": i,
            "flag": i % 3 == 0,
            "day": [dt.date(2020, 1, 1) + dt.timedelta(days=k % 400) for k in range(n)],
            "name": [None if k % 7 == 0 else f'n "{k}" æ;ø' for k in range(n)],
            "amount": i * 1_000_003 - 5_000_000_000,
        }
    )
    table = sa.Table(
        "t_bulk_probe",
        sa.MetaData(),
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("flag", sa.Boolean),
        sa.Column("day", sa.Date),
        sa.Column("name", sa.Text),
        sa.Column("amount", sa.BigInteger),
    )
    with engine.connect() as c:
        table.create(c)
        try:
            assert bulk_insert(c, table, df) == n
            got = read_frame(c, sa.select(table).order_by(table.c.id))
            assert got.height == n
            assert got["id"].to_list() == df["id"].to_list()
            assert got["flag"].cast(pl.Boolean).to_list() == df["flag"].to_list()
            assert got["day"].cast(pl.Date).to_list() == df["day"].to_list()
            assert got["name"].to_list() == df["name"].to_list()
            assert got["amount"].to_list() == df["amount"].to_list()
        finally:
            c.rollback()  # PostgreSQL: the table goes with it; SQLite committed its DDL
            table.drop(c, checkfirst=True)
            c.commit()


def test_data_version_is_set(engine: sa.Engine) -> None:
    assert data_version(engine) >= 1


def test_demo_is_deterministic(tmp_path) -> None:
    from data_access import demo
    from data_access.store.db import make_engine, migrate

    sums = []
    for i in (1, 2):
        e = make_engine(f"sqlite:///{tmp_path / f'd{i}.sqlite'}")
        migrate(e)
        with e.begin() as c:
            demo.generate(c, size=0.005, seed=7, today=dt.date(2026, 11, 25))
        with e.connect() as c:
            sums.append(
                c.execute(
                    sa.select(
                        sa.func.sum(schema.ledger_line.c.amount_ore), sa.func.count()
                    ).select_from(schema.ledger_line)
                ).one()
            )
        e.dispose()
    assert sums[0] == sums[1]


def test_migrations_match_the_schema(engine: sa.Engine) -> None:
    """A change to schema.py without a migration fails here (alembic autogenerate finds it)."""
    from alembic import command

    from data_access.store.db import alembic_config

    command.check(alembic_config(engine))


def test_demo_label_follows_demo_rows(engine: sa.Engine, tmp_path) -> None:
    from data_access.store.db import has_demo_data, make_engine, migrate

    with engine.connect() as c:
        assert has_demo_data(c)
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    migrate(empty)
    with empty.connect() as c:
        assert not has_demo_data(c)


def test_ids_continue_after_loaded_rows(engine: sa.Engine) -> None:
    """Rows loaded with explicit ids (demo, reference) must not block the next insert."""
    c_, s_ = schema.category, schema.supplier
    with engine.begin() as conn:
        new_cat = conn.execute(
            c_.insert().values(name="Testkategori", parent_id=None, sort=99)
        ).inserted_primary_key[0]
        new_sup = conn.execute(
            s_.insert().values(
                key="navn:testleverandør",
                identity_kind="name",
                name="Test",
                is_private=False,
                is_public=False,
            )
        ).inserted_primary_key[0]
        assert (
            new_cat
            > conn.execute(sa.select(sa.func.max(c_.c.id)).where(c_.c.id != new_cat)).scalar()
        )
        assert (
            new_sup
            > conn.execute(sa.select(sa.func.max(s_.c.id)).where(s_.c.id != new_sup)).scalar()
        )
        conn.execute(s_.delete().where(s_.c.id == new_sup))
        conn.execute(c_.delete().where(c_.c.id == new_cat))


@contextlib.contextmanager
def _database_at(revision: str, backend: str, tmp_path: Path, pg_name: str) -> Iterator[sa.Engine]:
    """A new database on ``backend`` migrated only up to ``revision`` (to test a later one)."""
    from alembic import command

    from data_access.store.db import alembic_config, make_engine

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'old.sqlite'}"
        else:
            from tests.conftest import fresh_pg_database

            url = stack.enter_context(fresh_pg_database(pg_name))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        command.upgrade(alembic_config(engine), revision)
        yield engine


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_pseudo_supplier_kinds_become_english_identifiers(backend: str, tmp_path) -> None:
    """Migration 0008: a database whose pseudo-supplier list was stored with the Norwegian
    kinds (navn, nummer, mønster) keeps every entry, under name, number and pattern, and the
    entries still match (issue 9: data values in one language)."""
    from data_access.store.db import migrate
    from data_access.store.pseudo import load_pseudo, pseudo_expr

    with _database_at("0007", backend, tmp_path, "innsikt_pseudo_kinds") as engine:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM pseudo_supplier"))
            conn.execute(
                sa.text("INSERT INTO pseudo_supplier (kind, value) VALUES (:k, :v)"),
                [
                    {"k": "navn", "v": "Diverse leverandører"},
                    {"k": "nummer", "v": "9999"},
                    {"k": "mønster", "v": "^engangs"},
                ],
            )
        migrate(engine)
        with engine.connect() as conn:
            entries = load_pseudo(conn)
    assert sorted(entries["kind"].to_list()) == ["name", "number", "pattern"]
    names = pl.DataFrame(
        {
            "name": ["DIVERSE LEVERANDØRER", "X", "Engangskreditor", "Y"],
            "key": ["navn:diverse leverandører", "lnr:5038:9999", "navn:e", "lnr:5038:1"],
        }
    )
    assert names.select(pseudo_expr(entries)).to_series().to_list() == [True, True, True, False]


def test_a_large_read_gives_the_rows_of_an_ordinary_one(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``read_frame(large=True)`` (COPY as CSV on PostgreSQL, chunks elsewhere): the same
    rows and types as the ordinary read — dates, flags (``t``/``f``), nulls, an in-list of
    bound codes, several chunks, and an empty result."""
    import data_access.store.db as db

    monkeypatch.setattr(db, "READ_CHUNK", 5_000)  # several chunks on the demo data
    cube = schema.spend_cube
    queries = [
        sa.select(cube).where(cube.c.municipality_code.in_(["5038", "5037"])),
        sa.select(cube.c.month, cube.c.agreement_id, cube.c.ehandel).where(
            cube.c.agreement_id.is_(None) | cube.c.ehandel.is_(True)
        ),
        sa.select(cube).where(cube.c.municipality_code == "no such code"),
    ]
    for q in queries:
        ordered = q.order_by(*q.selected_columns)  # the same order for both reads
        want = read_frame(engine, ordered)
        got = read_frame(engine, ordered, large=True)
        assert got.schema == want.schema
        assert got.equals(want)
    both = read_frame(engine, queries[1], large=True)
    assert both["agreement_id"].null_count() > 0 and both["ehandel"].any()
    assert both.height > 5_000 and both.schema["month"] == pl.Date


def test_rollup_is_the_cube_summed(engine: sa.Engine) -> None:
    """spend_rollup (what the national pushdown queries read) holds the demo cube's sums per
    month, municipality, category, area and spend class: every øre and line, no row more."""
    from data_access.store.cube import ROLLUP_DIMS

    keys = ["month", *ROLLUP_DIMS]
    with engine.connect() as c:
        cube = read_frame(c, sa.select(schema.spend_cube))
        rollup = read_frame(c, sa.select(schema.spend_rollup))
    expected = cube.group_by(keys).agg(pl.col("amount_ore", "n_lines").sum().cast(pl.Int64))
    got = rollup.with_columns(pl.col("amount_ore", "n_lines").cast(pl.Int64))
    assert got.height == expected.height < cube.height
    assert got.sort(keys).equals(expected.select(got.columns).sort(keys))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_migration_fills_the_rollup_from_the_cube(backend: str, tmp_path) -> None:
    """Migration 0009: a database with a cube and no rollup gets the rollup summed from it."""
    from data_access.store.db import migrate

    with _database_at("0008", backend, tmp_path, "innsikt_rollup_migration") as engine:
        row = {
            "month": dt.date(2024, 3, 1),
            "municipality_code": "5038",
            "category_id": 7,
            "area": "drift",
            "spend_class": "purchase",
            "ehandel": False,
            "agreement_id": None,
        }
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO spend_cube (month, municipality_code, supplier_id, category_id,"
                    " area, spend_class, ehandel, agreement_id, amount_ore, n_lines) VALUES"
                    " (:month, :municipality_code, :supplier_id, :category_id, :area,"
                    " :spend_class, :ehandel, :agreement_id, :amount_ore, :n_lines)"
                ),
                [
                    {**row, "supplier_id": 1, "amount_ore": 1_000, "n_lines": 2},
                    {**row, "supplier_id": 2, "amount_ore": 250, "n_lines": 1, "ehandel": True},
                    {**row, "supplier_id": 1, "area": "investering", "amount_ore": 9, "n_lines": 1},
                ],
            )
        migrate(engine)
        with engine.connect() as conn:
            got = conn.execute(
                sa.select(
                    schema.spend_rollup.c.area,
                    schema.spend_rollup.c.amount_ore,
                    schema.spend_rollup.c.n_lines,
                ).order_by(schema.spend_rollup.c.area)
            ).all()
    assert [tuple(r) for r in got] == [("drift", 1_250, 3), ("investering", 9, 1)]


def test_parts_side_by_side_read_one_snapshot(engine: sa.Engine) -> None:
    """``side_by_side``: a row committed by someone else after the parts began is seen by
    neither part on PostgreSQL — though the second part reads only after the commit — so a
    figure summed in parts comes from one state of the database; on SQLite the parts run one
    after the other on one connection and agree with each other as well."""
    probe = sa.Table("side_by_side_probe", sa.MetaData(), sa.Column("n", sa.Integer))
    probe.create(engine, checkfirst=True)
    try:
        with engine.begin() as c:
            c.execute(probe.insert(), [{"n": 1}])
        committed = threading.Event()

        def count(c: sa.Connection) -> int:
            return int(c.execute(sa.select(sa.func.count()).select_from(probe)).scalar_one())

        def first(c: sa.Connection) -> tuple[str, int]:
            with engine.begin() as other:
                other.execute(probe.insert(), [{"n": 2}])
            committed.set()
            return threading.current_thread().name, count(c)

        def second(c: sa.Connection) -> tuple[str, int]:
            assert committed.wait(30)
            return threading.current_thread().name, count(c)

        (t1, n1), (t2, n2) = side_by_side(engine, first, second)
        if engine.dialect.name == "postgresql":
            assert (n1, n2) == (1, 1)
            assert t1 != t2  # at the same time, on two threads
        else:
            assert (n1, n2) == (2, 2)
    finally:
        probe.drop(engine)
