"""Quarantined rows: list, download as CSV, correct and re-import (PRODUCT.md §3.2, issue 3).

A quarantined row keeps its text in ledger fields (``raw_json``: file, row and ``felt``), so it
can be corrected without the original file. Re-importing runs the rows through the same
validation and storage as a file import, in one transaction: the old quarantine rows are marked
resolved (fixed or superseded), rows that still fail get a new quarantine row with the new
reason, so the open list never holds the same row twice.

The list is line detail: :func:`quarantine_rows` needs a scope that may see lines, limits a
kommune user to its municipalities and never shows a private person's name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.importing.layouts import LAYOUTS, Layout
from data_access.importing.pipeline import ImportReport, Progress, _noop, process
from data_access.importing.profiles import FIELDS, Profile
from data_access.importing.reader import NFIELDS_COL, ROW_COL, decode
from data_access.importing.validate import orgnr_digits, private_rows
from data_access.store import schema
from data_access.store.db import connected, read_frame
from data_access.store.escape import csv_bytes, unsafe_cells
from data_access.store.scope import Scope, historical_codes
from data_access.store.suppliers import PRIVATE_LABEL

ID_COL = "karantene_id"
_MASKED = ("supplier_name", "supplier_orgnr")  # fields :func:`_mask_private` may replace


def _open_stmt(
    conn: sa.Connection,
    scope: Scope | None,
    *,
    batch_id: int | None = None,
    include_resolved: bool = False,
) -> sa.Select[Any]:
    """Quarantine rows (all columns) in ``scope``'s municipalities; ``None`` = no limit."""
    q = schema.quarantine_row
    stmt = sa.select(q.c.id, q.c.batch_id, q.c.row_number, q.c.reason, q.c.raw_json, q.c.resolved)
    if not include_resolved:
        stmt = stmt.where(q.c.resolved.is_(False))
    if batch_id is not None:
        stmt = stmt.where(q.c.batch_id == batch_id)
    if scope is not None:
        codes = historical_codes(conn, scope)
        if codes is not None:
            stmt = stmt.where(q.c.municipality_code.in_(codes))
    return stmt.order_by(q.c.id)


def _frame(raw: pl.DataFrame) -> pl.DataFrame:
    """karantene_id, import, fil, rad, årsak and the ledger fields, as stored (unmasked)."""
    field_cols = {f: pl.String for f in FIELDS}
    if raw.height == 0:
        return pl.DataFrame(
            schema={
                ID_COL: pl.Int64,
                "import": pl.Int64,
                "fil": pl.String,
                "rad": pl.Int64,
                "årsak": pl.String,
                **field_cols,
            }
        )
    parsed = [json.loads(s) for s in raw["raw_json"]]
    fields = pl.DataFrame([p.get("felt", {}) for p in parsed], schema=field_cols)
    return pl.concat(
        [
            raw.select(
                pl.col("id").cast(pl.Int64).alias(ID_COL),
                pl.col("batch_id").cast(pl.Int64).alias("import"),
            ),
            pl.DataFrame({"fil": [p.get("fil") for p in parsed]}, schema={"fil": pl.String}),
            raw.select(
                pl.col("row_number").cast(pl.Int64).alias("rad"), pl.col("reason").alias("årsak")
            ),
            fields,
        ],
        how="horizontal",
    )


def _mask_private(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows of private persons (flagged, a person number, or a person-like name without a valid
    orgnr: :func:`validate.private_rows`) with the name and any person number replaced by
    "Privatperson" (also in the reason). :func:`reimport_quarantine` puts the stored values back
    for fields still holding the label, so a masked list can be corrected and re-imported."""
    if rows.height == 0:
        return rows
    private = private_rows(rows)
    person_no = orgnr_digits(pl.col("supplier_orgnr")).str.contains(r"^\d{11}$").fill_null(False)
    return rows.with_columns(
        supplier_name=pl.when(private & pl.col("supplier_name").is_not_null())
        .then(pl.lit(PRIVATE_LABEL))
        .otherwise("supplier_name"),
        supplier_orgnr=pl.when(private & person_no)
        .then(pl.lit(PRIVATE_LABEL))
        .otherwise("supplier_orgnr"),
        årsak=pl.when(private)
        .then(pl.col("årsak").str.replace_all(r"\d{11}", PRIVATE_LABEL))
        .otherwise("årsak"),
    )


def quarantine_rows(
    conn: sa.Connection | sa.Engine,
    *,
    scope: Scope,
    batch_id: int | None = None,
    include_resolved: bool = False,
    limit: int | None = None,
) -> pl.DataFrame:
    """Quarantined rows with their reason and fields: karantene_id, import, fil, rad, årsak, …

    Line-level data, so only for a ``scope`` that may see invoice lines (``PermissionError``
    otherwise, e.g. a ``leder`` without line detail); a kommune scope gets the rows of its
    municipalities (their historical codes included; rows without a municipality are
    staff-only). Private persons are never shown by name, to anyone: their name (and a person
    number in the orgnr field) reads "Privatperson".
    """
    if not scope.may_see_lines:
        raise PermissionError("karantenerader er linjedetaljer; rollen har ikke tilgang til dem")
    with connected(conn) as conn:
        stmt = _open_stmt(conn, scope, batch_id=batch_id, include_resolved=include_resolved)
        if limit:
            stmt = stmt.limit(limit)
        return _mask_private(_frame(read_frame(conn, stmt)))


def quarantine_reasons(conn: sa.Connection | sa.Engine, *, scope: Scope) -> pl.DataFrame:
    """Only the reasons (``reason``) of the open quarantine rows in ``scope``'s municipalities:
    what the data-quality figures count, for every role (no line detail, no names)."""
    with connected(conn) as conn:
        rows = _mask_private(_frame(read_frame(conn, _open_stmt(conn, scope))))
        return rows.select(reason="årsak")


def changed_ids(before: pl.DataFrame, after: pl.DataFrame) -> list[int]:
    """``karantene_id`` of rows whose ledger fields differ between two versions of the list.

    >>> a = pl.DataFrame({"karantene_id": [1, 2], "amount": ["x", "5"]})
    >>> changed_ids(a, pl.DataFrame({"karantene_id": [1, 2], "amount": ["7", "5"]}))
    [1]
    """
    fields = [f for f in FIELDS if f in before.columns and f in after.columns]
    joined = before.select(ID_COL, *fields).join(
        after.select(ID_COL, *[pl.col(f).alias(f"{f}_ny") for f in fields]), on=ID_COL
    )
    differs = pl.any_horizontal(
        [
            pl.col(f).fill_null("").ne(pl.col(f"{f}_ny").cast(pl.String).fill_null(""))
            for f in fields
        ]
    )
    return sorted(joined.filter(differs)[ID_COL].to_list())


def quarantine_csv(rows: pl.DataFrame) -> bytes:
    """The rows as a semicolon CSV with a BOM (opens in Excel); edit, then re-import it.

    Text from the file that would run as a formula (``=``, ``+``, ``-``, ``@``…) gets a leading
    apostrophe (``data_access.store.escape``); the re-import takes it off again."""
    return csv_bytes(rows)


def _read_corrected(data: bytes) -> pl.DataFrame:
    text, _ = decode(data)
    head = text.split("\n", 1)[0]
    sep = max((";", ",", "\t"), key=head.count)
    frame = unsafe_cells(pl.read_csv(text.encode("utf-8"), separator=sep, infer_schema=False))
    if ID_COL not in frame.columns:
        raise ValueError(f"filen mangler kolonnen {ID_COL}; last ned karantenelisten og rett i den")
    return frame


def batch_layout(conn: sa.Connection, batch_ids: list[int]) -> Layout:
    """The account layout the rows' files were read with (issue 10), so a corrected row's art
    is read as its file's was; batches from before layouts were reported used the ``art``
    layout. Rows from files with different layouts must be re-imported one file at a time."""
    b = schema.import_batch
    found: dict[str, Layout] = {}
    for (js,) in conn.execute(sa.select(b.c.report_json).where(b.c.id.in_(batch_ids))):
        lay = (json.loads(js) if js else {}).get("layout") or {}
        layout = (
            Layout(str(lay["navn"]), str(lay["mønster"]), str(lay.get("beskrivelse", "")))
            if lay.get("mønster")
            else LAYOUTS["art"]
        )
        found[layout.pattern] = layout
    if len(found) > 1:
        raise ValueError(
            "radene kommer fra filer med ulike kontooppsett ("
            + ", ".join(sorted(lay.label for lay in found.values()))
            + "); importer dem én fil om gangen"
        )
    return next(iter(found.values()), LAYOUTS["art"])


def reimport_quarantine(
    engine: sa.Engine,
    corrected: pl.DataFrame | bytes,
    *,
    username: str,
    ids: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Re-import quarantined rows, corrected or not (e.g. after adding a municipality).

    ``corrected`` is a frame (or the CSV from :func:`quarantine_csv`) with ``karantene_id`` and
    ledger-field columns; only open rows are taken (optionally only ``ids``).
    """
    progress = progress or _noop
    frame = _read_corrected(corrected) if isinstance(corrected, bytes) else corrected
    frame = frame.with_columns(pl.col(ID_COL).cast(pl.Int64))
    if ids is not None:
        frame = frame.filter(pl.col(ID_COL).is_in(list(ids)))
    digest = hashlib.sha256(frame.write_csv().encode("utf-8")).hexdigest()
    report = ImportReport(file_name="karantene (rettet)", file_hash=digest, profile="karantene")
    q = schema.quarantine_row
    with engine.begin() as conn:
        stored = _frame(read_frame(conn, _open_stmt(conn, None)))
        open_rows = stored.select(
            ID_COL, "fil", "rad", *[pl.col(f).alias(f"{f}_lagret") for f in _MASKED]
        )
        frame = frame.select(
            ID_COL,
            *[
                pl.col(f).cast(pl.String)
                if f in frame.columns
                else pl.lit(None, pl.String).alias(f)
                for f in FIELDS
            ],
        ).join(open_rows, on=ID_COL, how="inner")
        frame = frame.with_columns([pl.col(f).str.strip_chars() for f in FIELDS])
        # Fields masked in the list (still "Privatperson") get their stored values back.
        frame = frame.with_columns(
            [
                pl.when(pl.col(f) == PRIVATE_LABEL)
                .then(pl.col(f"{f}_lagret"))
                .otherwise(pl.col(f))
                .alias(f)
                for f in _MASKED
            ]
        ).drop([f"{f}_lagret" for f in _MASKED])
        lines = frame.select(
            pl.col(ID_COL).alias(ROW_COL),
            pl.lit(1, pl.Int32).alias(NFIELDS_COL),
            pl.lit(1, pl.Int32).alias("_width"),
            *FIELDS,
            _fil="fil",
            _rad="rad",
        )
        if lines.height == 0:
            report.error = "ingen åpne karantenerader å importere"
            return report
        batches = stored.filter(pl.col(ID_COL).is_in(lines[ROW_COL].implode()))["import"]
        try:
            layout = batch_layout(conn, batches.unique().to_list())
        except ValueError as exc:
            report.error = str(exc)
            return report
        process(
            conn,
            lines,
            report,
            profile=Profile(name="karantene"),
            username=username,
            progress=progress,
            layout=layout,
        )
        conn.execute(
            q.update()
            .where(q.c.id.in_(lines[ROW_COL].to_list()), q.c.batch_id != report.batch_id)
            .values(resolved=True)
        )
    progress(1.0, "Ferdig")
    return report
