"""AppTest of Muligheter: every role renders the page with the ranked list, the chart and the
settings; the lines drill-down follows the role; the Verdal user's page carries no other
member's amounts (the planted Levanger line never shows) while member counts stay the
cooperation's; staff can change the weights, and the order follows them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from charts.a11y import plain
from tests.conftest import ROLE_USERS, SPURIOUS_LEVANGER_ORE, new_app

pytestmark = pytest.mark.usefixtures("app_env")

PAGE = "pages/opportunities.py"


def _open(user: str, period: str | None = None):  # type: ignore[no-untyped-def]
    at = new_app(user)
    at.run()
    if period:
        at.query_params["periode"] = period
    at.switch_page(PAGE).run()
    return at


def _figures(at) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    out = {}
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        title = fig["layout"].get("title", {})
        text = title.get("text", "") if isinstance(title, dict) else str(title)
        out[plain(text)] = fig  # titles wrap for phones (issue 14)
    return out


def _table(at, column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _all_text(at) -> str:  # type: ignore[no-untyped-def]
    parts = [str(e.value) for e in (*at.markdown, *at.caption, *at.info, *at.success)]
    parts += [f"{m.label} {m.value} {m.proto.delta}" for m in at.metric]
    for d in at.dataframe:
        parts.append(d.value.to_csv())
    for fig in _figures(at).values():
        parts.append(json.dumps(fig))
    return "\n".join(parts)


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_page_renders_for_each_role(role: str) -> None:
    at = _open(ROLE_USERS[role][0])
    assert not at.exception
    assert at.title[0].value == "Muligheter"
    labels = [m.label for m in at.metric]
    assert labels[:4] == [
        "Kjøp utenfor avtale siste 12 mnd.",
        "Anslått potensial, topp 10",
        "Kategorier over EØS-terskel",
        "Avtaler som utløper innen 12 mnd.",
    ]
    ranked = _table(at, "Begrunnelse")
    assert len(ranked) >= 5
    assert list(ranked["Rang"][:3]) == [1, 2, 3]
    assert all(" av 5 kommuner kjøper" in r for r in ranked["Begrunnelse"])
    figs = _figures(at)
    scatter = figs["Anslått potensial mot kjøp utenfor avtale per kategori"]
    assert "anslag" in scatter["layout"]["yaxis"]["title"]["text"]
    # Lines only for roles with line detail (leder without the grant gets a notice instead),
    # and only when asked for (read from the database on demand).
    assert not any("invoice_id" in d.value.columns for d in at.dataframe)
    if role == "leder":
        assert not [w for w in at.toggle if w.key == "mul_drill_vis"]
    else:
        at.toggle(key="mul_drill_vis").set_value(True).run()
        assert any("invoice_id" in d.value.columns for d in at.dataframe)
    if role == "kommune":
        assert "Målgapet gjelder hele samarbeidets gevinstmål" in _all_text(at)
    else:
        gap = figs["Forventet gevinst per år med kandidatene (anslag)"]
        assert next(t["name"] for t in gap["data"]).startswith("Forventet realisert gevinst")
        assert any("nås" in s.value for s in (*at.success, *at.warning))


def test_verdal_user_sees_no_other_members_amounts() -> None:
    # 2025: the 12 months hold the planted Levanger line (987 654 321 kr, June 2025).
    at = _open("verdal", "2025")
    everyone = _open("analytiker", "2025")
    for page in (at, everyone):  # with the invoice lines shown
        page.toggle(key="mul_drill_vis").set_value(True).run()
    assert not at.exception and not everyone.exception
    planted = f"{SPURIOUS_LEVANGER_ORE / 100 / 1e6:.1f}".replace(".", ",")  # "987,7"
    assert planted in _all_text(everyone)  # the cooperation's page shows it ...
    text = _all_text(at)
    for needle in (planted, "987\xa0654", "987 654"):  # ... the Verdal user's never does
        assert needle not in text, needle
    lines = next(d.value for d in at.dataframe if "invoice_id" in d.value.columns)
    assert set(lines["municipality"]) == {"Verdal"}
    assert "category_rule" not in lines.columns  # the shared drill-down shows it on kk only
    suppliers = _table(at, "Organisasjonsnr.")
    assert set(suppliers["Kommuner"]) == {1}
    # Member counts are the cooperation's on both pages (counts, not amounts).
    mine = _table(at, "Begrunnelse").set_index("Kategori")["Kommuner"].to_dict()
    theirs = _table(everyone, "Begrunnelse").set_index("Kategori")["Kommuner"].to_dict()
    assert mine and all(theirs[k] == v for k, v in mine.items())
    assert any(not v.startswith("1 av") for v in mine.values())
    reasons = list(_table(at, "Begrunnelse")["Begrunnelse"])
    assert not any("brukt av bare én kommune" in r for r in reasons)  # not knowable for Verdal
    assert at.metric[0].value != everyone.metric[0].value


def test_staff_change_the_weights_and_the_order_follows(app_env) -> None:  # type: ignore[no-untyped-def]
    at = _open("analytiker")
    before = list(_table(at, "Begrunnelse")["Kategori"])
    at.number_input(key="mul_w_potential").set_value(0.0)
    at.number_input(key="mul_w_breadth").set_value(0.0)
    at.number_input(key="mul_w_threshold").set_value(1.0)
    at.button(key="mul_w_save").click().run()
    assert not at.exception
    after = _table(at, "Begrunnelse")
    assert list(after["Kategori"]) != before
    # Threshold status alone now decides: the strongest status first.
    assert after["Terskel"].iloc[0].startswith("Over EØS-terskel")
    engine = sa.create_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")
    with engine.begin() as conn:
        actions = conn.execute(
            sa.text("select username, action from audit_log where action like 'opportunities%'")
        ).all()
        assert ("analytiker", "opportunities.weights") in actions
        conn.execute(sa.text("delete from app_setting where key = 'opportunities_weights'"))
        conn.execute(
            sa.text(
                "update app_setting set value = cast(value as integer) + 1 "
                "where key = 'data_version'"
            )
        )
    engine.dispose()
    # Leadership and kommune users see the weights but cannot change them.
    assert not [b for b in _open("leder").button if b.key == "mul_w_save"]


def test_cooperation_breadth_is_read_once_per_period_whatever_the_municipality_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Members buying a category across the cooperation do not depend on the scope or on the
    # municipality filter: switching Verdal → Levanger in the same period reads it once.
    from ui import context

    calls: list[object] = []
    real = context.store.cooperation_breadth

    def counting(conn, f):  # type: ignore[no-untyped-def]
        calls.append(f)
        return real(conn, f)

    monkeypatch.setattr(context.store, "cooperation_breadth", counting)
    context._breadth.clear()
    at = new_app(ROLE_USERS["admin"][0])
    at.run()
    at.query_params["periode"] = "2024"
    at.query_params["kommune"] = "5038"
    at.switch_page(PAGE).run()
    assert not at.exception
    verdal = _figures(at)
    at.sidebar.multiselect(key="f_kommune").set_value(["5037"]).run()
    assert not at.exception
    assert len(calls) == 1
    assert _figures(at) != verdal  # Levanger's own opportunities, drawn from the same counts
    at.sidebar.selectbox(key="f_periode").set_value("2023").run()
    assert not at.exception
    assert len(calls) == 2  # another period end: counted again
