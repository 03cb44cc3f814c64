"""Import throughput: a generated ledger CSV through ``import_file`` into a fresh SQLite
database, beside a plain ``polars.read_csv`` of the same file in the same run.

    uv run python bench/import_bench.py [--rows 1000000] [--database-url URL]

The CSV is a Visma-like export (semicolon, decimal comma with space thousands, dd.mm.yyyy, 400
suppliers, six accounts, 5 % rows to quarantine or exclude), so every stage does real work.
Prints a small table: seconds and rows per second for each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data_access.importing import import_file  # noqa: E402
from data_access.store.db import make_engine, migrate  # noqa: E402
from data_access.store.reference import seed_reference  # noqa: E402
from tests.import_helpers import amount_text, valid_orgnr  # noqa: E402


def make_csv(n: int) -> bytes:
    i = pl.int_range(0, n, eager=True)
    munis = ["5006", "5037", "5038", "5041", "5053", "5099"]  # 5099: unknown → quarantine
    accounts = ["12000", "27000", "23000", "11500", "18000", "01000"]  # 010: wages → excluded
    df = pl.DataFrame({"i": i, "ore": (i * 7919) % 5_000_000 - 100_000}).with_columns(
        Kommunenr=pl.when(pl.col("i") % 40 == 0)
        .then(pl.lit("5099"))
        .otherwise(pl.col("i").mod(5).replace_strict(dict(enumerate(munis[:5])))),
        Dato=(pl.lit(dt.date(2019, 1, 1)) + pl.duration(days=pl.col("i") % 2500)).dt.strftime(
            "%d.%m.%Y"
        ),
        Orgnr=pl.col("i").mod(400).replace_strict({k: valid_orgnr(k * 10) for k in range(400)}),
        Leverandør=pl.format("Leverandør {} AS", pl.col("i") % 400),
        Konto=pl.when(pl.col("i") % 50 == 1)
        .then(pl.lit(accounts[5]))
        .otherwise(pl.col("i").mod(5).replace_strict(dict(enumerate(accounts[:5])))),
        Beløp=amount_text(pl.col("ore")),
        Fakturanr=pl.format("F{}", "i"),
    )
    buf = io.BytesIO()
    df.select("Kommunenr", "Dato", "Orgnr", "Leverandør", "Konto", "Beløp", "Fakturanr").write_csv(
        buf, separator=";"
    )
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        t0 = time.perf_counter()
        path.write_bytes(make_csv(args.rows))
        t_gen = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6

        t0 = time.perf_counter()
        plain = pl.read_csv(path, separator=";", infer_schema=False)
        t_read = time.perf_counter() - t0
        assert plain.height == args.rows

        engine = make_engine(args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        migrate(engine)
        with engine.begin() as c:
            seed_reference(c)
        stages: dict[str, float] = {}
        last = [time.perf_counter(), "start"]

        def progress(_f: float, msg: str) -> None:
            now = time.perf_counter()
            key = str(last[1]).split(":")[0]
            stages[key] = stages.get(key, 0.0) + now - float(last[0])
            last[0], last[1] = now, msg

        t0 = time.perf_counter()
        report = import_file(engine, path, username="bench", progress=progress)
        t_import = time.perf_counter() - t0
        t_again = time.perf_counter()
        again = import_file(engine, path, username="bench")
        t_again = time.perf_counter() - t_again

    n = args.rows
    print(f"\nFil: {n:,} rader; {size_mb:.0f} MB (generert på {t_gen:.1f} s)\n".replace(",", " "))
    print(f"{'steg':<44}{'sekunder':>10}{'rader/s':>14}")
    rows = [
        ("polars.read_csv (samme fil, bare lesing)", t_read),
        ("import_file (les, kontroller, lagre, kube)", t_import),
        ("import_file samme fil igjen (alt utelatt)", t_again),
    ]
    for label, secs in rows:
        rate = f"{n / secs:,.0f}".replace(",", " ")
        print(f"{label:<44}{secs:>10.2f}{rate:>14}")
    print("\nfordelt på trinn i importen:")
    for k, v in stages.items():
        if k != "start":
            print(f"  {k:<38}{v:>10.2f}")
    print(f"\n{report.summary()}\n{again.summary()}")


if __name__ == "__main__":
    main()
