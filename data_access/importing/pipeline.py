"""The transactional import: file → validated lines → suppliers, categories, agreements → DB.

Guarantees (PRODUCT.md §3.2), and how they are kept:

* **Every row is accounted for.** Each data row ends as stored, quarantined (``quarantine_row``
  with a Norwegian reason) or excluded by rule (non-purchase art, or already imported); the
  report's three counts add up to ``rows_read`` (asserted before commit). Rows blank in every
  column are not data rows and are reported apart (``blank_rows``).
* **All or nothing.** Everything happens in one ``engine.begin()`` transaction, cube rebuild and
  data-version bump included; any exception rolls it all back. A failed import is then logged in
  ``audit_log`` in a transaction of its own.
* **Nothing twice.** Each line has a ``line_hash`` of its identity (see
  :func:`validate.with_identity`), unique in the table; lines whose hash is already stored are
  excluded as duplicates. A file whose SHA-256 was imported before is excluded whole.
* **Logged.** An ``import_batch`` row (who, when, file, hash, counts, ``report_json``) and an
  ``audit_log`` entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import polars as pl
import sqlalchemy as sa

from data_access.importing.classify import classify
from data_access.importing.layouts import LAYOUTS, Layout, choose_layout
from data_access.importing.limits import FIELD_MAX, shown_headings, truncate_fields
from data_access.importing.parsers import Decimal
from data_access.importing.profiles import FIELDS, REQUIRED, Profile, load_profile, match_columns
from data_access.importing.reader import ROW_COL, FileFormatError, read_table
from data_access.importing.validate import canonical, line_hash, validate, with_identity
from data_access.store import schema
from data_access.store.agreements import load_agreements, load_parties, match_agreements
from data_access.store.bulkload import bulk_load, refresh_statistics
from data_access.store.categories import load_rules, unclassified_id
from data_access.store.cube import add_lines_to_cube
from data_access.store.db import audit, bulk_insert, bump_data_version, inserted_id, read_frame
from data_access.store.pseudo import pseudo_expr
from data_access.store.suppliers import PRIVATE_LABEL

Progress = Callable[[float, str], None]
EXAMPLES_PER_REASON = 5
INSERT_CHUNK = 200_000

EXIT_OK = 0
EXIT_FAILED = 2
EXIT_QUARANTINED = 3


class ImportFailed(Exception):
    """The file could not be imported at all; nothing was stored. Message in Norwegian."""


@dataclass
class ImportReport:
    """What happened to one file; ``report_json`` in ``import_batch`` is this as JSON."""

    file_name: str
    file_hash: str
    profile: str
    batch_id: int | None = None
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    rows_excluded: int = 0
    blank_rows: int = 0
    amount_stored_ore: int = 0
    new_suppliers: int = 0
    already_imported_batch: int | None = None
    detected: dict[str, object] = field(default_factory=dict)
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    excluded_by_reason: dict[str, int] = field(default_factory=dict)
    warnings_by_kind: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    error: str | None = None
    #: Account layout used: name, label, source (profile or proposed), examples account → art.
    layout: dict[str, object] = field(default_factory=dict)
    #: Fields given one value for every row (``[fixed]`` or the import page).
    fixed: dict[str, str] = field(default_factory=dict)
    #: Where the area came from: kolonne, fast verdi, kontoklasse, standard (drift).
    area_source: str = ""
    #: Stored lines paying private persons, by reason (fnr, flagg, mistanke), and of those
    #: suspected (person-like name) how many distinct names; names are never in the report.
    private_lines: dict[str, int] = field(default_factory=dict)
    private_suspected_suppliers: int = 0
    #: Stored lines of pseudo-suppliers marked by the profile's ``[values] pseudo``.
    pseudo_lines: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exit_code(self) -> int:
        """0 all rows stored or excluded by rule; 3 rows quarantined; 2 import failed."""
        if self.error is not None:
            return EXIT_FAILED
        return EXIT_QUARANTINED if self.rows_quarantined else EXIT_OK

    def summary(self) -> str:
        """One line for logs and the CLI."""
        if self.error:
            return f"{self.file_name}: FEILET – {self.error} (ingenting lagret)"
        kr = f"{self.amount_stored_ore / 100:,.2f}".replace(",", " ").replace(".", ",")
        s = (
            f"{self.file_name}: {self.rows_read} rader lest, {self.rows_stored} lagret "
            f"({kr} kr), {self.rows_quarantined} i karantene, {self.rows_excluded} utelatt"
        )
        if self.already_imported_batch:
            s += f" (filen er importert før, import {self.already_imported_batch})"
        return s

    def details(self) -> list[str]:
        """Lines for the CLI and the page: layout with examples, fixed fields, private persons."""
        out: list[str] = []
        if self.layout:
            out.append(f"Kontooppsett: {self.layout['beskrivelse']} ({self.layout['kilde']})")
            examples = cast(list[dict[str, str]], self.layout.get("eksempler", []))
            for ex in examples:
                area = f", {ex['område']}" if "område" in ex else ""
                out.append(
                    f"  konto {ex['konto']} → art {ex['art']} → {SPEND_CLASS_LABEL.get(ex['klasse'], ex['klasse'])}{area}"
                )
        if self.fixed:
            shown = {k: FIXED_LABEL.get(v, v) for k, v in self.fixed.items()}
            out.append(
                "Faste verdier: " + ", ".join(f"{FIELDS.get(k, k)} = {v}" for k, v in shown.items())
            )
        if self.area_source:
            out.append(f"Område (drift/investering) fra: {self.area_source}")
        excluded_wages = self.excluded_by_reason.get("ikke_innkjop", 0)
        if excluded_wages:
            out.append(
                f"Utelatt som ikke innkjøp (lønn, overføringer o.l.): {excluded_wages} rader"
            )
        if self.private_lines:
            parts = [
                f"{PRIVATE_REASON_LABEL.get(k, k)}: {v}" for k, v in self.private_lines.items()
            ]
            out.append("Privatpersoner (vises som «Privatperson»): " + ", ".join(parts) + " linjer")
        if self.private_suspected_suppliers:
            out.append(
                f"  {self.private_suspected_suppliers} navn ser ut som personnavn og er skjult; "
                "en administrator kan se og frigi dem under Administrasjon → Privatpersoner"
            )
        if self.pseudo_lines:
            out.append(f"Samleposter (profilens pseudo-leverandører): {self.pseudo_lines} linjer")
        return out

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, rep: dict[str, Any]) -> ImportReport:
        """A report from its stored JSON (older reports lack the newer fields: defaults)."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in rep.items() if k in names})


SPEND_CLASS_LABEL = {
    "purchase": "innkjøp",
    "intra_public": "kjøp fra offentlige",
    "excluded": "ikke innkjøp (utelatt)",
}
PRIVATE_REASON_LABEL = {
    "fnr": "fødselsnummer",
    "flagg": "merket privat",
    "mistanke": "personlignende navn",
}
FIXED_LABEL = {"\x01ja": "ja", "\x01nei": "nei"}


def _noop(_f: float, _msg: str) -> None:
    return None


def _examples(
    frame: pl.DataFrame, kind_col: str, msg_col: str
) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    if frame.height == 0:
        return out
    ex = frame.group_by(kind_col, maintain_order=True).head(EXAMPLES_PER_REASON)
    for kind, row, msg in ex.select(kind_col, ROW_COL, msg_col).iter_rows():
        out.setdefault(kind, []).append({"rad": row, "melding": msg})
    return out


def _counts(frame: pl.DataFrame, col: str) -> dict[str, int]:
    if frame.height == 0:
        return {}
    return dict(frame.group_by(col).len().sort("len", descending=True).iter_rows())


def _existing_hashes(conn: sa.Connection, ok: pl.DataFrame) -> set[str]:
    """Hashes already in ``ledger_line`` that lines of ``ok`` could collide with.

    A line's identity includes its buyer and date, so only stored lines of the same
    municipalities within the file's date range can be duplicates: one indexed range query
    (``ix_ledger_muni_date``) instead of probing every hash; a new quarter finds nothing to read.
    """
    if ok.height == 0:
        return set()
    lt = schema.ledger_line
    stmt = sa.select(lt.c.line_hash).where(
        lt.c.municipality_code.in_(ok["municipality_code"].unique().to_list()),
        lt.c.date.between(ok["date_parsed"].min(), ok["date_parsed"].max()),
    )
    return set(conn.execute(stmt).scalars())


def _continue_occurrences(conn: sa.Connection, ok: pl.DataFrame) -> pl.DataFrame:
    """Occurrence numbers of re-imported quarantine rows, continued from their file's lines.

    A quarantined row was one line of its original file; once corrected it may be identical to
    a line of that file that was stored (two genuine, identical purchases). Numbered from 0 on
    its own it would get the stored line's hash and be excluded as a duplicate: spend lost. So
    the count starts after the consecutive occurrences (0, 1, …) of the same identity already
    stored by an import of that file (same file name) or by earlier quarantine re-imports.
    A line of another, overlapping file with the same number is still a duplicate.
    """
    lt, b = schema.ledger_line, schema.import_batch
    ok = ok.with_columns(pl.col("_fil").fill_null(""))
    files = ok["_fil"].unique().to_list()
    stmt = (
        sa.select(lt.c.line_hash, b.c.file_name, b.c.profile)
        .join(b, b.c.id == lt.c.batch_id)
        .where(
            lt.c.municipality_code.in_(ok["municipality_code"].unique().to_list()),
            lt.c.date.between(ok["date_parsed"].min(), ok["date_parsed"].max()),
            sa.or_(b.c.file_name.in_(files), b.c.profile == "karantene"),
        )
    )
    own: dict[str, set[str]] = {}
    shared: set[str] = set()
    for h, fname, prof in conn.execute(stmt):
        (shared if prof == "karantene" else own.setdefault(fname, set())).add(h)
    start: dict[tuple[str, str], int] = {}
    for fil, ident in ok.select("_fil", "line_ident").unique().iter_rows():
        stored = own.get(fil, set()) | shared
        n = 0
        while line_hash(ident, n) in stored:
            n += 1
        start[(fil, ident)] = n
    offsets = pl.DataFrame(
        {
            "_fil": [k[0] for k in start],
            "line_ident": [k[1] for k in start],
            "_start": list(start.values()),
        },
        schema={"_fil": pl.String, "line_ident": pl.String, "_start": pl.Int64},
    )
    ok = ok.join(offsets, on=["_fil", "line_ident"], how="left", maintain_order="left")
    hashes = [
        line_hash(i, int(s) + int(o))
        for i, s, o in ok.select("line_ident", "_start", "occurrence").iter_rows()
    ]
    return ok.with_columns(line_hash=pl.Series(hashes, dtype=pl.String)).drop(
        "_start", "occurrence", "line_ident"
    )


def _reference(conn: sa.Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    m, a = schema.municipality, schema.art_class
    munis = read_frame(
        conn,
        sa.select(
            m.c.code, m.c.name, m.c.current_code, m.c.is_member, m.c.valid_from, m.c.valid_to
        ),
    )
    arts = read_frame(
        conn,
        sa.select(a.c.art_from, a.c.art_to, a.c.spend_class, a.c.kostra_group).order_by(
            a.c.art_from
        ),
    )
    return munis, arts


def _upsert_suppliers(conn: sa.Connection, lines: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Supplier ids (and NACE) for the lines' keys, inserting new suppliers; aliases counted."""
    s = schema.supplier
    if "private_reason" not in lines.columns:
        lines = lines.with_columns(private_reason=pl.lit(None, pl.String))
    if "is_pseudo" not in lines.columns:
        lines = lines.with_columns(is_pseudo=pl.lit(False))
    wanted = lines.group_by("supplier_key").agg(
        pl.col("identity_kind").first(),
        pl.col("orgnr").first(),
        pl.col("is_private").any(),
        pl.col("private_reason").drop_nulls().first(),
        pl.col("is_pseudo").any(),
        name=pl.col("supplier_name").drop_nulls().mode().sort().first(),
    )
    existing = read_frame(conn, sa.select(s.c.id, s.c.key, s.c.orgnr))
    new = wanted.join(existing.select(supplier_key="key"), on="supplier_key", how="anti")
    # An orgnr already used by another key cannot be inserted twice (unique orgnr).
    new = new.with_columns(
        orgnr=pl.when(pl.col("orgnr").is_in(existing["orgnr"].drop_nulls().implode()))
        .then(None)
        .otherwise("orgnr")
    )
    if new.height:
        bulk_insert(
            conn,
            s,
            new.select(
                key="supplier_key",
                identity_kind="identity_kind",
                orgnr="orgnr",
                name=pl.when(pl.col("is_private"))
                .then(pl.lit(PRIVATE_LABEL))
                .otherwise(pl.coalesce("name", pl.lit("(uten navn)")))
                .str.slice(0, 200),
                is_private="is_private",
                is_public=pl.lit(False),
                private_reason="private_reason",
                # A suspected person's name is held for admins to review (never displayed).
                held_name=pl.when(pl.col("private_reason") == "mistanke").then(
                    pl.col("name").str.slice(0, 200)
                ),
                is_pseudo="is_pseudo",
            ),
        )
    ids = (
        read_frame(
            conn,
            sa.select(s.c.id, s.c.key, s.c.nace)
            .where(s.c.key.in_(sa.bindparam("k", expanding=True)))
            .params(k=wanted["supplier_key"].to_list()),
        )
        if wanted.height <= 30_000
        else read_frame(conn, sa.select(s.c.id, s.c.key, s.c.nace))
    )
    ids = ids.select(supplier_id=pl.col("id").cast(pl.Int64), supplier_key="key", nace="nace")

    # Aliases: the spellings seen per supplier (never for private persons).
    al = schema.supplier_alias
    seen = (
        lines.filter(~pl.col("is_private") & pl.col("supplier_name").is_not_null())
        .group_by("supplier_key", "supplier_name")
        .len()
        .join(ids.select("supplier_key", "supplier_id"), on="supplier_key")
        .select("supplier_id", alias=pl.col("supplier_name").str.slice(0, 200), n_new="len")
        .group_by("supplier_id", "alias")
        .agg(pl.col("n_new").sum())
    )
    if seen.height:
        old = read_frame(
            conn,
            sa.select(al.c.supplier_id, al.c.alias, al.c.n_lines)
            .where(al.c.supplier_id.in_(sa.bindparam("ids", expanding=True)))
            .params(ids=seen["supplier_id"].unique().to_list()),
        ).with_columns(pl.col("supplier_id").cast(pl.Int64))
        both = seen.join(old, on=["supplier_id", "alias"], how="left")
        upd = both.filter(pl.col("n_lines").is_not_null())
        if upd.height:
            conn.execute(
                al.update()
                .where(al.c.supplier_id == sa.bindparam("sid"), al.c.alias == sa.bindparam("al"))
                .values(n_lines=sa.bindparam("n")),
                [
                    {"sid": r[0], "al": r[1], "n": int(r[2]) + int(r[3])}
                    for r in upd.select("supplier_id", "alias", "n_new", "n_lines").iter_rows()
                ],
            )
        ins = both.filter(pl.col("n_lines").is_null()).select(
            "supplier_id", "alias", n_lines="n_new"
        )
        bulk_insert(conn, al, ins)
    return ids, new.height


def _released(conn: sa.Connection, ok: pl.DataFrame) -> pl.DataFrame:
    """Lines of suppliers an admin released (a suspicion that was wrong) are not private."""
    s = schema.supplier
    keys = ok.filter(pl.col("is_private"))["supplier_key"].unique().to_list()
    if not keys:
        return ok
    released = set(
        conn.execute(
            sa.select(s.c.key).where(s.c.key.in_(keys), s.c.private_reason == "frigitt")
        ).scalars()
    )
    if not released:
        return ok
    return ok.with_columns(
        is_private=pl.col("is_private") & ~pl.col("supplier_key").is_in(sorted(released))
    )


def store_lines(
    conn: sa.Connection, ok: pl.DataFrame, batch_id: int, progress: Progress = _noop
) -> tuple[int, int]:
    """Classify, match and insert valid, new lines. Returns (lines, new suppliers).

    ``ok`` comes from :func:`validate.with_identity`. Runs in the caller's transaction.
    """
    if ok.height == 0:
        return 0, 0
    ids, n_new = _upsert_suppliers(conn, ok)
    lines = ok.join(ids, on="supplier_key", how="left", maintain_order="left").with_row_index("row")
    lines = classify(lines, load_rules(conn), unclassified_id(conn))
    munis = read_frame(
        conn, sa.select(schema.municipality.c.code, schema.municipality.c.current_code)
    )
    lines = lines.join(
        munis.select(municipality_code="code", municipality_now="current_code"),
        on="municipality_code",
        how="left",
        maintain_order="left",
    )
    parties, participants = load_parties(conn)
    lines = match_agreements(
        lines.drop("date")
        .rename({"date_parsed": "date"})
        .with_columns(pl.col("row").cast(pl.Int64)),
        load_agreements(conn),
        parties,
        participants,
    )
    out = lines.select(
        batch_id=pl.lit(batch_id),
        line_hash="line_hash",
        municipality_code="municipality_code",
        date="date",
        supplier_id="supplier_id",
        # Nothing that names or identifies a private person is stored on the line.
        supplier_orgnr_raw=pl.when(~pl.col("is_private")).then(
            pl.col("supplier_orgnr").str.slice(0, 40)
        ),
        supplier_name_raw=pl.when(pl.col("is_private"))
        .then(pl.lit(PRIVATE_LABEL))
        .otherwise(pl.col("supplier_name").str.slice(0, 200)),
        supplier_no=pl.col("supplier_no").str.slice(0, 40),
        account=pl.col("account_clean").str.slice(0, 20),
        art="art",
        function=pl.col("function").str.slice(0, 10),
        amount_ore="amount_ore",
        invoice_id=pl.col("invoice_id").str.slice(0, 60),
        ehandel="ehandel_flag",
        contract_ref=pl.col("contract_ref").str.slice(0, 60),
        area="area_clean",
        description="description",
        spend_class="spend_class",
        category_id="category_id",
        category_rule="category_rule",
        agreement_id="agreement_id",
    )
    # Inserting in line_hash order keeps the unique index's B-tree appends local (random SHA-1
    # order thrashes SQLite's page cache at a million lines); a larger cache helps the others.
    out = out.sort("line_hash")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    done = 0
    # A large file on PostgreSQL: foreign keys and secondary indexes are rebuilt once after the
    # load instead of being checked and updated per line (same transaction; see bulkload).
    with bulk_load(conn, schema.ledger_line, out.height) as large:
        for start in range(0, out.height, INSERT_CHUNK):
            chunk = out.slice(start, INSERT_CHUNK)
            bulk_insert(conn, schema.ledger_line, chunk)
            done += chunk.height
            progress(0.55 + 0.3 * done / out.height, f"Lagrer linjer: {done} av {out.height}")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default again
    progress(0.88, "Oppdaterer kuben")
    # The cube from the stored lines themselves (no re-aggregation of the ledger).
    add_lines_to_cube(conn, out)
    if large:  # a load large against what was stored: the planner's statistics are stale
        refresh_statistics(
            conn, (schema.ledger_line, schema.spend_cube, schema.spend_rollup, schema.supplier)
        )
    return out.height, n_new


def _quarantine_frame(q: pl.DataFrame, batch_id: int, file_name: str) -> pl.DataFrame:
    """The ``quarantine_row`` rows of ``q``: its ledger fields as text in ``raw_json`` with the
    file and row they came from, encoded by Polars in one pass (a ``json.dumps`` per row took
    0,21 s for 25 000 quarantined rows, this 0,016 s, side by side on a quiet hour)."""
    # A re-imported quarantine row keeps its original file and row (``_fil``, ``_rad``).
    fil = pl.col("_fil") if "_fil" in q.columns else pl.lit(file_name, pl.String)
    rows = q["_rad"] if "_rad" in q.columns else q[ROW_COL]
    raw_json = q.select(
        pl.struct(
            fil.alias("fil"),
            rows.cast(pl.Int64).alias("rad"),
            pl.struct([pl.col(f) for f in FIELDS]).alias("felt"),
        ).struct.json_encode()
    ).to_series()
    return pl.DataFrame(
        {
            "batch_id": [batch_id] * q.height,
            "row_number": rows.cast(pl.Int64),
            "municipality_code": q["municipality"].str.slice(0, 4),
            "raw_json": raw_json,
            "reason": q["reason"],
            "resolved": [False] * q.height,
        }
    )


def process(  # noqa: PLR0915 - the steps of one import in order; each is a named helper
    conn: sa.Connection,
    lines: pl.DataFrame,
    report: ImportReport,
    *,
    profile: Profile,
    username: str,
    progress: Progress = _noop,
    decimal: Decimal | None = None,
    layout: Layout | None = None,
) -> pl.DataFrame:
    """Validate ``lines`` (text in ledger fields + ``_row``), store what is valid and new, and
    quarantine the rest under a new batch; fill ``report``. Returns the validated frame.

    Shared by file imports and quarantine re-imports; runs in the caller's transaction.
    """
    munis, arts = _reference(conn)
    progress(0.15, "Kontrollerer rader")
    if layout is None:
        accounts = lines["account"].drop_nulls().unique().to_list()
        layout, source, layout_examples = choose_layout(accounts, profile.layout, arts)
        report.layout = {
            "navn": layout.name,
            "beskrivelse": layout.label,
            "kilde": source,
            "eksempler": layout_examples,
            "mønster": layout.pattern,  # so corrected quarantine rows are read the same way
        }
    report.fixed = dict(profile.fixed)
    report.area_source = _area_source(lines, profile, layout)
    _same_file_other_layout(conn, report, layout)
    checked = validate(
        lines,
        municipalities=munis,
        art_classes=arts,
        profile=profile,
        decimal=decimal,
        layout=layout,
    )
    report.detected.setdefault("desimaltegn", decimal or profile.decimal or "auto")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    batch_id = inserted_id(
        conn.execute(
            schema.import_batch.insert().values(
                file_name=report.file_name[:300],
                file_hash=report.file_hash,
                imported_by=username,
                imported_at=now,
                profile=profile.name,
                is_demo=False,
            )
        )
    )
    report.batch_id = batch_id

    if report.already_imported_batch is not None:
        checked = checked.with_columns(
            status=pl.lit("excluded"),
            reason_kind=pl.lit("fil_importert"),
            reason=pl.lit(f"filen er importert før (import {report.already_imported_batch})"),
        )
    ok = checked.filter(pl.col("status") == "ok")
    progress(0.3, "Finner leverandører og duplikater")
    ok = with_identity(ok)
    if "line_ident" in ok.columns:
        ok = _continue_occurrences(conn, ok)
    dup = _existing_hashes(conn, ok)
    # Within one file hashes are unique (occurrence numbers); re-imported quarantine rows of two
    # overlapping files can share one: the first is stored, the others are duplicates.
    repeated = "_fil" in ok.columns and ok["line_hash"].is_duplicated().any()
    if dup or repeated:
        is_dup = (
            pl.col("line_hash").is_in(pl.Series(list(dup), dtype=pl.String).implode())
            | ~pl.col("line_hash").is_first_distinct()
        )
        dups = ok.filter(is_dup).with_columns(
            status=pl.lit("excluded"),
            reason_kind=pl.lit("duplikat"),
            reason=pl.format(
                "linjen er allerede importert (faktura {}, {} øre)",
                pl.col("invoice_id").fill_null("–"),
                "amount_ore",
            ),
        )
        ok = ok.filter(~is_dup)
    else:
        dups = ok.clear()
    q = checked.filter(pl.col("status") == "quarantine")
    excl = pl.concat(
        [
            checked.filter(pl.col("status") == "excluded").select(ROW_COL, "reason_kind", "reason"),
            dups.select(ROW_COL, "reason_kind", "reason"),
        ]
    )
    progress(0.5, f"Lagrer {ok.height} linjer")
    ok = _mark_profile_pseudo(_released(conn, ok), profile)
    stored, n_new = store_lines(conn, ok, batch_id, progress)
    _count_private(ok, report)
    bulk_insert(conn, schema.quarantine_row, _quarantine_frame(q, batch_id, report.file_name))

    report.rows_read = checked.height
    report.rows_stored = stored
    report.rows_quarantined = q.height
    report.rows_excluded = excl.height
    report.new_suppliers = n_new
    report.amount_stored_ore = int(ok["amount_ore"].sum() or 0) if ok.height else 0
    report.quarantined_by_reason = _counts(q, "reason_kind")
    report.excluded_by_reason = _counts(excl, "reason_kind")
    warn = ok.filter(pl.col("warning_kind").is_not_null())
    # Cells cut to the field limit while reading (limits.py) are counted beside the row warnings.
    report.warnings_by_kind = {
        **{k: v for k, v in report.warnings_by_kind.items() if k == "felt_avkortet"},
        **_counts(warn, "warning_kind"),
    }
    report.examples = {
        **_examples(q, "reason_kind", "reason"),
        **_examples(excl, "reason_kind", "reason"),
        **{f"advarsel:{k}": v for k, v in _examples(warn, "warning_kind", "warning").items()},
    }
    if report.rows_stored + report.rows_quarantined + report.rows_excluded != report.rows_read:
        raise AssertionError("radtellingene går ikke opp; importen avbrytes")

    progress(0.92, "Logger importen")
    conn.execute(
        schema.import_batch.update()
        .where(schema.import_batch.c.id == batch_id)
        .values(
            rows_read=report.rows_read,
            rows_stored=report.rows_stored,
            rows_quarantined=report.rows_quarantined,
            rows_excluded=report.rows_excluded,
            report_json=report.to_json(),
        )
    )
    bump_data_version(conn)  # the cube was brought up to date by store_lines
    audit(conn, username, "import", report.summary())
    return checked


def _same_file_other_layout(conn: sa.Connection, report: ImportReport, layout: Layout) -> None:
    """A file imported before with another account layout may be imported again.

    Rows the wrong layout excluded (``02700`` read as wage art 027) were never stored; with the
    right layout they are. Rows stored before are recognised by their line identity (which holds
    the account, not the art) and excluded as duplicates – re-read those with ``reread``.
    """
    if report.already_imported_batch is None:
        return
    b = schema.import_batch
    earlier = conn.execute(
        sa.select(b.c.id, b.c.report_json)
        .where(b.c.file_hash == report.file_hash, b.c.rows_read > 0)
        .order_by(b.c.id)
    ).all()
    for bid, js in earlier:
        rep = json.loads(js) if js else {}
        # the layout the file was *imported* with (a later ``reread`` changes "layout" only)
        before = rep.get("importert_med") or (rep.get("layout") or {}).get("mønster")
        if (before or LAYOUTS["art"].pattern) == layout.pattern:
            report.already_imported_batch = int(bid)
            return
    report.detected["tidligere import"] = (
        f"filen er importert før (import {report.already_imported_batch}) med et annet "
        "kontooppsett; bare rader som ikke ble lagret da, lagres nå"
    )
    report.already_imported_batch = None


def _area_source(lines: pl.DataFrame, profile: Profile, layout: Layout) -> str:
    """Where the rows' area comes from, for the report."""
    if "area" in profile.fixed:
        return f"fast verdi ({profile.fixed['area']})"
    has_col = lines["area"].drop_nulls().str.strip_chars().ne("").any()
    if has_col and layout.has_class:
        return "kolonne (kontoklassen der kolonnen er tom)"
    if has_col:
        return "kolonne"
    if layout.has_class:
        return "kontoklassen (0 investering, 1 drift)"
    return "standard (drift)"


def _mark_profile_pseudo(ok: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """``is_pseudo`` for lines whose name or supplier number the profile lists as a collective
    post (``[values] pseudo``); the admin list is applied when suppliers are read."""
    if not profile.pseudo_values or ok.height == 0:
        return ok.with_columns(is_pseudo=pl.lit(False))
    none = pl.DataFrame(schema={"kind": pl.String, "value": pl.String})
    by_name = (
        ok.select(name="supplier_name", key="supplier_key")
        .select(pseudo_expr(none, profile.pseudo_values))
        .to_series()
    )
    by_no = ok["supplier_no"].fill_null("").str.strip_chars().is_in(profile.pseudo_values)
    return ok.with_columns(is_pseudo=(by_name | by_no) & ~ok["is_private"])


def _count_private(ok: pl.DataFrame, report: ImportReport) -> None:
    """Private-person lines by reason, and how many suspected names (never the names)."""
    if ok.height == 0 or "private_reason" not in ok.columns:
        return
    priv = ok.filter(pl.col("is_private"))
    report.private_lines = _counts(priv, "private_reason")
    report.private_suspected_suppliers = priv.filter(pl.col("private_reason") == "mistanke")[
        "supplier_key"
    ].n_unique()
    report.pseudo_lines = int(ok["is_pseudo"].sum()) if "is_pseudo" in ok.columns else 0


def _read(path_or_bytes: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, bytes):
        return path_or_bytes, filename or "opplastet fil"
    path = Path(path_or_bytes)
    return path.read_bytes(), filename or path.name


def import_file(
    engine: sa.Engine,
    path_or_bytes: str | Path | bytes,
    *,
    filename: str | None = None,
    username: str,
    profile: str | Profile | None = None,
    municipality: str | None = None,
    progress: Progress | None = None,
    fixed: dict[str, object] | None = None,
) -> ImportReport:
    """Import one ledger export in one transaction and return its report.

    ``fixed`` gives fields one value for every row (``{"account": "270", "area": "drift",
    "ehandel": False}``), on top of the profile's ``[fixed]``.

    A file that cannot be read at all (not a table, required columns missing, unknown profile,
    accounts that fit no layout) gives a report with ``error`` set and nothing stored; the failure is still audited. Other
    exceptions (database errors, interruptions) roll back and propagate.
    """
    progress = progress or _noop
    data, name = _read(path_or_bytes, filename)
    digest = hashlib.sha256(data).hexdigest()
    report = ImportReport(file_name=name, file_hash=digest, profile="auto")
    try:
        with engine.begin() as conn:
            prof = profile if isinstance(profile, Profile) else load_profile(profile, conn)
            prof = prof.with_municipality(municipality).with_fixed(fixed)
            report.profile = prof.name
            progress(0.02, "Leser filen")
            table = read_table(data, name, prof)
            mapping = match_columns(table.headings, prof)
            _check_columns(mapping, prof, table.headings)
            report.blank_rows = table.blank_rows
            report.detected = {
                "format": table.kind,
                "tegnsett": table.encoding,
                "skilletegn": table.delimiter,
                "overskriftsrad": table.header_line,
                "kolonner": {FIELDS[k]: v for k, v in mapping.items()},
            }
            lines = canonical(table, mapping, prof)
            lines, cut = truncate_fields(lines, list(FIELD_MAX), FIELD_MAX)
            if table.truncated_cells + cut:
                report.warnings_by_kind["felt_avkortet"] = table.truncated_cells + cut
            b = schema.import_batch
            prev = conn.execute(
                sa.select(b.c.id)
                .where(b.c.file_hash == digest, b.c.rows_read > 0)
                .order_by(b.c.id)
                .limit(1)
            ).scalar()
            report.already_imported_batch = int(prev) if prev is not None else None
            process(conn, lines, report, profile=prof, username=username, progress=progress)
    except (FileFormatError, ImportFailed, LookupError, ValueError, UnicodeDecodeError) as exc:
        report.error = str(exc)
        report.batch_id = None
        with engine.begin() as conn:
            audit(conn, username, "import.failed", f"{name} ({digest[:12]}): {exc}")
        progress(1.0, "Importen feilet")
        return report
    progress(1.0, "Ferdig")
    return report


def _check_columns(mapping: dict[str, str], profile: Profile, headings: list[str]) -> None:
    missing = [FIELDS[f] for f in REQUIRED if f not in mapping and f not in profile.fixed]
    if "amount" not in mapping and not ({"debit", "credit"} & set(mapping)):
        missing.append(FIELDS["amount"])
    if "municipality" not in mapping and not profile.municipality:
        missing.append(FIELDS["municipality"] + " (eller angi kommune for filen)")
    if not (
        {"supplier_orgnr", "supplier_name", "supplier_no"} & (set(mapping) | set(profile.fixed))
    ):
        missing.append("leverandør (organisasjonsnummer, navn eller nummer)")
    if missing:
        raise ImportFailed(
            f"fant ikke kolonner for: {', '.join(missing)}. "
            f"Kolonner i filen: {shown_headings(headings)}"
        )
