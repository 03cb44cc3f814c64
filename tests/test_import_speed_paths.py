"""The fast paths of the import (issue 8, point 4) give the same database as the slow ones.

* The cube is updated from the inserted lines (appended when their months are new, the touched
  partitions recomputed otherwise): after any sequence of imports it equals a full rebuild.
* On PostgreSQL a large load drops and re-creates the ledger's foreign keys and secondary
  indexes inside the import's transaction: an interruption leaves them (and the data) as they
  were, and a completed import leaves them all in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.importing import import_file
from data_access.store import bulkload, schema
from data_access.store.cube import ROLLUP_DIMS, rebuild_cube
from data_access.store.db import read_frame
from tests.import_helpers import (
    Row,
    fresh_engine,
    pg_reference_engine,
    standard_rows,
    template_db,
    to_csv,
    valid_orgnr,
)
from tests.test_import_guarantees import check_interrupted_import_leaves_db_unchanged


def _rows(n: int, *, year: int, offset: int = 0, munis: tuple[str, ...] = ("5038",)) -> list[Row]:
    return [
        Row(
            munis[i % len(munis)],
            dt.date(year, 1 + i % 12, 1 + i % 28),
            1000 + i * 7,
            orgnr=valid_orgnr(3000 + i % 40),
            name=f"Firma {i % 40} AS",
            account="12000" if i % 3 else "27000",
            invoice=f"S{offset + i}",
        )
        for i in range(offset, offset + n)
    ]


def _cube(conn: sa.Connection) -> pl.DataFrame:
    c = schema.spend_cube
    df = read_frame(conn, sa.select(c))
    return df.sort(df.columns)


def _rollup(conn: sa.Connection) -> pl.DataFrame:
    r = schema.spend_rollup
    df = read_frame(conn, sa.select(r)).with_columns(pl.col("amount_ore", "n_lines").cast(pl.Int64))
    return df.sort(df.columns)


def _cube_summed(conn: sa.Connection) -> pl.DataFrame:
    """The cube summed over what spend_rollup does not keep, computed here apart."""
    df = (
        _cube(conn)
        .group_by("month", *ROLLUP_DIMS)
        .agg(pl.col("amount_ore", "n_lines").sum().cast(pl.Int64))
        .select(_rollup(conn).columns)
    )
    return df.sort(df.columns)


def check_cube_equals_full_rebuild(engine: sa.Engine) -> None:
    files = [
        to_csv(standard_rows()),  # a new period: appended from Polars
        to_csv(_rows(300, year=2023, munis=("5038", "5006"))),  # new months again
        to_csv(_rows(200, year=2023, offset=1000, munis=("5006", "5041"))),  # overlaps: partitions
        to_csv(_rows(50, year=2023, offset=1000, munis=("5006", "5041"))),  # duplicates only
    ]
    for i, data in enumerate(files):
        r = import_file(engine, data, filename=f"f{i}.csv", username="t")
        assert r.ok, r.error
    with engine.begin() as conn:
        incremental = _cube(conn)
        # spend_rollup kept by each path (appended from Polars, partitions, duplicates only)
        incremental_rollup, summed = _rollup(conn), _cube_summed(conn)
        rebuild_cube(conn)
        full = _cube(conn)
        full_rollup = _rollup(conn)
    assert incremental.height > 0
    assert incremental.equals(full)
    assert 0 < incremental_rollup.height < incremental.height
    assert incremental_rollup.equals(summed)
    assert full_rollup.equals(summed)


@pytest.fixture()
def sqlite_eng(tmp_path: Path) -> sa.Engine:
    return fresh_engine(template_db(tmp_path), tmp_path)


@pytest.fixture()
def pg_eng() -> Iterator[sa.Engine]:
    with pg_reference_engine("innsikt_speed") as engine:
        yield engine


def test_incremental_cube_equals_full_rebuild_sqlite(sqlite_eng: sa.Engine) -> None:
    check_cube_equals_full_rebuild(sqlite_eng)


@pytest.mark.postgres
def test_incremental_cube_equals_full_rebuild_pg(pg_eng: sa.Engine) -> None:
    check_cube_equals_full_rebuild(pg_eng)


def _ledger_ddl(engine: sa.Engine) -> tuple[set[str], set[str]]:
    insp = sa.inspect(engine)
    fks = {fk["name"] for fk in insp.get_foreign_keys("ledger_line")}
    idx = {ix["name"] for ix in insp.get_indexes("ledger_line")}
    return fks, idx


@pytest.mark.postgres
def test_pg_bulk_load_keeps_the_guarantees(
    pg_eng: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bulk_load_keeps_the_guarantees(pg_eng, monkeypatch)
    # The foreign keys are real again: a line pointing at no batch is refused.
    with pytest.raises(sa.exc.IntegrityError), pg_eng.begin() as c:
        c.execute(
            sa.text(
                "UPDATE ledger_line SET batch_id = -1 WHERE id = (SELECT min(id) FROM ledger_line)"
            )
        )


def test_sqlite_bulk_load_keeps_the_guarantees(
    sqlite_eng: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite drops and rebuilds the secondary indexes only, inside the import transaction."""
    _bulk_load_keeps_the_guarantees(sqlite_eng, monkeypatch)


def _bulk_load_keeps_the_guarantees(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    declared = _ledger_ddl(engine)
    assert len(declared[1]) >= 4
    if engine.dialect.name == "postgresql":
        assert len(declared[0]) == 4
    monkeypatch.setattr(bulkload, "MIN_ROWS", 1)  # every load takes the bulk path
    monkeypatch.setattr(bulkload, "MIN_SHARE", 0.0)
    used: list[bool] = []
    real = bulkload.bulk_load

    def spy(conn, table, incoming):  # type: ignore[no-untyped-def]
        cm = real(conn, table, incoming)
        dropped = cm.__enter__()
        used.append(dropped)

        class _Wrap:
            def __enter__(self):  # type: ignore[no-untyped-def]
                return dropped

            def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                return cm.__exit__(*exc)

        return _Wrap()

    from data_access.importing import pipeline

    monkeypatch.setattr(pipeline, "bulk_load", spy)
    # Interrupted half-way through the insert: everything as before, constraints included.
    check_interrupted_import_leaves_db_unchanged(engine, monkeypatch)
    assert used and all(used)
    assert _ledger_ddl(engine) == declared


@pytest.mark.postgres
def test_a_large_load_leaves_fresh_planner_statistics(
    pg_eng: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a load large against what was stored, PostgreSQL's row estimates are current
    (ANALYZE in the import's transaction), so the next queries are planned on real sizes; a
    small load leaves them to autovacuum."""

    def estimated_and_counted(table: str) -> tuple[float, int]:
        with pg_eng.connect() as c:
            est = c.execute(
                sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
            ).scalar_one()
            n = c.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        return float(est), int(n)

    import_file(pg_eng, to_csv(standard_rows()), filename="first.csv", username="t")
    with pg_eng.begin() as c:
        c.exec_driver_sql("ANALYZE ledger_line, spend_cube")
    stale = estimated_and_counted("ledger_line")
    assert stale[0] == stale[1] == 12
    import_file(pg_eng, to_csv(_rows(30, year=2023)), filename="small.csv", username="t")
    assert estimated_and_counted("ledger_line") == (12.0, 42)  # small: statistics untouched
    monkeypatch.setattr(bulkload, "MIN_ROWS", 100)  # so that 300 lines count as large
    import_file(pg_eng, to_csv(_rows(300, year=2024, offset=100)), filename="big.csv", username="t")
    for table in ("ledger_line", "spend_cube"):
        est, n = estimated_and_counted(table)
        assert est == n and n > 0, table
    assert estimated_and_counted("ledger_line")[1] == 342
