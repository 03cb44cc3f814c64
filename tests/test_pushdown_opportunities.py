"""Muligheter summed by the database gives the cube's figures (issue 8, point 5).

The ranked opportunities (every column: addressable spend, members, suppliers, the joint sums
against the thresholds, expiring agreements, rates and potential) and one category's
suppliers, from ``data_access.pushdown_opportunities`` and from the scope's cube through
``metrics.opportunities``, on both databases, for five filter sets and three scopes.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access import pushdown_opportunities as po
from data_access.admin import opportunities as store
from data_access.metrics import opportunities as op
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from data_access.store.thresholds import load_thresholds
from tests.test_pushdown_savings import FILTER_SETS, IDS, SCOPE_IDS, SCOPES, _same, scope_cubes


@pytest.fixture(scope="module")
def cubes(engine: sa.Engine) -> dict[Scope, pl.DataFrame]:
    return scope_cubes(engine)


@pytest.mark.parametrize("f", FILTER_SETS, ids=IDS)
@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_opportunities_from_the_database_equal_the_cubes(
    engine: sa.Engine, cubes: dict[Scope, pl.DataFrame], f: Filters, sc: Scope
) -> None:
    agreements = load_agreements(engine)
    _parties, participants = load_parties(engine)
    thresholds = load_thresholds(engine)
    cats = store.agreement_categories_all(engine)
    total = store.members_total(engine)
    # As the app: a scoped or filtered view counts the cooperation's buying members in SQL.
    breadth = (
        store.cooperation_breadth(engine, f)
        if sc.municipalities is not None or f.municipalities
        else None
    )
    as_of = dt.date(2025, 6, 1)
    common = {
        "agreement_cats": cats,
        "members_total": total,
        "as_of": as_of,
        "breadth": breadth,
    }
    want = op.opportunities(
        cubes[sc],
        f,
        agreements,
        participants,
        thresholds,
        municipalities=sc.municipalities,
        **common,
    )
    got = po.opportunities(engine, sc, f, agreements, participants, thresholds, **common)
    assert want.height > 0 and want["addressable_12m"].sum() > 0
    _same(got, want, ["category_id"])
    top = int(want["category_id"][0])
    sup = op.category_suppliers(cubes[sc], f, top)
    assert sup.height > 0
    _same(po.category_suppliers(engine, sc, f, top), sup, ["supplier_id"])


def test_the_counts_are_real(engine: sa.Engine) -> None:
    """The frames compared above carry what the page ranks by: several buying members and
    suppliers used by one member alone, joint sums over the thresholds and expiring
    agreements, for the whole cooperation in 2025."""
    sc, f = Scope.everything(), Filters.year(2025)
    agreements = load_agreements(engine)
    _parties, participants = load_parties(engine)
    got = po.opportunities(
        engine,
        sc,
        f,
        agreements,
        participants,
        load_thresholds(engine),
        agreement_cats=store.agreement_categories_all(engine),
        members_total=store.members_total(engine),
        as_of=dt.date(2025, 6, 1),
    )
    assert got["members"].max() > 1 and got["suppliers_single"].sum() > 0
    assert got["joint"].all() and (got["threshold_status"] != "under").any()
    assert got["expiring"].sum() > 0
