"""Presentation decks: saved, ordered lists of views (a standard chart id + the URL filters).

A deck belongs to one user; shared decks can be opened read-only by every logged-in user. A
deck stores *views*, never data: whoever opens it sees each chart computed on their own access
scope (a kommune user opening a colleague's deck sees their own municipality only, and filters
naming other municipalities fall away when parsed against their options).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from data_access.store import schema

DEFAULT_ID = "standard"
# The default deck: the standard charts in the order a meeting takes them.
DEFAULT_CHARTS = (
    "kommuner",
    "kvartal",
    "kategorier",
    "leverandorer",
    "regionalt",
    "gevinst",
    "utenfor_avtale",
    "hhi",
    "kommune_kategori",
    "muligheter",
)
FILTER_KEYS = ("periode", "kommune", "kategori", "omrade")
MAX_SLIDES = 60


@dataclass(frozen=True)
class Slide:
    chart: str
    params: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Deck:
    id: str
    owner: str
    name: str
    shared: bool
    slides: tuple[Slide, ...]

    @property
    def is_default(self) -> bool:
        return self.id == DEFAULT_ID


def default_deck(params: Mapping[str, Sequence[str]] | None = None) -> Deck:
    """The standard charts, each with the given filters (or none: the default period)."""
    p = clean_params(params or {})
    return Deck(
        DEFAULT_ID,
        "",
        "Standardpresentasjon",
        True,
        tuple(Slide(c, p) for c in DEFAULT_CHARTS),
    )


def clean_params(params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Only the filter keys, as lists of short strings (nothing else is stored or replayed).

    >>> clean_params({"periode": ["2025-K3"], "lang": ["en"], "kommune": "5038"})
    {'periode': ['2025-K3'], 'kommune': ['5038']}
    """
    out: dict[str, list[str]] = {}
    for k in FILTER_KEYS:
        v = params.get(k)
        if not v:
            continue
        values = [v] if isinstance(v, str) else list(v)
        out[k] = [str(x)[:40] for x in values][:50]
    return out


def _row_to_deck(row: sa.Row[Any]) -> Deck:
    slides = tuple(
        Slide(str(s["chart"]), clean_params(s.get("params") or {}))
        for s in json.loads(row.slides_json)
    )
    return Deck(row.id, row.owner, row.name, bool(row.shared), slides)


def decks_for(conn: sa.Connection, username: str) -> list[Deck]:
    """The user's own decks, then decks others share, by name."""
    d = schema.deck
    rows = conn.execute(
        sa.select(d)
        .where(sa.or_(d.c.owner == username, d.c.shared.is_(True)))
        .order_by((d.c.owner != username), d.c.name, d.c.id)
    ).all()
    return [_row_to_deck(r) for r in rows]


def get_deck(conn: sa.Connection, deck_id: str, username: str) -> Deck | None:
    """The deck if the user owns it or it is shared; None otherwise (no hint that it exists)."""
    if deck_id == DEFAULT_ID:
        return default_deck()
    d = schema.deck
    row = conn.execute(sa.select(d).where(d.c.id == deck_id)).first()
    if row is None or (row.owner != username and not row.shared):
        return None
    return _row_to_deck(row)


def _dump(slides: Sequence[Slide]) -> str:
    return json.dumps(
        [{"chart": s.chart, "params": clean_params(s.params)} for s in slides],
        ensure_ascii=False,
        sort_keys=True,
    )


def create_deck(
    conn: sa.Connection,
    username: str,
    name: str,
    slides: Sequence[Slide] = (),
    *,
    shared: bool = False,
) -> Deck:
    if not username:
        raise PermissionError("ikke innlogget")
    name = name.strip()[:120] or "Min presentasjon"
    deck_id = secrets.token_urlsafe(9)
    conn.execute(
        schema.deck.insert().values(
            id=deck_id,
            owner=username,
            name=name,
            shared=bool(shared),
            slides_json=_dump(slides[:MAX_SLIDES]),
            updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    )
    return Deck(deck_id, username, name, bool(shared), tuple(slides[:MAX_SLIDES]))


def save_deck(conn: sa.Connection, deck: Deck, username: str) -> None:
    """Store name, sharing and slides; only the owner may change a deck."""
    d = schema.deck
    owner = conn.execute(sa.select(d.c.owner).where(d.c.id == deck.id)).scalar()
    if owner is None or owner != username:
        raise PermissionError("bare eieren kan endre en presentasjon")
    if len(deck.slides) > MAX_SLIDES:
        raise ValueError(f"en presentasjon kan ha høyst {MAX_SLIDES} lysbilder")
    conn.execute(
        d.update()
        .where(d.c.id == deck.id)
        .values(
            name=deck.name.strip()[:120] or "Min presentasjon",
            shared=deck.shared,
            slides_json=_dump(deck.slides),
            updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    )


def delete_deck(conn: sa.Connection, deck_id: str, username: str) -> None:
    d = schema.deck
    conn.execute(d.delete().where(d.c.id == deck_id, d.c.owner == username))


def add_view(
    conn: sa.Connection,
    username: str,
    chart_id: str,
    params: Mapping[str, Sequence[str]],
    *,
    deck_name: str = "Min presentasjon",
) -> Deck:
    """Append a view to the user's deck of that name (created on first use)."""
    d = schema.deck
    row = conn.execute(
        sa.select(d).where(d.c.owner == username, d.c.name == deck_name).order_by(d.c.id)
    ).first()
    slide = Slide(chart_id, clean_params(params))
    if row is None:
        return create_deck(conn, username, deck_name, [slide])
    deck = _row_to_deck(row)
    new = Deck(deck.id, deck.owner, deck.name, deck.shared, (*deck.slides, slide))
    save_deck(conn, new, username)
    return new
