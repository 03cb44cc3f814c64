"""Matching rules, the register (save, import, delete) with audit and rematch, thresholds and the
savings target as admin-only settings — on hand-built lines and on a private demo database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.admin import agreements as reg
from data_access.admin.thresholds import save_thresholds
from data_access.store import agreements as store_agreements
from data_access.store import db, schema
from data_access.store.agreements import match_agreements
from data_access.store.scope import Scope
from data_access.store.thresholds import load_thresholds
from tests.conftest import build_demo_db, fresh_pg_database

D = dt.date
ADMIN = Scope(role="admin", username="admin_t")
ANALYST = Scope(role="analyst", username="analytiker")
LEDER = Scope(role="leder", username="leder")
KOMMUNE = Scope(role="kommune", municipalities=frozenset({"5038"}), username="verdal")


# --- matching on hand-built lines -----------------------------------------------------------


def _ag() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    ag = pl.DataFrame(
        {
            "id": [1, 2],
            "ref": ["A-1", "B-2"],
            "start": [D(2024, 1, 1), D(2025, 1, 1)],
            "end": [D(2024, 12, 31), D(2026, 12, 31)],
        }
    )
    parties = pl.DataFrame({"agreement_id": [1, 2], "orgnr": ["974760673", "974760673"]})
    part = pl.DataFrame({"agreement_id": [1, 2, 2], "municipality_code": ["5038", "5038", "5037"]})
    return ag, parties, part


def test_line_outside_dates_or_from_non_participating_municipality_is_not_matched() -> None:
    ag, parties, part = _ag()
    lines = pl.DataFrame(
        {
            "row": [0, 1, 2, 3, 4],
            "date": [D(2024, 6, 1), D(2023, 12, 31), D(2024, 6, 1), D(2027, 1, 1), D(2025, 3, 1)],
            "municipality_now": ["5038", "5038", "5037", "5038", "5037"],
            "orgnr": ["974760673"] * 5,
            "contract_ref": [None] * 5,
        },
        schema_overrides={"contract_ref": pl.String},
    )
    got = match_agreements(lines, ag, parties, part)["agreement_id"].to_list()
    # in; before start; Levanger not in agreement 1; after end; Levanger in agreement 2.
    assert got == [1, None, None, None, 2]


def test_contract_ref_wins_over_supplier_matching() -> None:
    _, parties, part = _ag()
    ag = pl.DataFrame(
        {
            "id": [1, 2],
            "ref": ["A-1", "B-2"],
            "start": [D(2024, 1, 1), D(2025, 1, 1)],
            "end": [D(2026, 12, 31), D(2026, 12, 31)],
        }
    )
    lines = pl.DataFrame(
        {
            "row": [0, 1, 2, 3],
            "date": [D(2025, 6, 1), D(2025, 6, 1), D(2027, 6, 1), D(2025, 6, 1)],
            "municipality_now": ["5038", "5038", "5038", "5037"],
            "orgnr": ["974760673"] * 4,
            "contract_ref": ["A-1", "UKJENT-9", "A-1", "A-1"],
        }
    )
    # Supplier matching alone gives agreement 2 (started last); the invoice names A-1, active
    # and with Verdal taking part, which wins. An unknown reference falls back to supplier
    # matching; a reference to an agreement that has ended matches nothing; a reference from a
    # municipality that is not part of A-1 falls back to supplier matching (Levanger is in B-2).
    got = match_agreements(lines, ag, parties, part)["agreement_id"].to_list()
    assert got == [1, 2, None, 2]


# --- the register on a demo database --------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A private demo database per test (these tests change the register), on each backend."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'reg.sqlite'}")
        build_demo_db(engine)
        yield engine
        engine.dispose()
        return
    with fresh_pg_database("innsikt_reg") as url:
        engine = db.make_engine(url)
        try:
            build_demo_db(engine)
            yield engine
        finally:
            engine.dispose()


def _matching(conn: sa.Connection) -> dict[int, int | None]:
    lt = schema.ledger_line
    return dict(conn.execute(sa.select(lt.c.id, lt.c.agreement_id)).all())


def _polars_matching(conn: sa.Connection) -> dict[int, int | None]:
    """The expected matching: every ledger line through ``match_agreements`` in Polars."""
    lt, s, m = schema.ledger_line, schema.supplier, schema.municipality
    lines = db.read_frame(
        conn,
        sa.select(
            lt.c.id.label("row"),
            lt.c.date,
            m.c.current_code.label("municipality_now"),
            s.c.orgnr,
            lt.c.contract_ref,
        )
        .join(s, s.c.id == lt.c.supplier_id)
        .join(m, m.c.code == lt.c.municipality_code),
    )
    parties, part = store_agreements.load_parties(conn)
    out = match_agreements(lines, store_agreements.load_agreements(conn), parties, part)
    return dict(out.select("row", "agreement_id").iter_rows())


def test_rematch_all_in_sql_equals_the_polars_matching_and_contract_ref_wins(
    demo_engine: sa.Engine,
) -> None:
    with demo_engine.begin() as conn:
        lt = schema.ledger_line
        # An unmatched line that names an agreement on its e-invoice gets that agreement.
        (line_id,) = conn.execute(
            sa.select(lt.c.id).where(lt.c.agreement_id.is_(None), lt.c.spend_class == "purchase")
        ).first()
        ref, aid = conn.execute(sa.select(schema.agreement.c.ref, schema.agreement.c.id)).first()
        conn.execute(lt.update().where(lt.c.id == line_id).values(contract_ref=ref))
        version = int(db.get_setting(conn, "data_version") or 0)
        n = reg.rematch_all(conn)
        after = _matching(conn)
        assert int(db.get_setting(conn, "data_version") or 0) == version + 1
        expected = _polars_matching(conn)
    assert after[line_id] == aid
    assert after == expected
    assert n == sum(v is not None for v in expected.values()) > 1000


def test_save_register_creates_audits_and_rematches(demo_engine: sa.Engine) -> None:
    with demo_engine.begin() as conn:
        # A supplier with unmatched purchase lines in Verdal gets a new agreement.
        s, lt = schema.supplier, schema.ledger_line
        sid, orgnr = conn.execute(
            sa.select(s.c.id, s.c.orgnr)
            .join(lt, lt.c.supplier_id == s.c.id)
            .where(
                lt.c.agreement_id.is_(None),
                s.c.orgnr.is_not(None),
                lt.c.municipality_code == "5038",
            )
            .group_by(s.c.id, s.c.orgnr)
            .order_by(sa.func.count().desc())
        ).first()
        current = store_agreements.register_frame(conn)
        new = pl.DataFrame(
            {
                "ref": ["TEST-001"],
                "name": ["Testavtale"],
                "category": ["Kontor og rekvisita"],
                "start": ["01.01.2019"],
                "end": ["31.12.2030"],
                "end_with_options": [None],
                "estimated_annual_value_nok": ["1 000 000"],
                "savings_rate": ["5 %"],
                "projected_saving_nok": [None],
                "savings_type": ["Hard gevinst"],
                "owner": ["Test"],
                "baseline_note": ["Priser 2018"],
                "suppliers": [orgnr],
                "municipalities": ["5038"],
            }
        )
        rows = pl.concat([current.with_columns(pl.all().cast(pl.String)), new], how="vertical")
        result = reg.save_register(conn, rows, ANALYST)
        assert result["created"] == ["TEST-001"] and result["updated"] == []
        aid = conn.execute(
            sa.select(schema.agreement.c.id).where(schema.agreement.c.ref == "TEST-001")
        ).scalar()
        stored = conn.execute(sa.select(schema.agreement).where(schema.agreement.c.id == aid)).one()
        assert stored.savings_rate == pytest.approx(0.05)
        assert stored.estimated_annual_value_ore == 1_000_000_00
        verdal_lines = conn.execute(
            sa.select(sa.func.count()).where(
                lt.c.supplier_id == sid, lt.c.municipality_code == "5038", lt.c.agreement_id == aid
            )
        ).scalar()
        assert verdal_lines and verdal_lines > 0
        cube_rows = conn.execute(
            sa.select(sa.func.count()).where(schema.spend_cube.c.agreement_id == aid)
        ).scalar()
        assert cube_rows and cube_rows > 0
        log = conn.execute(
            sa.select(schema.audit_log.c.username, schema.audit_log.c.detail).where(
                schema.audit_log.c.action == "agreement.save"
            )
        ).all()
        assert log and log[-1][0] == "analytiker" and "TEST-001" in log[-1][1]
        # Deleting it again (delete_missing) frees its lines.
        result = reg.save_register(
            conn, current.with_columns(pl.all().cast(pl.String)), ADMIN, delete_missing=True
        )
        assert result["deleted"] == ["TEST-001"]
        assert not conn.execute(sa.select(sa.func.count()).where(lt.c.agreement_id == aid)).scalar()


def test_invalid_import_stores_nothing_and_names_each_problem(demo_engine: sa.Engine) -> None:
    csv = (
        "avtalenr;navn;start;slutt;besparelsesgrad;leverandører;kommuner\n"
        "OK-1;Gyldig;01.01.2025;31.12.2026;4 %;974760673;5038\n"
        "BAD-2;Ugyldig;01.01.2025;31.12.2024;150 %;123456789;9999\n"
    ).encode("cp1252")
    with demo_engine.begin() as conn:
        n_before = conn.execute(sa.select(sa.func.count()).select_from(schema.agreement)).scalar()
        with pytest.raises(ValueError) as err:
            reg.import_register(conn, csv, "avtaler.csv", ADMIN)
        msg = str(err.value)
        for part in ("BAD-2", "sluttdato er før startdato", "mellom 0 og 100", "123456789", "9999"):
            assert part in msg
        assert "OK-1" not in msg
        n_after = conn.execute(sa.select(sa.func.count()).select_from(schema.agreement)).scalar()
        assert n_after == n_before
        # The valid row alone imports, Norwegian headings and cp1252 included.
        good = csv.decode("cp1252").splitlines()[:2]
        result = reg.import_register(conn, "\n".join(good).encode("cp1252"), "a.csv", ADMIN)
        assert result["created"] == ["OK-1"]
        assert (
            conn.execute(
                sa.select(schema.audit_log.c.action).order_by(schema.audit_log.c.id.desc())
            ).first()[0]
            == "agreement.import:a.csv"
        )


def test_register_xlsx_import(demo_engine: sa.Engine, tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "ref": ["X-1"],
            "name": ["Excelavtale"],
            "start": [D(2025, 1, 1)],
            "end": [D(2026, 12, 31)],
            "estimated_annual_value_nok": [2_000_000],
            "projected_saving_nok": [80_000],
            "savings_type": ["kostnadsunngåelse"],
            "suppliers": ["974760673"],
            "municipalities": [""],
        }
    )
    path = tmp_path / "a.xlsx"
    frame.write_excel(path)
    with demo_engine.begin() as conn:
        reg.import_register(conn, path.read_bytes(), "a.xlsx", ADMIN)
        row = (
            store_agreements.register_frame(conn).filter(pl.col("ref") == "X-1").row(0, named=True)
        )
    assert row["projected_saving_nok"] == 80_000.0
    assert row["savings_rate"] is None
    assert row["savings_type"] == "avoidance"
    assert row["municipalities"] == "5006,5037,5038,5041,5053"  # empty = every member


@pytest.mark.parametrize("scope", [LEDER, KOMMUNE])
def test_only_the_procurement_office_edits_the_register(
    demo_engine: sa.Engine, scope: Scope
) -> None:
    with demo_engine.begin() as conn, pytest.raises(PermissionError):
        reg.save_register(conn, store_agreements.register_frame(conn), scope)


def test_thresholds_and_target_are_admin_only_and_audited(demo_engine: sa.Engine) -> None:
    with demo_engine.begin() as conn:
        table = load_thresholds(conn)
        added = pl.concat(
            [
                table,
                pl.DataFrame(
                    {
                        "valid_from": [D(2026, 7, 1)],
                        "regulation_lower_limit_nok": [100_000],
                        "national_threshold_nok": [1_300_000],
                        "eea_threshold_municipal_goods_services_nok": [2_400_000],
                        "eea_threshold_works_nok": [60_000_000],
                        "source": ["ny kunngjøring"],
                    }
                ),
            ],
            how="vertical_relaxed",
        )
        with pytest.raises(PermissionError):
            save_thresholds(conn, added, ANALYST)
        bad = added.with_columns(national_threshold_nok=pl.lit(5_000_000))
        with pytest.raises(ValueError, match="nasjonal terskel"):
            save_thresholds(conn, bad, ADMIN)
        assert save_thresholds(conn, added, ADMIN) == table.height + 1
        assert load_thresholds(conn)["valid_from"].to_list()[-1] == D(2026, 7, 1)
        with pytest.raises(PermissionError):
            reg.set_savings_target(conn, 9e6, ANALYST)
        reg.set_savings_target(conn, 9_000_000, ADMIN)
        assert store_agreements.savings_target(conn) == 9_000_000.0
        actions = conn.execute(sa.select(schema.audit_log.c.action)).scalars().all()
        assert "threshold.save" in actions and "savings_target.set" in actions
