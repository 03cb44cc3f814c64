"""AppTest of the analysis pages: every role renders every page; a kommune user's charts,
tables and figures hold only their own municipality; line detail follows the role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from tests.conftest import ROLE_USERS, SPURIOUS_LEVANGER_ORE, new_app

pytestmark = pytest.mark.usefixtures("app_env")

PAGES = ("pages/municipalities_categories.py", "pages/suppliers.py", "pages/regional.py")
OTHERS = {"Steinkjer", "Levanger", "Snåsa", "Inderøy", "Verran"}
OTHER_LABELS = OTHERS | {
    "Steinkjer (5004)",
    "Steinkjer (5006)",
    "Verran (5039)",
    "Levanger (5037)",
    "Snåsa (5041)",
    "Inderøy (5053)",
}
SPURIOUS_NOK = SPURIOUS_LEVANGER_ORE / 100


def _open(user: str, script: str, **state: Any):
    at = new_app(user)
    at.run()
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(script).run()
    return at


def _figures(at) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _each_tab(at) -> Iterator[Any]:
    """The app once per tab of the page: only the open tab runs (Leverandører), so each of the
    others is opened through the URL, as a click or a link does (a page without tabs: once)."""
    for label in [None, *(tb.label for tb in at.tabs[1:])]:
        if label is not None:
            at.query_params["fane"] = label
            at.run()
        assert not at.exception, (label, [e.message for e in at.exception])
        yield at


def _title(fig: dict[str, Any]) -> str:
    title = fig["layout"].get("title", {})
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    return text.replace("<br>", " ")  # long titles are wrapped for phones


def _axis_title(fig: dict[str, Any], axis: str) -> str:
    title = fig["layout"].get(f"{axis}axis", {}).get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title or "")


def _strings(values: Any) -> list[str]:
    if isinstance(values, str):
        return [values.replace("<br>", " ")]
    if isinstance(values, list):
        return [s for v in values for s in _strings(v)]
    return []


def _numbers(values: Any) -> list[float]:
    if isinstance(values, bool):
        return []
    if isinstance(values, int | float):
        return [float(values)]
    if isinstance(values, list):
        return [n for v in values for n in _numbers(v)]
    if isinstance(values, dict) and "bdata" in values:  # plotly typed arrays: not expected
        raise AssertionError("typed array in figure; decode before checking")
    return []


@pytest.mark.parametrize("role", list(ROLE_USERS))
@pytest.mark.parametrize("script", PAGES)
def test_each_page_renders_for_each_role(role: str, script: str) -> None:
    at = _open(ROLE_USERS[role][0], script)
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.metric) >= 3
    assert all(m.help for m in at.metric), "every figure carries its definition"
    assert any("Uklassifisert" in c.value or "uklassifisert" in c.value for c in at.caption)
    figs = [fig for tab in _each_tab(at) for fig in _figures(tab)]
    assert len(figs) >= 4
    assert len(figs) <= 12
    assert all(_title(f) for f in figs), "every chart has a title"


@pytest.mark.parametrize("script", PAGES)
@pytest.mark.parametrize("structure", ["today", "historical"])
def test_kommune_user_sees_only_their_municipality(script: str, structure: str) -> None:
    at = _open("verdal", script, kk_struktur=structure, kk_tid="year")
    for tab in _each_tab(at):
        _assert_only_verdal(tab)


def _assert_only_verdal(at) -> None:
    figs = _figures(at)
    for fig in figs:
        title = _title(fig)
        for trace in fig["data"]:
            names = _strings(trace.get("name")) + _strings(trace.get("labels"))
            axes = _strings(trace.get("y"))
            if not title.startswith("Pengestrømmer"):  # its x axis is the supplier's home
                axes += _strings(trace.get("x"))
            leaked = OTHER_LABELS & set(names + axes)
            assert not leaked, f"{title}: {leaked}"
            for axis in ("x", "y"):
                if "mill. kr" in _axis_title(fig, axis):
                    values = _numbers(trace.get(axis))
                    assert all(abs(v) * 1e6 < SPURIOUS_NOK for v in values), title
        if title.startswith("Pengestrømmer"):
            assert _strings(fig["data"][0]["y"]) == ["Verdal"]
    for df in at.dataframe:
        frame: pd.DataFrame = df.value
        if "municipality" in frame.columns:
            assert set(frame["municipality"]) <= {"Verdal"}
        for col in frame.select_dtypes("number").columns:
            assert (frame[col].abs() < SPURIOUS_NOK).all(), col


def test_kommune_totals_equal_their_own_rows_only() -> None:
    own = _open("verdal", "pages/municipalities_categories.py")
    analyst = _open("analytiker", "pages/municipalities_categories.py")
    analyst.query_params["kommune"] = ["5038"]
    analyst.run()
    assert own.metric[0].value == analyst.metric[0].value
    everyone = _open("analytiker", "pages/municipalities_categories.py")
    assert everyone.metric[0].value != own.metric[0].value


def test_line_detail_follows_the_role() -> None:
    leder = _open("leder", "pages/municipalities_categories.py")
    assert not leder.exception
    assert any("Fakturalinjer vises ikke" in i.value for i in leder.info)
    assert all("date" not in d.value.columns for d in leder.dataframe)
    analyst = _open("analytiker", "pages/municipalities_categories.py")
    # the largest category holds the one huge test line; the second has many ordinary lines
    analyst.selectbox(key="kk_drill_kategori").select_index(1).run()
    assert not analyst.exception
    assert all("date" not in d.value.columns for d in analyst.dataframe)  # on demand only
    analyst.toggle(key="kk_drill_vis").set_value(True).run()
    lines = [d.value for d in analyst.dataframe if "date" in d.value.columns]
    assert lines and len(lines[0]) == 50  # one page, limited in SQL
    assert "category_rule" in lines[0].columns and "area" not in lines[0].columns
    analyst.number_input(key="kk_drill_side").set_value(2).run()
    page2 = next(d.value for d in analyst.dataframe if "date" in d.value.columns)
    assert page2["date"].max() <= lines[0]["date"].min()  # newest first, no overlap by date
    private = lines[0][lines[0]["supplier"] == "Privatperson"]
    assert private["orgnr"].isna().all()


def test_population_editor_only_for_admin() -> None:
    admin = _open("admin_t", "pages/municipalities_categories.py")
    assert any(e.label == "Innbyggertall (administrator)" for e in admin.expander)
    for user in ("analytiker", "leder", "verdal"):
        at = _open(user, "pages/municipalities_categories.py")
        assert not any(e.label == "Innbyggertall (administrator)" for e in at.expander)


def test_suppliers_page_counts_excluded_suppliers_apart_and_abc_cutoff_moves() -> None:
    at = _open("verdal", "pages/suppliers.py")
    assert any("Holdt utenfor andelene" in c.value for c in at.caption)
    before = at.metric[2].value
    at.slider(key="lev_a").set_value(60).run()
    assert not at.exception
    pareto = next(f for f in _figures(at) if _title(f).startswith("Paretokurven"))
    assert any(s.get("y0") == 60 for s in pareto["layout"].get("shapes", []))
    assert at.metric[2].value == before  # tail spend depends on B, not on A
    at.slider(key="lev_b").set_value(85).run()
    assert at.metric[2].value != before


def test_suppliers_tabs_run_only_when_open_and_hold_the_page_figures() -> None:
    """Only the open tab is drawn (issue 8: four charts and three tables cost the browser
    ≈ 0,9 s per visit); each tab opened through ``?fane=`` shows its own charts and tables,
    and the class table adds up to the tile's supplier count."""
    at = _open("analytiker", "pages/suppliers.py")
    titles = [_title(f) for f in _figures(at)]
    assert titles == [
        "De 15 største leverandørene",
        "Paretokurven: hvor få leverandører står for det meste",
    ]
    assert [tb.label for tb in at.tabs] == [
        "Toppleverandører",
        "ABC-klasser og halespend",
        "Per kategori (HHI)",
        "Avhengighet",
    ]
    n_suppliers = int(at.metric[0].value.replace("\u00a0", "").replace(" ", ""))

    at.query_params["fane"] = "ABC-klasser og halespend"
    at.run()
    assert [_title(f) for f in _figures(at)] == ["ABC-klasser: mange små, få store"]
    classes = next(d.value for d in at.dataframe if "Klasse" in d.value.columns)
    assert list(classes["Klasse"]) == ["A", "B", "C"]
    counts = [int(n.replace("\u00a0", "").replace(" ", "")) for n in classes["Leverandører"]]
    assert sum(counts) == n_suppliers
    assert all(v.endswith("\u00a0kr") for v in classes["Beløp"])  # as the tiles: 1 234 kr
    assert all(v.endswith("\u00a0%") and "," in v for v in classes["Andel av linjene"])

    at.query_params["fane"] = "Per kategori (HHI)"
    at.run()
    assert [_title(f) for f in _figures(at)] == ["Konsentrasjon per kategori (HHI)"]
    assert any("hhi" in d.value.columns for d in at.dataframe)

    at.query_params["fane"] = "Avhengighet"
    at.run()
    assert _figures(at) == []
    assert any(s.value.startswith("Avhengighet: én leverandør over") for s in at.subheader)


def test_suppliers_closed_tabs_build_no_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A filter change on the first tab builds its two charts only; the ABC chart is built
    when its tab is opened (a setting no other test uses, so nothing comes from the cache)."""
    from charts import suppliers as supplier_charts

    built: list[str] = []
    real = supplier_charts.abc_classes

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append("abc")
        return real(*args, **kwargs)

    monkeypatch.setattr(supplier_charts, "abc_classes", counting)
    at = _open("analytiker", "pages/suppliers.py", lev_a=63)
    assert not at.exception
    assert len(_figures(at)) == 2 and built == []
    at.query_params["fane"] = "ABC-klasser og halespend"
    at.run()
    assert built == ["abc"]
