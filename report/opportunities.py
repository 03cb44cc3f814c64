"""The Muligheter chart's input for the report and the tests: the ranked opportunities for a
filter selection, read and computed the way ``innsikt figures`` does, on the requester's scope.

Its own module because the chart registry (``charts``) must not read the database: the registry
gets a function ``Filters → ranked frame`` in its ``ChartData`` and calls it per selection.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import sqlalchemy as sa

from data_access.admin import opportunities as store
from data_access.metrics import opportunities as op
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from data_access.store.thresholds import load_thresholds


def opportunity_source(
    engine: sa.Engine, cube: pl.DataFrame, scope: Scope
) -> Callable[[Filters], pl.DataFrame]:
    """A function giving ``metrics.opportunities.rank``'s frame for a filter selection.

    ``cube`` is ``scope``'s cube, so a kommune user's amounts are their own; the number of
    buying members stays the cooperation's (counts only, from ``cooperation_breadth``) — the
    same inputs as ``innsikt figures``, so the report's Muligheter sheet equals its
    ``opportunities``. The reference tables are read once; the breadth once per selection.
    """
    with engine.connect() as conn:
        agreements = load_agreements(conn)
        thresholds = load_thresholds(conn)
        _parties, participants = load_parties(conn)
        settings = store.load_settings(conn)
        members_total = store.members_total(conn)
        agreement_cats = store.agreement_categories_all(conn)
    ranked: dict[Filters, pl.DataFrame] = {}

    def compute(f: Filters) -> pl.DataFrame:
        if f not in ranked:
            scoped = scope.municipalities is not None or bool(f.municipalities)
            with engine.connect() as conn:
                breadth = store.cooperation_breadth(conn, f) if scoped else None
            opps = op.opportunities(
                cube,
                f,
                agreements,
                participants,
                thresholds,
                settings=settings,
                members_total=members_total,
                breadth=breadth,
                agreement_cats=agreement_cats if scoped else None,
                municipalities=scope.municipalities,
            )
            ranked[f] = op.rank(opps, settings.weights)
        return ranked[f]

    return compute
