"""Builders for the import tests: rows with known values and fates, formatted as real exports.

Each row carries its intended amount in øre and its expected fate, so the tests compare what the
importer stored against an independent computation rather than against its own parser.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import make_engine, migrate
from data_access.store.reference import seed_reference
from data_access.store.suppliers import orgnr_check_digit

EXCEL_EPOCH = dt.date(1899, 12, 30)


def valid_orgnr(seed: int) -> str:
    """A valid, clearly fictional orgnr (starts with 1, not assigned to real units here)."""
    n = seed
    while True:
        first8 = f"1{n:07d}"[:8]
        check = orgnr_check_digit(first8)
        if check is not None:
            return first8 + str(check)
        n += 1


def invalid_orgnr(seed: int) -> str:
    good = valid_orgnr(seed)
    return good[:8] + str((int(good[8]) + 1) % 10)


@dataclass
class Row:
    municipality: str | None
    date: dt.date | None
    amount_ore: int | None
    account: str = "12000"
    orgnr: str | None = None
    name: str | None = "Verdal Rør AS"
    supplier_no: str | None = None
    invoice: str = "F1"
    fate: str = "stored"  # stored | excluded | quarantine:<message>
    raw_amount: str | None = None  # overrides the formatted amount
    raw_date: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def fmt_amount(ore: int, style: str) -> str:
    neg = ore < 0
    kr, cents = divmod(abs(ore), 100)
    groups = f"{kr:,}"
    body = {
        "comma": groups.replace(",", " ") + f",{cents:02d}",
        "nbsp": groups.replace(",", "\u00a0") + f",{cents:02d}",
        "dot": groups.replace(",", ".") + f",{cents:02d}",
        "plain_comma": f"{kr},{cents:02d}",
        "point": f"{kr}.{cents:02d}",
        "comma_point": groups + f".{cents:02d}",
        "kr": "kr " + groups.replace(",", " ") + (f",{cents:02d}" if cents else ""),
    }[style.removesuffix("_trailing")]
    if neg:
        return body + "-" if style.endswith("_trailing") else "-" + body
    return body


def amount_text(ore: pl.Expr) -> pl.Expr:
    """Øre as kroner text with a decimal comma and no grouping: ``fmt_amount(…, "plain_comma")``
    as a column expression, for generated files of many rows (volume tests, the import bench).

    >>> pl.DataFrame({"ore": [-123405, 7]}).select(amount_text(pl.col("ore"))).to_series().to_list()
    ['-1234,05', '0,07']
    """
    return pl.format(
        "{}{},{}",
        pl.when(ore < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        ore.abs() // 100,
        (ore.abs() % 100).cast(pl.String).str.zfill(2),
    )


def fmt_date(d: dt.date, style: str) -> str:
    return {
        "dmy": d.strftime("%d.%m.%Y"),
        "iso": d.isoformat(),
        "iso_time": d.isoformat() + "T00:00:00",
        "dmy2": d.strftime("%d.%m.%y"),
        "serial": str((d - EXCEL_EPOCH).days),
        "slash": d.strftime("%d/%m/%Y"),
    }[style]


HEAD = ["Kommunenr", "Dato", "Orgnr", "Leverandør", "Leverandørnr", "Konto", "Beløp", "Fakturanr"]


def cells(r: Row, amount_style: str, date_style: str) -> list[str]:
    return [
        r.municipality or "",
        r.raw_date if r.raw_date is not None else (fmt_date(r.date, date_style) if r.date else ""),
        r.orgnr or "",
        r.name or "",
        r.supplier_no or "",
        r.account,
        r.raw_amount
        if r.raw_amount is not None
        else (fmt_amount(r.amount_ore, amount_style) if r.amount_ore is not None else ""),
        r.invoice,
    ]


def to_csv(
    rows: list[Row],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    amount: str = "comma",
    date: str = "dmy",
    bom: bool = False,
    preamble: list[str] | None = None,
    newline: str = "\n",
    head: list[str] | None = None,
) -> bytes:
    out = io.StringIO()
    for line in preamble or []:
        out.write(line + newline)
    out.write(sep.join(head or HEAD) + newline)
    for r in rows:
        vals = cells(r, amount, date)
        vals = [f'"{v}"' if (sep in v or '"' in v) else v for v in vals]
        out.write(sep.join(vals) + newline)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def to_xlsx(rows: list[Row], *, native: bool = True, preamble: list[str] | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in preamble or []:
        ws.append([line])
    ws.append(HEAD)
    for r in rows:
        if native:
            ws.append(
                [
                    r.municipality,
                    r.date,
                    r.orgnr,
                    r.name,
                    r.supplier_no,
                    r.account,
                    (r.amount_ore / 100 if r.amount_ore is not None else None),
                    r.invoice,
                ]
            )
            ws.cell(row=ws.max_row, column=2).number_format = "DD.MM.YYYY"
        else:
            ws.append(cells(r, "comma", "dmy"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def standard_rows(n: int = 12, *, credit_only: bool = False) -> list[Row]:
    """Valid purchase lines with varied amounts (large, small, credit notes, cents)."""
    amounts = [123450, 99, 100000000, -45025, 1, 5000000, 77777, -100, 250005, 31415926, 1200, 60]
    rows = []
    for i in range(n):
        ore = amounts[i % len(amounts)] + i
        if credit_only:
            ore = -abs(ore)
        rows.append(
            Row(
                municipality=["5038", "5037", "5053", "5006", "5041"][i % 5],
                date=dt.date(2021, 1 + i % 12, 1 + i % 28),
                amount_ore=ore,
                account=["12000", "27010", "1150", "230", "18000"][i % 5],
                orgnr=valid_orgnr(1000 + i % 4),
                name=f"Leverandør {i % 4} AS",
                invoice=f"F{i}",
            )
        )
    return rows


def template_db(folder: Path) -> Path:
    path = folder / "template.sqlite"
    if not path.exists():
        eng = make_engine(f"sqlite:///{path}")
        migrate(eng)
        with eng.begin() as c:
            seed_reference(c)
        eng.dispose()
    return path


def fresh_engine(template: Path, tmp_path: Path) -> sa.Engine:
    target = tmp_path / "t.sqlite"
    shutil.copy(template, target)
    return make_engine(f"sqlite:///{target}")


def snapshot(engine: sa.Engine) -> dict[str, object]:
    """Counts and sums of every table an import touches, to show "unchanged"."""
    out: dict[str, object] = {}
    with engine.connect() as c:
        for t in (
            schema.ledger_line,
            schema.supplier,
            schema.supplier_alias,
            schema.import_batch,
            schema.quarantine_row,
            schema.spend_cube,
            schema.audit_log,
            schema.app_setting,
        ):
            out[t.name] = c.execute(sa.select(sa.func.count()).select_from(t)).scalar()
        out["sum"] = c.execute(sa.select(sa.func.sum(schema.ledger_line.c.amount_ore))).scalar()
        out["version"] = c.execute(
            sa.select(schema.app_setting.c.value).where(schema.app_setting.c.key == "data_version")
        ).scalar()
    return out


@contextlib.contextmanager
def pg_reference_engine(prefix: str) -> Iterator[sa.Engine]:
    """An engine on a fresh PostgreSQL database (``conftest.fresh_pg_database``: skipped or
    failed as that says when no server answers), migrated and holding the reference data only."""
    from tests.conftest import fresh_pg_database  # only the PostgreSQL tests need pytest's side

    with fresh_pg_database(prefix) as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            with engine.begin() as c:
                seed_reference(c)
            yield engine
        finally:
            engine.dispose()


def many_rows(n: int, offset: int = 0) -> list[Row]:
    """``n`` valid Verdal lines of 2022 over 50 suppliers, invoices numbered from ``offset``
    (distinct lines for each offset range)."""
    return [
        Row(
            "5038",
            dt.date(2022, 1 + i % 12, 1 + i % 28),
            1000 + i * 7,
            orgnr=valid_orgnr(2000 + i % 50),
            name=f"Firma {i % 50} AS",
            account="12000",
            invoice=f"G{offset + i}",
        )
        for i in range(offset, offset + n)
    ]
