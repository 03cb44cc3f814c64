"""A hostile-string corpus (issue 11) and a demo database with it imported.

Every string is something a ledger export may carry by accident or by intent: HTML and script,
Markdown with links and a remote image, LaTeX, spreadsheet formulas, right-to-left and
zero-width characters, and a 10 000-character field. The ``127.0.0.1:9`` addresses are a closed
port on the loopback: nothing leaves the machine even if a test fails.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from data_access.bootstrap import initialize
from data_access.importing import import_file
from data_access.store.db import make_engine
from tests.conftest import build_demo_db
from tests.import_helpers import valid_orgnr

LINK = "http://127.0.0.1:9/x"
HOSTILE_NAMES = [
    f'<a href="{LINK}">Klikk</a> AS',
    "<b>Fet</b> <script>alert(1)</script> AS",
    '<img src="http://127.0.0.1:9/i.png" onerror="alert(2)"> AS',
    f"**Fet** [lenke]({LINK}) ![bilde](http://127.0.0.1:9/b.png) AS",
    "$\\frac{1}{2}$ Matte AS",
    '=HYPERLINK("http://127.0.0.1:9/h","klikk")',
    "=cmd|' /C calc'!A0",
    "@SUM(A1) Regnskap AS",
    "+1+1 Pluss AS",
    "-2+3 Minus AS",
    "\u202eSA gnippohS\u200b\u200d Skjult AS",
]
LONG_TEXT = "Lang " + "x" * 10_000
FILE_NAME = "**rapport** [lenke](http://127.0.0.1:9/f) ![b](http://127.0.0.1:9/f.png) $x$.csv"
# Markers that must never become live: an element, a link target, a formula.
LIVE_MARKUP = ("<a href", "<b>Fet", "<script", "<img", "](http", "![")


def live_markdown(*bold: str) -> list[re.Pattern[str]]:
    """Markdown, HTML and LaTeX in a message or caption that would render: a tag or ``$\\frac``
    not preceded by a backslash, a link or an image, and ``**`` before one of the ``bold``
    words (the corpus's own words; escaped, the asterisks are ``\\*\\*``)."""
    return [
        re.compile(r"(?<!\\)<(a |b>|script|img)"),
        re.compile(r"\]\(http"),
        re.compile(r"!\[[^\]]*\]\("),
        re.compile(r"(?<!\\)\$\\frac"),
        re.compile(r"(?<!\\)\*\*(" + "|".join(bold) + ")"),
    ]


def hostile_csv() -> bytes:
    """Each hostile name as a large supplier in Verdal (so it reaches the top lists), with a
    hostile description, and one row with a formula as amount (goes to quarantine)."""
    head = ["Kommunenr", "Dato", "Orgnr", "Leverandør", "Konto", "Beløp", "Fakturanr", "Tekst"]
    out = io.StringIO()
    out.write(";".join(head) + "\n")

    def q(v: str) -> str:
        return '"' + v.replace('"', '""') + '"'

    for i, name in enumerate(HOSTILE_NAMES):
        for year in (2024, 2025, 2026):
            out.write(
                ";".join(
                    [
                        "5038",
                        f"15.03.{year}",
                        valid_orgnr(910_000 + i * 13),
                        q(name),
                        "12000",
                        f"{40_000_000 + i * 1_000_000},00",
                        f"H{i}-{year}",
                        q(HOSTILE_NAMES[(i + 1) % len(HOSTILE_NAMES)]),
                    ]
                )
                + "\n"
            )
    out.write(
        ";".join(
            [
                "5038",
                "15.03.2025",
                "",
                q("Karantene AS"),
                "12000",
                q('=HYPERLINK("http://127.0.0.1:9/q","q")'),
                "Q1",
                q(LONG_TEXT),
            ]
        )
        + "\n"
    )
    return out.getvalue().encode("utf-8")


def build_hostile_dir(folder: Path) -> int:
    """A data folder with the demo database, the test users and the hostile file imported;
    returns the import's batch id."""
    engine = make_engine(f"sqlite:///{folder / 'innsikt.sqlite'}")
    build_demo_db(engine)
    initialize(engine, log=lambda _m: None)
    report = import_file(engine, hostile_csv(), filename=FILE_NAME, username="admin_t")
    assert report.error is None, report.error
    assert report.rows_quarantined >= 1
    engine.dispose()
    return int(report.batch_id or 0)


def strings_in(obj: object) -> Iterator[str]:
    """Every string inside a decoded JSON value (Plotly specs escape '<' as \\u003c)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings_in(v)


def plotly_strings(spec: str) -> list[str]:
    return list(strings_in(json.loads(spec)))


def engine_for(folder: Path) -> sa.Engine:
    return make_engine(f"sqlite:///{folder / 'innsikt.sqlite'}")
