"""Invoice-line drill-down (filters, scope, paging in SQL, private persons) and the population
table (edit, validation, audit) on the demo database, both backends."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.admin.population import save_population
from data_access.metrics.common import PURCHASE
from data_access.store import schema
from data_access.store.cube import load_cube
from data_access.store.filters import Filters, apply
from data_access.store.lines import LineAccessDenied, invoice_lines
from data_access.store.population import load_population
from data_access.store.scope import Scope
from tests.conftest import SPURIOUS_LEVANGER_ORE

ADMIN_SCOPE = Scope(role="admin", username="admin_t")

ANALYST = Scope(role="analyst")
VERDAL = Scope(role="kommune", municipalities=frozenset({"5038"}))


def test_leder_without_grant_is_refused_and_with_grant_allowed(engine: sa.Engine) -> None:
    with pytest.raises(LineAccessDenied):
        invoice_lines(engine, Scope(role="leder"), Filters.year(2025))
    page = invoice_lines(engine, Scope(role="leder", line_detail=True), Filters.year(2025), limit=5)
    assert page.rows.height == 5


def test_lines_add_up_to_the_cube_for_a_category_and_page_in_sql(engine: sa.Engine) -> None:
    f = Filters(dt.date(2024, 1, 1), dt.date(2024, 6, 1), ("5037",), (), "drift")
    cube = load_cube(engine, ANALYST)
    d = apply(cube, f).filter(PURCHASE)
    cat = int(d.group_by("category_id").agg(pl.col("amount").sum()).sort("amount")[-1, 0])
    expected = d.filter(pl.col("category_id") == cat)
    page = invoice_lines(engine, ANALYST, f, category_id=cat, limit=7, offset=0)
    assert page.total == int(expected["n_lines"].sum())
    assert page.total_amount == pytest.approx(float(expected["amount"].sum()), abs=0.005)
    assert page.rows.height == 7
    assert set(page.rows["municipality_code"].to_list()) == {"5037"}
    assert page.rows["date"].min() >= dt.date(2024, 1, 1)
    assert page.rows["date"].max() <= dt.date(2024, 6, 30)
    # pages do not overlap and together cover every line
    ids: list[int] = []
    for off in range(0, page.total, 200):
        ids += (
            invoice_lines(engine, ANALYST, f, category_id=cat, limit=200, offset=off)
            .rows["id"]
            .to_list()
        )
    assert len(ids) == len(set(ids)) == page.total


def test_kommune_user_never_sees_another_municipality(engine: sa.Engine) -> None:
    f = Filters(dt.date(2025, 6, 1), dt.date(2025, 6, 1), area="alle")
    page = invoice_lines(engine, VERDAL, f, spend_class=None, limit=500)
    assert page.total > 0
    assert set(page.rows["municipality_code"].to_list()) == {"5038"}
    assert page.total_amount < SPURIOUS_LEVANGER_ORE / 100
    # even when the filter asks for Levanger explicitly
    other = invoice_lines(engine, VERDAL, Filters(f.start, f.end, ("5037",), (), "alle"))
    assert other.total == 0
    analyst = invoice_lines(
        engine, ANALYST, Filters(f.start, f.end, ("5037",), (), "alle"), spend_class=None
    )
    assert analyst.total_amount >= SPURIOUS_LEVANGER_ORE / 100


def test_private_persons_show_as_privatperson_without_identity(engine: sa.Engine) -> None:
    with engine.connect() as c:
        names = set(
            c.execute(
                sa.select(schema.supplier.c.name).where(schema.supplier.c.is_private)
            ).scalars()
        )
    assert names
    page = invoice_lines(
        engine,
        ANALYST,
        Filters(dt.date(2019, 1, 1), dt.date(2026, 9, 1), area="alle"),
        supplier_id=-1,
        limit=500,
    )
    assert page.total > 0
    assert set(page.rows["supplier"].to_list()) == {"Privatperson"}
    assert page.rows["orgnr"].null_count() == page.rows.height
    assert page.rows["description"].null_count() == page.rows.height
    assert not names & set(page.rows["supplier"].to_list())


def test_population_edit_is_validated_and_audited(sqlite_engine: sa.Engine) -> None:
    with sqlite_engine.begin() as conn:
        before = load_population(conn)
        edited = before.with_columns(
            population=pl.when((pl.col("municipality_code") == "5038") & (pl.col("year") == 2024))
            .then(15_555)
            .otherwise("population")
        ).drop("name")
        result = save_population(conn, edited, scope=ADMIN_SCOPE)
        assert result == {"added": 0, "removed": 0, "changed": 1}
        after = load_population(conn)
        assert (
            after.filter((pl.col("municipality_code") == "5038") & (pl.col("year") == 2024))[
                "population"
            ].item()
            == 15_555
        )
        log = conn.execute(
            sa.select(schema.audit_log.c.username, schema.audit_log.c.detail).where(
                schema.audit_log.c.action == "population.update"
            )
        ).all()
        assert log[-1][0] == "admin_t" and "5038/2024" in log[-1][1]
        bad = edited.with_columns(population=pl.lit(-5))
        with pytest.raises(ValueError, match="positivt heltall"):
            save_population(conn, bad, scope=ADMIN_SCOPE)
        for role in ("analyst", "leder"):  # only admins, enforced in data_access
            with pytest.raises(PermissionError):
                save_population(conn, edited, scope=Scope(role=role, username="x"))
        # restore for the other tests sharing this database
        save_population(conn, before.drop("name"), scope=ADMIN_SCOPE)
