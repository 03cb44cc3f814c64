"""Administrasjon: only admins reach it; users are created and changed there, audit-logged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.admin.users import add_user, update_user
from data_access.store.db import make_engine
from data_access.store.users import scope_for
from tests.conftest import TEST_PASSWORD, new_app


@pytest.fixture()
def own_app_data(app_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the app database, since these tests change users."""
    folder = tmp_path / "data"
    shutil.copytree(app_data_dir, folder, ignore=shutil.ignore_patterns("*.log"))
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(folder))
    monkeypatch.setenv(
        "INNSIKT_COOKIE_KEY", "test-cookie-key-for-tests-only-not-a-secret-0123456789"
    )
    return folder


@pytest.mark.parametrize("user", ["analytiker", "leder", "verdal"])
def test_only_admin_can_open_the_page(user: str, own_app_data: Path) -> None:
    at = new_app(user)
    at.run()
    with pytest.raises(ValueError):
        at.switch_page("pages/admin.py")


def test_admin_creates_and_changes_a_user(own_app_data: Path) -> None:
    at = new_app("admin_t")
    at.run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    form = at.get("form")
    assert form  # both forms render
    inputs = {w.label: w for w in at.text_input}
    inputs["Brukernavn"].input("snasa")
    inputs["Navn"].input("Økonomisjef Snåsa")
    inputs["Startpassord (minst 8 tegn)"].input(TEST_PASSWORD)
    at.selectbox[0].set_value("kommune")
    at.multiselect[0].set_value(["5041"])
    at.button[0].click().run()
    assert not at.exception
    assert any("snasa er opprettet" in s.value for s in at.success)
    engine = make_engine(f"sqlite:///{own_app_data / 'innsikt.sqlite'}")
    sc = scope_for(engine, "snasa")
    assert sc is not None and sc.municipalities == frozenset({"5041"})
    with engine.connect() as c:
        actions = c.execute(
            sa.text("select action, detail from audit_log where username='admin_t'")
        ).all()
    assert "user.add" in {a for a, _ in actions}


def test_last_admin_cannot_be_removed(tmp_path: Path) -> None:
    from data_access.store.db import migrate
    from data_access.store.reference import seed_reference

    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    migrate(engine)
    with engine.begin() as c:
        seed_reference(c)
        add_user(c, "boss", name="B", role="admin", password=TEST_PASSWORD, rounds=4)
        add_user(
            c,
            "k",
            name="K",
            role="kommune",
            password=TEST_PASSWORD,
            municipalities=["5038"],
            rounds=4,
        )
    with pytest.raises(ValueError, match="siste aktive administratoren"), engine.begin() as c:
        update_user(
            c, "boss", role="leder", municipalities=None, line_detail=False, active=True, by="t"
        )
    with pytest.raises(ValueError, match="siste aktive administratoren"), engine.begin() as c:
        update_user(
            c, "boss", role="admin", municipalities=None, line_detail=False, active=False, by="t"
        )
    with engine.begin() as c:  # a deactivated user loses access at once
        update_user(
            c, "k", role="kommune", municipalities=["5038"], line_detail=False, active=False, by="t"
        )
    assert scope_for(engine, "k") is None


def test_admin_changes_a_users_role_on_the_page(own_app_data: Path) -> None:
    at = new_app("admin_t")
    at.run()
    at.switch_page("pages/admin.py").run()
    at.selectbox(key="admin_edit_who").set_value("leder").run()
    assert at.selectbox(key="admin_edit_role_leder").value == "leder"  # the chosen user's values
    at.selectbox(key="admin_edit_role_leder").set_value("analyst")
    next(b for b in at.button if b.label == "Lagre endringer").click().run()
    assert not at.exception
    assert any("leder er lagret" in s.value for s in at.success)
    engine = make_engine(f"sqlite:///{own_app_data / 'innsikt.sqlite'}")
    sc = scope_for(engine, "leder")
    assert sc is not None and sc.role == "analyst"


# --- issue 10 ---
def test_admin_reviews_and_releases_a_suspected_private_person(own_app_data: Path) -> None:
    from data_access.importing import import_file

    engine = make_engine(f"sqlite:///{own_app_data / 'innsikt.sqlite'}")
    text = "Kommunenr;Dato;Leverandør;Konto;Beløp\n5038;15.04.2024;Snekker Mistenkt;27000;100,00\n"
    r = import_file(engine, text.encode(), filename="mistanke.csv", username="t")
    assert r.private_lines == {"mistanke": 1}
    at = new_app("admin_t")
    at.run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    held = [df.value for df in at.dataframe if "status" in df.value.columns]
    assert held and held[0]["name"].tolist() == ["Snekker Mistenkt"]
    pick = at.selectbox(key="admin_private_pick")
    assert "Snekker Mistenkt" in pick.format_func(pick.value)
    at.button(key="admin_private_release").click().run()
    assert not at.exception
    assert any("Frigitt: Snekker Mistenkt" in s.value for s in at.success)
    with engine.connect() as c:
        row = c.execute(
            sa.text("select name, is_private from supplier where name = 'Snekker Mistenkt'")
        ).one()
    assert tuple(row) == ("Snekker Mistenkt", False)
    # the pseudo-supplier list is there, seeded
    lists = [df.value for df in at.dataframe if "value" in df.value.columns]
    assert lists and "Diverse leverandører" in lists[0]["value"].tolist()


def test_admin_typed_values_are_shown_as_text(own_app_data: Path) -> None:
    """Issue 11: what an admin types (here a collective post's name) is echoed in the success
    and error messages as text — no Markdown image fetched, no bold."""
    value = "![x](http://127.0.0.1:9/x.png) **fet**"
    escaped = "\\!\\[x\\]\\(ht\u2060tp\\:\\/\\/127\\.0\\.0\\.1\\:9\\/x\\.png\\) \\*\\*fet\\*\\*"
    at = new_app("admin_t")
    at.run()
    at.switch_page("pages/admin.py").run()
    at.selectbox(key="admin_pseudo_kind").set_value("name")
    at.text_input(key="admin_pseudo_value").input(value)
    at.button(key="admin_pseudo_add").click().run()
    assert not at.exception
    assert f"Lagt til: {escaped}" in [s.value for s in at.success]
    at.text_input(key="admin_pseudo_value").input(value)  # again: already on the list
    at.button(key="admin_pseudo_add").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"Ikke lagt til: «{escaped}» står allerede på listen"]
    shown = [*(s.value for s in at.success), *(e.value for e in at.error)]
    assert not [m for m in shown if "![" in m or "](" in m or "**fet" in m]
