"""Benchmark: what a dashboard interaction costs at realistic scale, against plain baselines.

Run: ``make bench`` or ``uv run python bench/cube_bench.py --size 1.0`` (size 1.0 ≈ 150 000
lines a year, 2019 → last full quarter ≈ 1.1 M ledger lines). Prints one table; every number is
measured in this run on this machine.

What is compared, for the same figure (total purchase spend and e-handel share for one year):
- the app's path: the spend cube read once per scope and data version (cached afterwards),
  then ``headline()`` in Polars on every interaction;
- SQL on the ledger in the embedded database (what a page would cost without the cube);
- plain Polars and DuckDB over a Parquet copy of the ledger (the baseline of a columnar file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from data_access import demo
from data_access.metrics.overview import headline
from data_access.metrics.savings import savings_factors
from data_access.store import schema
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube
from data_access.store.db import make_engine, migrate, read_frame
from data_access.store.filters import Filters
from data_access.store.scope import Scope


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:  # noqa: PLR0915 - one linear measuring script, read top to bottom
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=float, default=1.0)
    ap.add_argument("--year", type=int, default=2025)
    args = ap.parse_args()
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        migrate(engine)

        def gen() -> dict[str, int]:
            with engine.begin() as c:
                return demo.generate(c, size=args.size, today=dt.date(2026, 11, 25))

        secs, info = timed(gen)
        assert isinstance(info, dict)
        n_lines, n_cube = info["lines"], info["cube_rows"]
        rows.append(("generate + insert demo ledger + build cube", secs, f"{n_lines:,} lines"))

        secs, cube = timed(lambda: load_cube(engine, Scope.everything()))
        assert isinstance(cube, pl.DataFrame)
        rows.append(
            ("load scoped cube from SQLite (once per data version)", secs, f"{n_cube:,} cube rows")
        )
        secs, _ = timed(
            lambda: load_cube(engine, Scope(role="kommune", municipalities=frozenset({"5038"})))
        )
        rows.append(("load cube for one municipality (kommune user)", secs, ""))

        factors = savings_factors(load_agreements(engine))
        f = Filters.year(args.year)
        secs, h = timed(lambda: headline(cube, f, factors, 7.5e6), repeat=5)
        rows.append(("headline figures on the cached cube (per interaction)", secs, ""))

        start, end = dt.date(args.year, 1, 1), dt.date(args.year + 1, 1, 1)
        lt = schema.ledger_line
        q = sa.select(
            sa.func.sum(lt.c.amount_ore),
            sa.func.sum(sa.case((lt.c.ehandel, lt.c.amount_ore), else_=0)),
        ).where(
            lt.c.date >= start,
            lt.c.date < end,
            lt.c.spend_class == "purchase",
            lt.c.area == "drift",
        )
        with engine.connect() as c:
            secs, sql_row = timed(lambda: c.execute(q).one(), repeat=3)
        rows.append(("same two sums as SQL over the ledger (SQLite)", secs, ""))

        secs, ledger = timed(
            lambda: read_frame(
                engine,
                sa.select(lt.c.date, lt.c.amount_ore, lt.c.ehandel, lt.c.spend_class, lt.c.area),
            )
        )
        assert isinstance(ledger, pl.DataFrame)
        rows.append(
            ("read 5 ledger columns from SQLite into Polars", secs, f"{ledger.height:,} rows")
        )
        pq = Path(tmp) / "ledger.parquet"
        ledger.write_parquet(pq)

        def polars_baseline() -> tuple[int, int]:
            d = (
                pl.scan_parquet(pq)
                .filter(
                    pl.col("date").is_between(start, end, closed="left"),
                    pl.col("spend_class") == "purchase",
                    pl.col("area") == "drift",
                )
                .select(
                    pl.col("amount_ore").sum(),
                    pl.col("amount_ore").filter("ehandel").sum().alias("eh"),
                )
                .collect()
            )
            return int(d[0, 0]), int(d[0, 1])

        secs, pol = timed(polars_baseline, repeat=5)
        rows.append(("baseline: plain Polars scan_parquet + filter + sum", secs, ""))
        try:
            import duckdb

            con = duckdb.connect()
            sql = (
                f"select sum(amount_ore), sum(case when ehandel then amount_ore else 0 end) from '{pq}' "
                f"where date >= DATE '{start}' and date < DATE '{end}' and spend_class='purchase' and area='drift'"
            )
            secs, duck = timed(lambda: con.sql(sql).fetchall()[0], repeat=5)
            rows.append(("baseline: DuckDB over the same Parquet", secs, ""))
        except ImportError:
            duck = None

    assert isinstance(h, object)
    spend_sql = int(sql_row[0]) / 100
    assert abs(h.spend - spend_sql) < 0.01, (h.spend, spend_sql)
    assert pol[0] == int(sql_row[0])
    if duck is not None:
        assert int(duck[0]) == int(sql_row[0])
    print(
        f"\nScale: demo size {args.size} → {n_lines:,} ledger lines, {n_cube:,} cube rows; figures for {args.year}."
    )
    print("All paths agree on the spend to the øre.\n")
    print(f"| {'step':<58} | {'seconds':>8} | note |")
    print(f"|{'-' * 60}|{'-' * 10}|------|")
    for name, secs, note in rows:
        print(f"| {name:<58} | {secs:>8.3f} | {note} |")


if __name__ == "__main__":
    main()
