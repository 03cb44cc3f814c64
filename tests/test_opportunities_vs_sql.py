"""With demo data, Muligheter's addressable spend per category equals an independent SQL sum over
``ledger_line`` (SQLite and PostgreSQL), and a kommune user's figures hold only their own part.

The SQL is written from PRODUCT.md §2 item 11 directly against the ledger: purchase lines with
no matched agreement, suppliers that are not private persons, in the 12 (or 48) months ending
with the period's last month.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.admin import opportunities as store
from data_access.metrics import opportunities as op
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from data_access.store.thresholds import load_thresholds
from tests.conftest import SPURIOUS_LEVANGER_ORE

D = dt.date


def _sql_addressable(
    engine: sa.Engine, start: dt.date, end: dt.date, codes: tuple[str, ...], area: str,
    level1: tuple[int, ...],
) -> dict[int, float]:  # fmt: skip
    where = []
    params: dict[str, object] = {"start": start, "end": end}
    if codes:
        where.append("m.current_code IN :codes")
        params["codes"] = list(codes)
    if area != "alle":
        where.append("l.area = :area")
        params["area"] = area
    if level1:
        where.append("c.parent_id IN :l1")
        params["l1"] = list(level1)
    q = sa.text(
        f"""
        SELECT l.category_id, SUM(l.amount_ore) / 100.0
        FROM ledger_line l
        JOIN municipality m ON m.code = l.municipality_code
        JOIN supplier s ON s.id = l.supplier_id
        JOIN category c ON c.id = l.category_id
        WHERE l.spend_class = 'purchase' AND l.agreement_id IS NULL AND NOT s.is_private
          AND l.date >= :start AND l.date < :end {"".join(" AND " + w for w in where)}
        GROUP BY l.category_id
        """
    )
    if codes:
        q = q.bindparams(sa.bindparam("codes", expanding=True))
    if level1:
        q = q.bindparams(sa.bindparam("l1", expanding=True))
    with engine.connect() as c:
        return {int(k): float(v) for k, v in c.execute(q, params).all()}


def _inputs(engine: sa.Engine, scope: Scope):  # type: ignore[no-untyped-def]
    _parties, participants = load_parties(engine)
    return (
        load_cube(engine, scope),
        load_agreements(engine),
        participants,
        load_thresholds(engine),
    )


@pytest.mark.parametrize(
    ("codes", "area", "level1"),
    [((), "drift", ()), (("5038", "5037"), "alle", (1, 2))],
    ids=["alle-drift", "verdal-levanger-alle-forbruk-ikt"],
)
def test_addressable_spend_per_category_equals_sql(
    engine: sa.Engine, codes: tuple[str, ...], area: str, level1: tuple[int, ...]
) -> None:
    cube, ag, part, thr = _inputs(engine, Scope(role="analyst"))
    f = Filters(D(2025, 1, 1), D(2025, 12, 1), codes, level1, area)
    o = op.opportunities(cube, f, ag, part, thr, members_total=5)
    sql12 = _sql_addressable(engine, D(2025, 1, 1), D(2026, 1, 1), codes, area, level1)
    sql48 = _sql_addressable(engine, D(2022, 1, 1), D(2026, 1, 1), codes, area, level1)
    got12 = {r["category_id"]: r["addressable_12m"] for r in o.iter_rows(named=True)}
    got48 = {r["category_id"]: r["addressable_48m"] for r in o.iter_rows(named=True)}
    assert len(sql48) >= 5
    assert set(got48) == set(sql48)
    for cat, amount in sql48.items():
        assert got48[cat] == pytest.approx(amount, abs=0.01)
        assert got12[cat] == pytest.approx(sql12.get(cat, 0.0), abs=0.01)
    if level1:
        assert set(o["category_l1"].unique().to_list()) <= {"Forbruksvarer", "IKT og kommunikasjon"}


def test_kommune_user_gets_own_amounts_and_the_cooperations_member_count(
    engine: sa.Engine,
) -> None:
    f = Filters(D(2025, 1, 1), D(2025, 12, 1))
    cube, ag, part, thr = _inputs(engine, Scope(role="analyst"))
    everyone = op.opportunities(cube, f, ag, part, thr, members_total=store.members_total(engine))
    verdal = Scope(role="kommune", municipalities=frozenset({"5038"}), username="verdal")
    vcube = load_cube(engine, verdal)
    assert set(vcube["municipality_now"].unique().to_list()) == {"5038"}
    breadth = store.cooperation_breadth(engine, f)
    mine = op.opportunities(
        vcube,
        f,
        ag,
        part,
        thr,
        members_total=store.members_total(engine),
        breadth=breadth,
        agreement_cats=store.agreement_categories_all(engine),
        municipalities=verdal.municipalities,
    )
    # The member count is the cooperation's (the same as computed on everyone's rows) ...
    counts = dict(everyone.select("category_id", "members").iter_rows())
    assert dict(mine.select("category_id", "members").iter_rows()) == {
        k: counts[k] for k in mine["category_id"].to_list()
    }
    assert store.members_total(engine) == 5
    # Which suppliers only one member uses is not in a kommune user's rows: unknown, not "all".
    assert mine["suppliers_single"].null_count() == mine.height
    assert everyone["suppliers_single"].null_count() == 0
    # ... the amounts are Verdal's own: equal to the analyst's view filtered to Verdal.
    filtered = op.opportunities(
        cube, Filters(f.start, f.end, ("5038",)), ag, part, thr, members_total=5
    ).sort("category_id")
    assert mine.sort("category_id")["addressable_12m"].to_list() == pytest.approx(
        filtered["addressable_12m"].to_list()
    )
    # The rates come from every agreement of the cooperation, whatever the scope.
    assert mine.sort("category_id")["rate"].to_list() == pytest.approx(
        everyone.filter(pl.col("category_id").is_in(mine["category_id"].to_list()))
        .sort("category_id")["rate"]
        .to_list()
    )
    # The planted Levanger line (June 2025, purchase, no agreement) is in the joint figures only.
    planted = SPURIOUS_LEVANGER_ORE / 100
    assert float(everyone["addressable_12m"].sum()) > planted
    assert float(mine["addressable_12m"].sum()) < planted / 100


def test_cli_figures_list_the_top_ten_with_potential_and_range(
    engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "figures", "--year", "2025", "--json"]) == 0
    top = json.loads(capsys.readouterr().out)["opportunities"]
    assert [o["rank"] for o in top] == list(range(1, 11))
    sql = _sql_addressable(engine, D(2025, 1, 1), D(2026, 1, 1), (), "drift", ())
    for o in top:
        low, high = o["potential_range_nok"]
        assert low <= o["potential_nok"] <= high
        assert o["estimate"] is True
        assert o["addressable_12m_nok"] == round(sql[o["category_id"]])
        r = o["rate"]
        assert o["potential_nok"] == pytest.approx(
            max(sql[o["category_id"]], 0) * r / (1 - r), abs=2
        )
    assert [o["score"] for o in top] == sorted((o["score"] for o in top), reverse=True)
