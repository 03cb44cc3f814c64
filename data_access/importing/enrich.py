"""Supplier enrichment from Enhetsregisteret bulk files (Brønnøysund), offline and streamed.

Input: the register's downloads of main units (``enheter``) or sub-units (``underenheter``), as a
JSON array or CSV, optionally gzipped — the real field names (``organisasjonsnummer``, ``navn``,
``organisasjonsform.kode``, ``naeringskode1.kode``, ``antallAnsatte``,
``forretningsadresse.kommunenummer``; for sub-units ``overordnetEnhet`` and
``beliggenhetsadresse.kommunenummer``). JSON objects are flattened to the CSV's dotted names so
one code handles both.

Why streaming: the full file holds ~1.5 M units (several GB as JSON). The JSON array is decoded
one object at a time with ``json.JSONDecoder.raw_decode`` over a sliding buffer, the CSV with
``csv.DictReader``; only units whose organisation number is a known supplier (or the parent of
one) are kept, so memory stays at the size of the supplier table.

What is updated: for a supplier with that orgnr, the register name (shown instead of the ledger's
spellings), organisation form, NACE, employees, home municipality (today's code via the
``municipality`` table) and the public flag; sub-units of known suppliers go to
``supplier_location``; a sub-unit whose own number is used on invoices gives that supplier its
parent and its location. NACE can change categories, so lines are re-classified afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from data_access.importing.reclassify import reclassify
from data_access.store import schema
from data_access.store.db import audit, bump_data_version

PUBLIC_FORMS = {"KOMM", "FYLK", "IKS", "KF", "STAT", "SF", "ORGL", "FKF", "KIRK", "SÆR"}
CHUNK = 1 << 20


@dataclass
class EnrichReport:
    units_read: int = 0
    suppliers_updated: int = 0
    locations: int = 0

    def summary(self) -> str:
        return (
            f"{self.units_read} enheter lest, {self.suppliers_updated} leverandører oppdatert, "
            f"{self.locations} underenheter lagret"
        )


def _open_text(source: str | Path | bytes | IO[bytes]) -> IO[str]:
    if isinstance(source, bytes):
        raw: IO[bytes] = io.BytesIO(source)
    elif isinstance(source, str | Path):
        raw = Path(source).open("rb")  # noqa: SIM115 - closed with the returned wrapper
    else:
        raw = source
    head = raw.read(2)
    raw.seek(0)
    buffer: IO[bytes] | gzip.GzipFile = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")


# Exempt from C901: a small streaming parser (skip separators, refill the buffer, decode one object);
# its states are clearer in one loop than spread over helpers.
def iter_json_array(text: IO[str] | _Prefixed) -> Iterator[dict[str, Any]]:  # noqa: C901
    """Objects of a top-level JSON array, decoded one at a time from a sliding buffer."""
    dec = json.JSONDecoder()
    buf = ""
    pos = 0
    eof = False
    started = False

    def fill() -> bool:
        nonlocal buf, pos, eof
        chunk = text.read(CHUNK)
        buf = buf[pos:] + chunk
        pos = 0
        eof = not chunk
        return bool(chunk)

    fill()
    while True:
        while pos < len(buf) and buf[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(buf):
            if eof or not fill():
                return
            continue
        if not started:
            if buf[pos] != "[":
                raise ValueError("JSON-filen er ikke en liste av enheter")
            started = True
            pos += 1
            continue
        if buf[pos] == "]":
            return
        try:
            obj, end = dec.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if eof or not fill():
                raise
            continue
        pos = end
        yield obj


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def iter_units(source: str | Path | bytes | IO[bytes]) -> Iterator[dict[str, object]]:
    """Units from a JSON array or CSV file (gzip accepted) as flat dicts with dotted keys."""
    with _open_text(source) as text:
        first = text.read(1)
        while first and first.isspace():
            first = text.read(1)
        if first == "[":  # push the consumed "[" back in front
            for obj in iter_json_array(_Prefixed("[", text)):
                yield _flatten(obj)
            return
        stream = _Prefixed(first, text)
        header = stream.readline()
        delimiter = max((",", ";", "\t"), key=header.count)
        reader = csv.DictReader(_Prefixed(header, stream), delimiter=delimiter)
        for row in reader:
            yield {k: (v if v != "" else None) for k, v in row.items() if k is not None}


class _Prefixed:
    """A text stream with a few characters pushed back in front: ``read``, ``readline`` and
    line iteration, which is all the JSON and CSV readers above use (a plain class, not an
    ``io`` one, so its methods are typed as they behave)."""

    def __init__(self, prefix: str, inner: IO[str] | _Prefixed) -> None:
        self._prefix = prefix
        self._inner = inner

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            out, self._prefix = self._prefix + self._inner.read(), ""
            return out
        out, self._prefix = self._prefix[:size], self._prefix[size:]
        if len(out) < size:
            out += self._inner.read(size - len(out))
        return out

    def readline(self) -> str:
        if self._prefix:
            p, self._prefix = self._prefix, ""
            if "\n" in p:
                line, rest = p.split("\n", 1)
                self._prefix = rest
                return line + "\n"
            return p + self._inner.readline()
        return self._inner.readline()

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line


def _int(v: object) -> int | None:
    try:
        return int(str(v)) if v not in (None, "") else None
    except ValueError:
        return None


def enrich_suppliers(
    engine: sa.Engine,
    source: str | Path | bytes | IO[bytes],
    *,
    username: str = "system",
    progress: Callable[[int], None] | None = None,
) -> EnrichReport:
    """Update known suppliers from a register file, in one transaction."""
    s, loc, m = schema.supplier, schema.supplier_location, schema.municipality
    report = EnrichReport()
    with engine.begin() as conn:
        known = {o for (o,) in conn.execute(sa.select(s.c.orgnr).where(s.c.orgnr.is_not(None)))}
        now_code = dict(conn.execute(sa.select(m.c.code, m.c.current_code)).all())
        units: dict[str, dict[str, object]] = {}
        locations: dict[str, dict[str, object]] = {}
        for u in iter_units(source):
            report.units_read += 1
            if progress and report.units_read % 100_000 == 0:
                progress(report.units_read)
            orgnr = str(u.get("organisasjonsnummer") or "")
            parent = u.get("overordnetEnhet")
            if orgnr not in known and parent not in known:
                continue
            is_sub = parent is not None or "beliggenhetsadresse.kommunenummer" in u
            kn = u.get(
                "beliggenhetsadresse.kommunenummer"
                if is_sub
                else "forretningsadresse.kommunenummer"
            )
            kn = str(kn) if kn else None
            rec = {
                "orgnr": orgnr,
                "name": u.get("navn"),
                "org_form": u.get("organisasjonsform.kode"),
                "nace": u.get("naeringskode1.kode"),
                "employees": _int(u.get("antallAnsatte")),
                "municipality": now_code.get(kn, kn) if kn else None,
                "parent": str(parent) if parent else None,
            }
            if orgnr in known:
                units[orgnr] = rec
            if is_sub and parent in known:
                locations[orgnr] = rec
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if units:
            conn.execute(
                s.update()
                .where(s.c.orgnr == sa.bindparam("o"))
                .values(
                    register_name=sa.bindparam("b_name"),
                    org_form=sa.bindparam("form"),
                    nace=sa.bindparam("b_nace"),
                    employees=sa.bindparam("emp"),
                    home_municipality=sa.bindparam("home"),
                    parent_orgnr=sa.bindparam("parent"),
                    is_public=sa.bindparam("pub"),
                    country="NO",
                    enriched_at=stamp,
                ),
                [
                    {
                        "o": r["orgnr"],
                        "b_name": (str(r["name"])[:200] if r["name"] else None),
                        "form": r["org_form"],
                        "b_nace": r["nace"],
                        "emp": r["employees"],
                        "home": r["municipality"],
                        "parent": r["parent"],
                        "pub": r["org_form"] in PUBLIC_FORMS,
                    }
                    for r in units.values()
                ],
            )
        if locations:
            keys = list(locations)
            for i in range(0, len(keys), 5000):
                conn.execute(loc.delete().where(loc.c.orgnr.in_(keys[i : i + 5000])))
            conn.execute(
                loc.insert(),
                [
                    {
                        "orgnr": r["orgnr"],
                        "parent_orgnr": r["parent"],
                        "name": (str(r["name"])[:200] if r["name"] else None),
                        "municipality": r["municipality"],
                        "nace": r["nace"],
                        "employees": r["employees"],
                    }
                    for r in locations.values()
                ],
            )
        report.suppliers_updated = len(units)
        report.locations = len(locations)
        if units:
            reclassify(conn, username=username)
        bump_data_version(conn)
        audit(conn, username, "enrich", report.summary())
    return report
