"""AppTest: the login gate, every role on Oversikt, kommune scope, and the URL round trip."""

from __future__ import annotations

import pytest

import app as _app_module
from tests.conftest import ROLE_USERS, TEST_PASSWORD, new_app

pytestmark = pytest.mark.usefixtures("app_env")


def _registered_pages() -> list[str]:
    return [p[0] for p in _app_module.PAGES]


def test_logged_out_every_page_shows_only_the_login_form() -> None:
    at = new_app()
    at.run()
    assert not at.exception
    for script in _registered_pages():
        at.switch_page(script).run()
        assert not at.exception
        assert [w.label for w in at.text_input] == ["Brukernavn", "Passord"]
        assert len(at.metric) == 0
        assert len(at.get("plotly_chart")) == 0
        assert len(at.dataframe) == 0
        assert len(at.sidebar.multiselect) == 0  # not even the filter options leak


def test_login_with_form_then_wrong_password() -> None:
    at = new_app()
    at.run()
    at.text_input[0].input("leder")
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert at.metric[0].label == "Innkjøp totalt"

    bad = new_app()
    bad.run()
    bad.text_input[0].input("leder")
    bad.text_input[1].input("feil-passord")
    bad.button[0].click().run()
    assert len(bad.metric) == 0
    assert any("Feil brukernavn eller passord" in e.value for e in bad.error)


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_oversikt_renders_for_each_role(role: str) -> None:
    at = new_app(ROLE_USERS[role][0])
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:6] == [
        "Innkjøp totalt",
        "Regional andel",
        "Avtaledekning",
        "Realisert gevinst",
        "E-handelsandel",
        "Kjøp fra offentlige",
    ]
    assert all(m.help for m in at.metric)  # every figure carries its definition
    assert len(at.get("plotly_chart")) == 3
    assert any("Demodata" in w.value for w in at.sidebar.warning)


def _chart_names(at) -> set[str]:
    import json

    names: set[str] = set()
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            if trace.get("name"):
                names.add(trace["name"])
            if trace.get("orientation") == "h" and "municipality" in chart.proto.id:
                names.update(trace["y"])
    return names


def test_kommune_user_sees_only_own_municipality() -> None:
    at = new_app("verdal")
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_kommune").options == ["Verdal"]
    names = _chart_names(at)
    assert "Verdal" in names
    assert not names & {"Levanger", "Steinkjer", "Snåsa", "Inderøy", "Verran"}
    # The spend tile is Verdal's alone: far below the 987 mill. kr Levanger test line.
    assert "mill." in at.metric[0].value
    assert float(at.metric[0].value.split("\xa0")[0].replace(",", ".")) < 100

    admin = new_app("admin_t")
    admin.run()
    assert "mrd." in admin.metric[0].value  # the Levanger test line counts for everyone


def test_kommune_user_cannot_widen_scope_through_the_url() -> None:
    at = new_app("verdal")
    at.query_params["kommune"] = ["5037"]
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_kommune").value == []
    assert "kommune" not in at.query_params


def _qp(at, key: str) -> list[str]:
    value = at.query_params[key]
    return [value] if isinstance(value, str) else list(value)


def test_query_string_round_trip() -> None:
    at = new_app("analytiker")
    at.query_params["periode"] = "2024-K2"
    at.query_params["kommune"] = ["5038", "5037"]
    at.query_params["omrade"] = "alle"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="f_periode").value == "2024-K2"
    assert at.sidebar.multiselect(key="f_kommune").value == ["5037", "5038"]
    assert "2024 K2" in at.caption[0].value and "Levanger, Verdal" in at.caption[0].value
    spend_for_link = at.metric[0].value

    # Change a filter in the sidebar: the URL follows.
    at.sidebar.selectbox(key="f_periode").set_value("2023").run()
    assert _qp(at, "periode") == ["2023"]
    assert _qp(at, "kommune") == ["5037", "5038"]
    assert _qp(at, "omrade") == ["alle"]

    # A new session opened from the copied link shows the same view and the same figure.
    again = new_app("analytiker")
    again.query_params["periode"] = "2024-K2"
    again.query_params["kommune"] = _qp(at, "kommune")
    again.query_params["omrade"] = _qp(at, "omrade")
    again.run()
    assert again.metric[0].value == spend_for_link


def test_invalid_url_values_fall_back_to_defaults() -> None:
    at = new_app("analytiker")
    at.query_params["periode"] = "1850"
    at.query_params["omrade"] = "tull"
    at.query_params["kategori"] = ["abc", "99999"]
    at.run()
    assert not at.exception
    assert _qp(at, "periode") == ["2025"]  # last full year of the demo data
    assert "omrade" not in at.query_params and "kategori" not in at.query_params


def test_english_toggle() -> None:
    at = new_app("analytiker")
    at.query_params["lang"] = "en"
    at.run()
    assert at.metric[0].label == "Total spend"
