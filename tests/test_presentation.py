"""Presentasjon and Eksport pages (AppTest, every role), decks in the database, per-chart
downloads (CSV/XLSX text neutralized, no other municipality for a kommune user), English."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import polars as pl
import pytest
import sqlalchemy as sa

from charts import export, registry
from charts.a11y import plain
from charts.lang import using
from charts.registry import CHARTS, ChartData
from data_access.store import decks
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from data_access.store.users import scope_for
from report.opportunities import opportunity_source
from tests.conftest import ROLE_USERS, SPURIOUS_LEVANGER_ORE, new_app

PRESENTATION, EXPORT = "pages/presentation.py", "pages/export.py"
FOREIGN = re.compile(
    r"987[\s\u00a0\u202f.,]?654[\s\u00a0\u202f.,]?321|(?<![\d.])987[,.]7(?!\d)|98765432100"
)
K2 = Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 1))


def _data(engine: sa.Engine, scope: Scope) -> ChartData:
    with engine.connect() as conn:
        agreements = load_agreements(conn)
    cube = load_cube(engine, scope)
    return ChartData(
        cube, agreements, 7_500_000.0, opportunities=opportunity_source(engine, cube, scope)
    )


# --- registry and per-chart files (no Streamlit) -------------------------------------------


def test_every_standard_chart_has_english_and_builds_in_both_languages(
    sqlite_engine: sa.Engine,
) -> None:
    data = _data(sqlite_engine, Scope.everything())
    for spec in CHARTS:
        assert spec.title_en and spec.title_en != spec.title_nb, spec.id
        assert spec.definition_en and spec.definition_en != spec.definition_nb, spec.id
        for c in spec.columns:
            assert c.en, (spec.id, c.name)
        nb = registry.build(spec.id, data, K2)
        with using("en"):
            en = registry.build(spec.id, data, K2)
            en_columns = list(en.table.columns)
        assert plain(nb.figure.layout.title.text) == spec.title_nb  # wrapped for phones (#14)
        assert plain(en.figure.layout.title.text) == spec.title_en
        assert en.headline != nb.headline and en.headline
        assert en.figure.layout.separators == ".,"
        assert en_columns == [c.en for c in spec.columns if c.name in en.frame.columns]
    with using("en"):
        top = registry.build("kommuner", data, K2)
    assert re.fullmatch(r"Levanger bought the most: NOK\s[\d.,]+\s(million|billion)", top.headline)
    assert "mill. kr" not in str(top.figure.to_plotly_json()["layout"])


def test_headline_sentence_names_the_largest_municipality(sqlite_engine: sa.Engine) -> None:
    data = _data(sqlite_engine, Scope.everything())
    built = registry.build("kommuner", data, Filters.year(2024))
    top = built.frame.sort("amount", descending=True).row(0, named=True)
    assert built.headline.startswith(f"{top['municipality_name']} kjøpte mest: ")
    assert built.headline.endswith("mill.\u00a0kr")


def test_hostile_supplier_name_is_text_in_csv_and_xlsx_and_escaped_in_the_figure() -> None:
    hostile = '=HYPERLINK("http://x","y")'
    frame = pl.DataFrame(
        {
            "rank": [1, 2],
            "supplier_name": [hostile, "<a href='http://x'>Klikk</a>"],
            "orgnr": ["+1+1", "987654325"],
            "amount": [2_000_000.0, 1_000_000.0],
            "share": [0.667, 0.333],
            "abc": ["A", "B"],
            "n_lines": [3, 1],
            "categories": ["@SUM(A1)", "Bygg"],
        }
    )
    built = registry.from_frame("leverandorer", frame)
    ctx = export.Context("Alle kommuner", "2025 K2", "Data til og med 06.2025")
    text = export.to_csv(built, ctx).decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://x"",""y"")' in text  # quoted CSV field, apostrophe first
    assert "'+1+1" in text and "'@SUM(A1)" in text
    assert "\n=" not in text and ";=" not in text
    xlsx = export.to_xlsx([built], ctx)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    assert "<t>'" + hostile + "</t>" in strings  # a plain text cell
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert ws["B6"].value == "'" + hostile and ws["B6"].data_type == "s"
    assert ws["D6"].value == 2_000_000 and ws["D6"].number_format == '#,##0 "kr"'
    assert ws["E6"].number_format == "0.0 %"
    fig = str(built.figure.to_plotly_json()["data"])
    assert "<a href" not in fig and "&lt;a href=" in fig


def test_kommune_downloads_hold_no_other_municipality(sqlite_engine: sa.Engine) -> None:
    office = _data(sqlite_engine, Scope.everything())
    verdal_scope = scope_for(sqlite_engine, "verdal")
    assert verdal_scope is not None
    verdal = _data(sqlite_engine, verdal_scope)
    ctx = export.Context("Verdal", "2025 K2", "Data til og med 09.2026")
    office_csv = export.to_csv(registry.build("kommuner", office, K2), ctx).decode("utf-8-sig")
    levanger = re.search(r"5037;Levanger;(\d+),\d\d", office_csv)
    assert levanger and int(levanger[1]) >= SPURIOUS_LEVANGER_ORE // 100  # the planted line
    built = [registry.build(s.id, verdal, K2) for s in CHARTS]
    files = [export.to_csv(b, ctx).decode("utf-8-sig") for b in built]
    with zipfile.ZipFile(io.BytesIO(export.to_xlsx(built, ctx))) as z:
        files += [z.read(n).decode() for n in z.namelist() if n.endswith(".xml")]
    files += [str(b.figure.to_plotly_json()) for b in built]
    for text in files:
        assert not FOREIGN.search(text)
    for b in built:  # every total is Verdal-sized: the planted line alone is 987 654 321 kr
        if b.total is not None:
            assert abs(b.total) < 1e8, b.spec.id
        for col in ("municipality_name", "muni_label"):
            if col in b.frame.columns:
                assert set(b.frame[col]) <= {"Verdal"}, b.spec.id
    assert set(built[0].frame["municipality_name"]) == {"Verdal"}


# --- decks ---------------------------------------------------------------------------------


def test_decks_are_private_unless_shared_and_only_the_owner_edits(sqlite_engine: sa.Engine) -> None:
    with sqlite_engine.begin() as conn:
        deck = decks.add_view(conn, "admin_t", "kommuner", {"periode": ["2025-K2"], "x": ["1"]})
        deck = decks.add_view(conn, "admin_t", "gevinst", {"kommune": ["5037"]})
        assert [s.chart for s in deck.slides] == ["kommuner", "gevinst"]
        assert deck.slides[0].params == {"periode": ["2025-K2"]}  # only filter keys kept
        assert decks.get_deck(conn, deck.id, "verdal") is None  # not shared
        with pytest.raises(PermissionError):
            decks.save_deck(conn, deck, "verdal")
        decks.save_deck(
            conn, decks.Deck(deck.id, deck.owner, deck.name, True, deck.slides), "admin_t"
        )
        seen = decks.get_deck(conn, deck.id, "verdal")
        assert seen is not None and seen.shared
        assert deck.id in {d.id for d in decks.decks_for(conn, "verdal")}
        with pytest.raises(PermissionError):
            decks.save_deck(conn, seen, "verdal")  # shared means read-only


# --- pages (AppTest) -----------------------------------------------------------------------


def _markdown(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


@pytest.mark.usefixtures("app_env")
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_presentation_walks_the_default_deck_for_every_role(role: str) -> None:
    at = new_app(ROLE_USERS[role][0])
    at.query_params["periode"] = ["2025-K2"]
    at.run()
    at.switch_page(PRESENTATION).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    assert len(at.sidebar.multiselect) == 0  # no filter clutter
    text = _markdown(at)
    assert f"Lysbilde 1 av {len(decks.DEFAULT_CHARTS)}" in text
    assert "Demodata" in text and "Data til og med" in text
    if role == "kommune":
        assert "Verdal kjøpte for" in text
        assert not FOREIGN.search(str(at.get("plotly_chart")[0].proto.spec))
    else:
        assert "Levanger kjøpte mest" in text  # the planted line makes Levanger largest in K2
    at.button(key="pres_next").click().run()
    assert not at.exception
    assert f"Lysbilde 2 av {len(decks.DEFAULT_CHARTS)}" in _markdown(at)
    assert at.query_params["lysbilde"] in ("2", ["2"])


@pytest.mark.usefixtures("app_env")
def test_shared_deck_link_opens_at_the_slide_with_the_openers_scope(app_data_dir) -> None:  # type: ignore[no-untyped-def]
    from data_access.store.db import make_engine

    engine = make_engine(f"sqlite:///{app_data_dir / 'innsikt.sqlite'}")
    with engine.begin() as conn:
        deck = decks.create_deck(
            conn,
            "admin_t",
            "Kommunestyret",
            [
                decks.Slide("gevinst", {"periode": ["2025"]}),
                decks.Slide("kommuner", {"periode": ["2025-K2"], "kommune": ["5037", "5038"]}),
            ],
            shared=True,
        )
    engine.dispose()
    at = new_app("verdal")
    at.query_params["deck"] = [deck.id]
    at.query_params["lysbilde"] = ["2"]
    at.run()
    at.switch_page(PRESENTATION).run()
    assert not at.exception
    text = _markdown(at)
    assert "Lysbilde 2 av 2" in text
    assert "Verdal kjøpte for" in text  # Levanger (5037) falls away for the Verdal user
    spec = str(at.get("plotly_chart")[0].proto.spec)
    assert "Levanger" not in spec and not FOREIGN.search(spec)


@pytest.mark.usefixtures("app_env")
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_export_page_offers_the_users_own_scope(role: str) -> None:
    at = new_app(ROLE_USERS[role][0])
    at.run()
    at.switch_page(EXPORT).run()
    assert not at.exception
    quarters = at.selectbox(key="exp_quarter").options
    assert "2025 K2" in quarters and all(re.fullmatch(r"\d{4} K[1-4]", q) for q in quarters)
    munis = at.multiselect(key="exp_munis").options
    assert munis == (["Verdal"] if role == "kommune" else munis) and len(munis) >= 1
    if role != "kommune":
        assert len(munis) >= 5


@pytest.mark.slow
@pytest.mark.usefixtures("app_env")
def test_export_page_builds_a_kommune_users_report() -> None:
    at = new_app("verdal")
    at.run()
    at.switch_page(EXPORT).run()
    at.selectbox(key="exp_quarter").set_value("2025-K2").run()
    at.button(key="exp_run").click()
    at.run(timeout=400)
    assert not at.exception
    name, data = at.session_state["exp_zip"]
    assert name.startswith("kvartalsrapport_2025-K2_verdal")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert any(n.endswith("rapport.pdf") for n in names)
        for n in names:
            if n.endswith((".xml", ".json", ".svg")) or n.endswith(".xlsx"):
                body = z.read(n)
                if n.endswith(".xlsx"):
                    with zipfile.ZipFile(io.BytesIO(body)) as x:
                        body = b" ".join(x.read(m) for m in x.namelist())
                assert not FOREIGN.search(body.decode("utf-8", "replace")), n


@pytest.mark.usefixtures("app_env")
def test_oversikt_measures_a_kommune_user_against_its_part_of_the_target(app_data_dir) -> None:  # type: ignore[no-untyped-def]
    from charts import fmt
    from data_access.metrics.savings_summary import target_share
    from data_access.store.cube import load_cube
    from data_access.store.db import make_engine
    from data_access.store.scope import Scope
    from data_access.store.targets import target_share_from_db

    office = new_app("analytiker")
    office.query_params["periode"] = ["2025"]
    office.run()
    assert "av målet (7,5\u00a0mill.\u00a0kr)" in office.metric[3].proto.delta
    at = new_app("verdal")
    at.query_params["periode"] = ["2025"]
    at.run()
    engine = make_engine(f"sqlite:///{app_data_dir / 'innsikt.sqlite'}")
    share = target_share_from_db(engine, Filters.year(2025), frozenset({"5038"}))
    engine.dispose()
    assert 0 < share < 0.5
    delta = at.metric[3].proto.delta
    assert f"av kommunens del av målet ({fmt.mkr(7_500_000 * share)})" in delta
    # The office filtering on Verdal: the same part, computed on its in-memory cube, not in SQL.
    office.query_params["kommune"] = ["5038"]
    office.run()
    assert (
        f"av kommunens del av målet ({fmt.mkr(7_500_000 * share)})" in office.metric[3].proto.delta
    )
    engine = make_engine(f"sqlite:///{app_data_dir / 'innsikt.sqlite'}")
    cube = load_cube(engine, Scope.everything())
    engine.dispose()
    in_memory = target_share(cube, Filters.year(2025), frozenset({"5038"}))
    assert in_memory == pytest.approx(share, rel=1e-12)


@pytest.mark.usefixtures("app_env")
def test_chart_toolbar_table_and_add_to_presentation(app_data_dir) -> None:  # type: ignore[no-untyped-def]
    from data_access.store.db import make_engine

    at = new_app("verdal")
    at.query_params["periode"] = ["2025-K2"]
    at.run()
    at.toggle(key="chart_municipality_tabell").set_value(True).run()
    table = next(d.value for d in at.dataframe if "Beløp (kr)" in d.value.columns)
    assert list(table.columns) == ["Kommunenr.", "Kommune", "Beløp (kr)"]
    assert list(table["Kommune"]) == ["Verdal"]
    labels = [b.label for b in at.get("download_button")]
    assert {"PNG", "SVG", "Excel", "CSV"} <= set(labels)
    at.button(key="chart_categories_deck").click().run()
    assert not at.exception
    engine = make_engine(f"sqlite:///{app_data_dir / 'innsikt.sqlite'}")
    with engine.connect() as conn:
        mine = [d for d in decks.decks_for(conn, "verdal") if d.owner == "verdal"]
    engine.dispose()
    assert mine and mine[0].slides[-1].chart == "kategorier"
    assert mine[0].slides[-1].params.get("periode") == ["2025-K2"]


@pytest.mark.usefixtures("app_env")
def test_figures_json_carries_what_gevinster_shows(app_data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from charts import fmt
    from cli import main

    url = f"sqlite:///{app_data_dir / 'innsikt.sqlite'}"
    assert main(["--database-url", url, "figures", "--period", "2024", "--json"]) == 0
    sav = json.loads(capsys.readouterr().out)["savings"]
    at = new_app("analytiker")
    at.query_params["periode"] = ["2024"]
    at.run()
    at.switch_page("pages/savings.py").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Realisert gevinst"] == fmt.mkr(sav["realized"])
    assert shown["Forventet i perioden"] == fmt.mkr(sav["expected_period"])
    assert shown["Forventet × lojalitet"] == fmt.mkr(sav["expected_loyalty"])
    assert sav["target_share"] == 1.0 and sav["period_target"] == pytest.approx(7_500_000)


@pytest.mark.usefixtures("app_env")
def test_gevinster_states_a_kommune_users_part_of_the_target() -> None:
    at = new_app("verdal")
    at.query_params["periode"] = ["2025"]
    at.run()
    at.switch_page("pages/savings.py").run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Mot kommunenes del"))
    assert "av medlemmenes felles innkjøp" in caption
    office = new_app("analytiker")
    office.run()
    office.switch_page("pages/savings.py").run()
    assert not any(c.value.startswith("Mot kommunenes del") for c in office.caption)
