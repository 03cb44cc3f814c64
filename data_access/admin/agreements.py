"""Agreements (rammeavtaler): writing the register, re-matching the ledger, the savings target.

Reading the register and matching lines to it live in :mod:`data_access.store.agreements`.

The register is kept by the procurement office (admin and analyst): ``save_register`` takes the
whole register in its editable form (one row per agreement, suppliers and municipalities as
lists in text), validates every row, stores it, writes the change to the audit log and
recomputes the matching of every ledger line (``rematch_all``) with the cube, all in the
caller's transaction — so a saved agreement shows on every page at the next rerun, and an
invalid file changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa

from data_access.importing.limits import (
    ELLIPSIS,
    MAX_FIELD_CHARS,
    check_columns,
    check_file_size,
    check_line_lengths,
    shown_headings,
)
from data_access.importing.parsers import parse_amount_ore, parse_date
from data_access.importing.reader import decode
from data_access.store import schema
from data_access.store.agreements import (
    REGISTER_COLUMNS,
    TARGET_KEY,
    register_frame,
    savings_target,
)
from data_access.store.cube import rebuild_cube
from data_access.store.db import audit, bump_data_version, set_setting
from data_access.store.scope import Scope
from data_access.store.suppliers import is_valid_orgnr

# --- register: read, validate, save (admin/analyst), import --------------------------------

# Column headings accepted in an import file (lower-cased), besides the names above.
HEADINGS = {
    "avtalenr": "ref",
    "referanse": "ref",
    "avtale": "name",
    "navn": "name",
    "kategori": "category",
    "start": "start",
    "fra": "start",
    "slutt": "end",
    "til": "end",
    "slutt med opsjoner": "end_with_options",
    "maks sluttdato": "end_with_options",
    "estimert årsverdi": "estimated_annual_value_nok",
    "årsverdi": "estimated_annual_value_nok",
    "besparelsesgrad": "savings_rate",
    "gevinst per år": "projected_saving_nok",
    "forventet gevinst per år": "projected_saving_nok",
    "gevinsttype": "savings_type",
    "type": "savings_type",
    "eier": "owner",
    "avtaleeier": "owner",
    "nullpunkt": "baseline_note",
    "leverandører": "suppliers",
    "orgnr": "suppliers",
    "kommuner": "municipalities",
    "deltakere": "municipalities",
}
SAVINGS_TYPE_WORDS = {
    "hard": "hard",
    "hard gevinst": "hard",
    "hard besparelse": "hard",
    "avoidance": "avoidance",
    "kostnadsunngåelse": "avoidance",
    "unngått kostnad": "avoidance",
}
STAFF = ("admin", "analyst")
REF_CHARS = 60  # schema.agreement.ref
AUDIT_ACTION_CHARS = 60  # schema.audit_log.action
#: The longest value a register field may hold: the table's width where it has one
#: (``schema.agreement``), else the ledger import's ``MAX_FIELD_CHARS``. The supplier and
#: municipality lists are split into items checked one by one and stored one per row, and a
#: national agreement may name every municipality (357 × 5 characters), so they get more room.
FIELD_MAX = {
    "name": 200,
    "owner": 120,
    "suppliers": 10 * MAX_FIELD_CHARS,
    "municipalities": 10 * MAX_FIELD_CHARS,
}
UNREADABLE_CSV = (
    "filen kan ikke leses som CSV: sjekk at hver rad har like mange felt som overskriften og "
    "at alle anførselstegn er lukket"
)
MAX_SHOWN_ERRORS = 20  # a refusal names at most this many problems, then how many more


def _count(n: int) -> str:
    """A count as the limit messages write it (non-breaking space between thousands)."""
    return f"{n:,}".replace(",", "\u00a0")


def capped_errors(errors: list[str]) -> list[str]:
    """The first :data:`MAX_SHOWN_ERRORS` problems, then how many more: a file of 5 000 bad
    rows gives a message a person reads, not one as long as the file (as
    ``limits.shown_headings`` does for a file's headings).

    >>> capped_errors([f"rad {i}: navn mangler" for i in range(1, 23)])[-2:]
    ['rad 20: navn mangler', '… og 2 feil til']
    """
    rest = len(errors) - MAX_SHOWN_ERRORS
    if rest <= 0:
        return list(errors)
    return [*errors[:MAX_SHOWN_ERRORS], f"… og {_count(rest)} feil til"]


def _too_long(row: dict[str, object]) -> list[str]:
    """The row's fields over their :data:`FIELD_MAX` length, named — never echoed: a 5 MB
    value in an error message is the problem the limit exists for. The agreement number has
    its own message below."""
    out = []
    for col in REGISTER_COLUMNS:
        if col == "ref":
            continue
        limit = FIELD_MAX.get(col, MAX_FIELD_CHARS)
        if len(_text(row.get(col)) or "") > limit:
            out.append(f"feltet {col} er lengre enn {_count(limit)} tegn")
    return out


@dataclass
class Validated:
    """Rows ready to store (``agreements`` in table form with ``suppliers``/``municipalities``
    as lists) and the problems found, each naming the row and the field."""

    agreements: list[dict[str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(v: object) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _date(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v)
    return parse_date(s) if s else None


def _ore(v: object) -> int | None:
    if v is None:
        return None
    if isinstance(v, int | float):
        return None if v != v else round(float(v) * 100)  # NaN check
    s = _text(v)
    return parse_amount_ore(s) if s else None


def parse_rate(v: object) -> float | None:
    """A savings rate as a share: ``0.05``, ``"0,05"``, ``"5 %"`` and ``5`` all mean 5 %.

    >>> parse_rate("5 %"), parse_rate("0,05"), parse_rate(5), parse_rate(None)
    (0.05, 0.05, 0.05, None)
    """
    if v is None:
        return None
    if isinstance(v, int | float):
        x = float(v)
        if x != x:
            return None
        return round(x / 100, 10) if x >= 1 else x
    s = _text(v)
    if not s:
        return None
    percent = "%" in s
    s = s.replace("%", "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        x = float(s)
    except ValueError:
        raise ValueError(f"ugyldig besparelsesgrad {v!r}") from None
    return round(x / 100, 10) if percent or x >= 1 else x


# One flat check per field, each naming the row and field in the message a person acts on;
# splitting them apart would scatter the register's rules over many small functions.
def validate_register(  # noqa: C901, PLR0915
    rows: pl.DataFrame, *, categories: dict[str, int], municipalities: set[str]
) -> Validated:
    """Check every row of a register frame (``REGISTER_COLUMNS``; missing optional columns are
    allowed). Empty ``municipalities`` means every member takes part.

    Messages are plain text holding the file's values as they are; the page escapes them
    for Markdown where it shows them. A row with an over-long field gets only that message,
    so no other message echoes the long value."""
    out = Validated()
    missing = {"ref", "name", "start", "end"} - set(rows.columns)
    if missing:
        out.errors.append(f"mangler kolonne(r): {', '.join(sorted(missing))}")
        return out
    seen: set[str] = set()
    cat_by_name = {k.casefold(): v for k, v in categories.items()}
    for i, r in enumerate(rows.iter_rows(named=True), start=1):
        err: list[str] = []
        ref = _text(r.get("ref"))
        shown_ref = ref if ref is None or len(ref) <= REF_CHARS else ref[:REF_CHARS] + ELLIPSIS
        where = f"rad {i}" + (f" ({shown_ref})" if shown_ref else "")
        too_long = _too_long(r)
        if too_long:
            out.errors += [f"{where}: {e}" for e in too_long]
            continue
        if not ref:
            err.append("avtalenummer (ref) mangler")
        elif ref in seen:
            err.append("avtalenummeret finnes flere ganger")
        elif len(ref) > REF_CHARS:
            err.append("avtalenummeret er lengre enn 60 tegn")
        seen.add(ref or "")
        name = _text(r.get("name"))
        if not name:
            err.append("navn mangler")
        start, end, end_opt = _date(r.get("start")), _date(r.get("end")), None
        if start is None:
            err.append("startdato mangler eller er ugyldig")
        if end is None:
            err.append("sluttdato mangler eller er ugyldig")
        if start and end and end < start:
            err.append("sluttdato er før startdato")
        if _text(r.get("end_with_options")):
            end_opt = _date(r.get("end_with_options"))
            if end_opt is None:
                err.append("sluttdato med opsjoner er ugyldig")
            elif end and end_opt < end:
                err.append("sluttdato med opsjoner er før sluttdato")
        cat_id = None
        cat = _text(r.get("category"))
        if cat:
            cat_id = cat_by_name.get(cat.casefold())
            if cat_id is None and cat.isdigit() and int(cat) in categories.values():
                cat_id = int(cat)
            if cat_id is None:
                err.append(f"ukjent kategori {cat!r}")
        try:
            rate = parse_rate(r.get("savings_rate"))
        except ValueError as e:
            err.append(str(e))
            rate = None
        if rate is not None and not 0 < rate < 1:
            err.append("besparelsesgraden må være mellom 0 og 100 %")
        value = _ore(r.get("estimated_annual_value_nok"))
        projected = _ore(r.get("projected_saving_nok"))
        if value is not None and value < 0:
            err.append("estimert årsverdi kan ikke være negativ")
        if rate is None and projected is None:
            err.append("oppgi besparelsesgrad eller forventet gevinst per år")
        if rate is None and projected is not None and not value:
            err.append("forventet gevinst i kroner krever estimert årsverdi")
        stype_raw = (_text(r.get("savings_type")) or "hard").casefold()
        stype = SAVINGS_TYPE_WORDS.get(stype_raw)
        if stype is None:
            err.append(f"ukjent gevinsttype {stype_raw!r} (hard eller kostnadsunngåelse)")
        sups = [s for s in re.split(r"[\s,;]+", _text(r.get("suppliers")) or "") if s]
        sups = [re.sub(r"\D", "", s) if re.fullmatch(r"[\d .]+", s) else s for s in sups]
        bad = [s for s in sups if not is_valid_orgnr(s)]
        if bad:
            err.append("ugyldig organisasjonsnummer: " + shown_headings(bad))
        if not sups:
            err.append("minst én leverandør (organisasjonsnummer) må oppgis")
        munis = [m for m in re.split(r"[\s,;]+", _text(r.get("municipalities")) or "") if m]
        unknown = [m for m in munis if m not in municipalities]
        if unknown:
            err.append("ukjent kommunenummer: " + shown_headings(unknown))
        if err:
            out.errors += [f"{where}: {e}" for e in err]
            continue
        out.agreements.append(
            {
                "ref": ref,
                "name": name,
                "category_id": cat_id,
                "start": start,
                "end": end,
                "end_with_options": end_opt or end,
                "estimated_annual_value_ore": value,
                "savings_rate": rate,
                "projected_saving_ore": None if rate is not None else projected,
                "savings_type": stype,
                "owner": _text(r.get("owner")),
                "baseline_note": _text(r.get("baseline_note")),
                "suppliers": sorted(set(sups)),
                "municipalities": sorted(set(munis or municipalities)),
            }
        )
    return out


def _lookups(conn: sa.Connection) -> tuple[dict[str, int], set[str]]:
    """Leaf category names → id, and the members' current codes."""
    c, m = schema.category, schema.municipality
    cats = {
        name: int(i)
        for i, name in conn.execute(
            sa.select(c.c.id, c.c.name).where(c.c.parent_id.is_not(None))
        ).all()
    }
    munis = set(conn.execute(sa.select(m.c.current_code).where(m.c.is_member.is_(True))).scalars())
    return cats, munis


def save_register(
    conn: sa.Connection,
    rows: pl.DataFrame,
    scope: Scope,
    *,
    delete_missing: bool = False,
    action: str = "agreement.save",
) -> dict[str, object]:
    """Create or update agreements by ``ref`` (and, with ``delete_missing``, delete those not in
    ``rows``), then recompute matching and the cube — one transaction, the caller's.

    Raises PermissionError for roles other than admin/analyst and ValueError listing the
    problems (the first :data:`MAX_SHOWN_ERRORS`, then how many more) when a row is invalid
    (then nothing is stored). Returns counts and changed refs.
    """
    if scope.role not in STAFF:
        raise PermissionError("bare innkjøpskontoret (admin/analytiker) kan endre avtaleregisteret")
    cats, munis = _lookups(conn)
    v = validate_register(rows, categories=cats, municipalities=munis)
    if v.errors:
        raise ValueError("\n".join(capped_errors(v.errors)))
    a, s, m = schema.agreement, schema.agreement_supplier, schema.agreement_municipality
    existing = {ref: int(i) for i, ref in conn.execute(sa.select(a.c.id, a.c.ref)).all()}
    before = register_frame(conn)
    before_rows = {r["ref"]: r for r in before.iter_rows(named=True)}
    created, updated = [], []
    for rec in v.agreements:
        values = {k: val for k, val in rec.items() if k not in ("suppliers", "municipalities")}
        ref = str(rec["ref"])
        if ref in existing:
            aid = existing[ref]
            conn.execute(a.update().where(a.c.id == aid).values(**values))
            conn.execute(s.delete().where(s.c.agreement_id == aid))
            conn.execute(m.delete().where(m.c.agreement_id == aid))
        else:
            aid = _next_id(conn, a)
            conn.execute(a.insert().values(id=aid, **values))
        suppliers, members = rec["suppliers"], rec["municipalities"]
        assert isinstance(suppliers, list) and isinstance(members, list)  # built so just above
        conn.execute(s.insert(), [{"agreement_id": aid, "orgnr": o} for o in suppliers])
        conn.execute(m.insert(), [{"agreement_id": aid, "municipality_code": c} for c in members])
        if ref not in existing:
            created.append(ref)
        elif _changed(before_rows.get(ref), rec):
            updated.append(ref)
    deleted: list[str] = []
    if delete_missing:
        keep = {str(r["ref"]) for r in v.agreements}
        gone = {ref: i for ref, i in existing.items() if ref not in keep}
        if gone:
            ids = list(gone.values())
            lt = schema.ledger_line
            conn.execute(lt.update().where(lt.c.agreement_id.in_(ids)).values(agreement_id=None))
            conn.execute(s.delete().where(s.c.agreement_id.in_(ids)))
            conn.execute(m.delete().where(m.c.agreement_id.in_(ids)))
            conn.execute(a.delete().where(a.c.id.in_(ids)))
            deleted = sorted(gone)
    result: dict[str, object] = {"created": created, "updated": updated, "deleted": deleted}
    if created or updated or deleted:
        audit(conn, scope.username or "ukjent", action, json.dumps(result, ensure_ascii=False))
        result["matched_lines"] = rematch_all(conn)
    return result


def _next_id(conn: sa.Connection, table: sa.Table) -> int:
    """max(id) + 1, and on PostgreSQL the serial sequence moved past it.

    Rows loaded with explicit ids (the demo generator, bulk COPY) leave a PostgreSQL sequence
    behind, so relying on it would collide with an existing id; taking max + 1 works on every
    backend, and syncing the sequence keeps other inserts safe too.
    """
    new = (
        int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar() or 0) + 1
    )
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
            {"t": table.name, "v": new},
        )
    return new


def _changed(old: dict[str, object] | None, rec: dict[str, object]) -> bool:
    if old is None:
        return True

    def ore(v: object) -> int | None:
        return round(float(v) * 100) if isinstance(v, int | float) else None

    pairs = [
        (old["name"], rec["name"]),
        (old["start"], rec["start"]),
        (old["end"], rec["end"]),
        (old["end_with_options"], rec["end_with_options"]),
        (ore(old["estimated_annual_value_nok"]), rec["estimated_annual_value_ore"]),
        (old["savings_rate"], rec["savings_rate"]),
        (ore(old["projected_saving_nok"]), rec["projected_saving_ore"]),
        (old["savings_type"], rec["savings_type"]),
        (old["owner"], rec["owner"]),
        (old["baseline_note"], rec["baseline_note"]),
        (sorted(str(old["suppliers"] or "").split()), rec["suppliers"]),
        (
            sorted(x for x in str(old["municipalities"] or "").split(",") if x),
            rec["municipalities"],
        ),
    ]
    return any(x != y for x, y in pairs)


def read_register_file(data: bytes, filename: str) -> pl.DataFrame:
    """A register file (CSV with ``;`` ``,`` or tab, UTF-8 or Windows-1252, or XLSX) as a frame
    with ``REGISTER_COLUMNS`` names; Norwegian headings (``HEADINGS``) are accepted. All values
    are read as text and parsed by ``validate_register``.

    The ledger import's limits hold here too (``importing.limits``), refused with its
    Norwegian messages (``LimitError``, a ValueError) before the file is parsed: file size,
    column count and, for CSV, line length. Field length is checked per row by
    ``validate_register`` (rows typed into the editor pass there too): refused rather than
    cut as the ledger does, because the register is all or nothing and a shortened agreement
    name or supplier list would be stored wrong without anyone noticing.
    """
    check_file_size(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            df = pl.read_excel(io.BytesIO(data), engine="openpyxl", infer_schema_length=0)
        except pl.exceptions.NoDataError as exc:  # an empty sheet
            raise ValueError("filen er tom") from exc
        except (
            zipfile.BadZipFile,
            OSError,
            KeyError,
            ValueError,
            pl.exceptions.PolarsError,
        ) as exc:
            raise ValueError(f"Excel-filen kan ikke leses ({exc})") from exc
        check_columns(df.columns)
    else:
        text, _encoding = decode(data)
        if not text.strip():
            raise ValueError("filen er tom")
        check_line_lengths(text)
        first = text.split("\n", 1)[0]
        sep = max([";", "\t", ","], key=first.count)
        check_columns(next(csv.reader([first], delimiter=sep), []))
        try:
            df = pl.read_csv(io.StringIO(text), separator=sep, infer_schema=False)
        except pl.exceptions.PolarsError as exc:  # a ragged row, an unclosed quote: not echoed
            raise ValueError(UNREADABLE_CSV) from exc
    rename = {}
    for col in df.columns:
        key = col.strip().lower()
        if key in REGISTER_COLUMNS:
            rename[col] = key
        elif key in HEADINGS:
            rename[col] = HEADINGS[key]
    df = df.rename(rename)
    return df.select([c for c in REGISTER_COLUMNS if c in df.columns]).with_columns(
        pl.all().cast(pl.String)
    )


def import_register(
    conn: sa.Connection, data: bytes, filename: str, scope: Scope
) -> dict[str, object]:
    """Import a register file: rows are created or updated by ``ref``; agreements not in the
    file are kept. All or nothing: an invalid row raises ValueError and nothing is stored.
    The audit action names the file, cut to the log's column (a longer name was refused by
    PostgreSQL after the whole import had run)."""
    rows = read_register_file(data, filename)
    action = f"agreement.import:{filename}"[:AUDIT_ACTION_CHARS]
    return save_register(conn, rows, scope, action=action)


# --- matching the whole ledger ----------------------------------------------------------------


def rematch_all(conn: sa.Connection) -> int:
    """Recompute ``ledger_line.agreement_id`` for every line in SQL (same rules as
    ``match_agreements``: a ``contract_ref`` naming an agreement active on the line's date in
    which the buyer participates wins, else the latest-starting agreement
    whose supplier, validity and participating municipality fit), then rebuild the cube and
    bump the data version — inside the caller's transaction. Returns the matched line count.

    Done in the database with correlated subqueries so it scales to the national deployment
    (the agreement tables are small; each line looks up its supplier and municipality by key).
    """
    lt, a = schema.ledger_line, schema.agreement
    s, m = schema.agreement_supplier, schema.agreement_municipality
    sup, mun = schema.supplier, schema.municipality
    m_ref, mun_ref = m.alias("m_ref"), mun.alias("mun_ref")
    by_ref = (
        sa.select(a.c.id)
        .join(m_ref, m_ref.c.agreement_id == a.c.id)
        .join(mun_ref, mun_ref.c.current_code == m_ref.c.municipality_code)
        .where(
            a.c.ref == lt.c.contract_ref,
            mun_ref.c.code == lt.c.municipality_code,
            lt.c.date >= a.c.start,
            lt.c.date <= a.c.end,
        )
        .order_by(a.c.id)
        .limit(1)
        .scalar_subquery()
    )
    by_supplier = (
        sa.select(a.c.id)
        .join(s, s.c.agreement_id == a.c.id)
        .join(sup, sup.c.orgnr == s.c.orgnr)
        .join(m, m.c.agreement_id == a.c.id)
        .join(mun, mun.c.current_code == m.c.municipality_code)
        .where(
            sup.c.id == lt.c.supplier_id,
            mun.c.code == lt.c.municipality_code,
            lt.c.date >= a.c.start,
            lt.c.date <= a.c.end,
        )
        .order_by(a.c.start.desc(), a.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    conn.execute(lt.update().values(agreement_id=sa.func.coalesce(by_ref, by_supplier)))
    rebuild_cube(conn)
    bump_data_version(conn)
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(lt).where(lt.c.agreement_id.is_not(None))
        ).scalar()
        or 0
    )


# --- the yearly savings target (app_setting, admin-editable) ---------------------------------


def set_savings_target(conn: sa.Connection, value_nok: float, scope: Scope) -> None:
    """Change the yearly target (admin only), audit-logged; bumps the data version so cached
    pages pick it up."""
    if scope.role != "admin":
        raise PermissionError("bare administrator kan endre gevinstmålet")
    if not value_nok > 0:
        raise ValueError("målet må være et positivt beløp")
    old = savings_target(conn)
    set_setting(conn, TARGET_KEY, str(round(value_nok)))
    audit(conn, scope.username or "admin", "savings_target.set", f"{old:.0f} → {value_nok:.0f}")
    bump_data_version(conn)
