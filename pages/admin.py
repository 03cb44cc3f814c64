"""Administrasjon (admin only): users and roles, and the audit trail."""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa
import streamlit as st

from data_access.admin.categories import RULE_KINDS, save_rules, save_tree
from data_access.admin.private_review import release, suspected
from data_access.admin.pseudo import add_pseudo, remove_pseudo
from data_access.admin.users import add_user, set_password, update_user
from data_access.store.escape import md
from data_access.store.pseudo import KINDS, load_pseudo
from data_access.store.scope import ROLES, Scope
from data_access.store.users import audit_log, list_users
from ui import context, page
from ui.i18n import t
from ui.login_admin import login_security_section

KEY = page.Keys("admin")

ROLE_TEXT = {
    "admin": "admin – alt, også brukere",
    "analyst": "analyst – alle kommuner og sider, import",
    "leder": "leder – alle kommuners tall, ikke fakturalinjer",
    "kommune": "kommune – bare egne kommuner",
}


def _add_user_form(
    left: Any, engine: sa.Engine, scope: Scope, member_names: dict[str, str]
) -> None:
    with left, st.form(KEY("add_user"), clear_on_submit=True):
        st.markdown(t("**Ny bruker**"))
        username = st.text_input(t("Brukernavn"))
        name = st.text_input(t("Navn"))
        role = st.selectbox(t("Rolle"), ROLES, format_func=lambda r: t(ROLE_TEXT[r]))
        chosen = st.multiselect(
            t("Kommuner (for rollen kommune)"),
            list(member_names),
            format_func=member_names.get,
            placeholder=t("Velg kommuner"),
        )
        detail = st.checkbox(t("Leder kan se fakturalinjer"))
        password = st.text_input(t("Startpassord (minst 8 tegn)"), type="password")
        if st.form_submit_button(t("Opprett bruker")):
            try:
                with engine.begin() as conn:
                    add_user(
                        conn,
                        username.strip(),
                        name=name.strip() or username,
                        role=role,
                        password=password,
                        municipalities=chosen,
                        line_detail=detail,
                        by=scope.username,
                    )
                st.success(t("Brukeren {name} er opprettet.").format(name=md(username)))
            except ValueError as exc:
                st.error(f"{t('Kunne ikke opprette brukeren:')} {md(t(str(exc)))}")


def _edit_user_form(
    right: Any,
    engine: sa.Engine,
    scope: Scope,
    member_names: dict[str, str],
    users: pl.DataFrame,
) -> None:
    with right:
        st.markdown(t("**Endre bruker**"))
        rows = {r["username"]: r for r in users.iter_rows(named=True)}
        # Outside the form, so the fields below show the chosen user's values at once.
        who = st.selectbox(t("Bruker"), list(rows), key=KEY("edit_who"))
        current = rows.get(who, {})
    with right, st.form(KEY(f"edit_user_{who}")):
        new_role = st.selectbox(
            t("Rolle"),
            ROLES,
            index=ROLES.index(current.get("role") or "leder"),
            format_func=lambda r: t(ROLE_TEXT[r]),
            key=KEY(f"edit_role_{who}"),
        )
        new_munis = st.multiselect(
            t("Kommuner"),
            list(member_names),
            format_func=member_names.get,
            placeholder=t("Velg kommuner"),
            key=KEY(f"edit_munis_{who}"),
            default=[
                m for m in (current.get("municipalities") or "").split(",") if m in member_names
            ],
        )
        new_detail = st.checkbox(
            t("Leder kan se fakturalinjer"),
            value=bool(current.get("line_detail")),
            key=KEY(f"edit_detail_{who}"),
        )
        active = st.checkbox(
            t("Aktiv"), value=bool(current.get("active", True)), key=KEY(f"edit_active_{who}")
        )
        new_password = st.text_input(t("Nytt passord (tomt = uendret)"), type="password")
        if st.form_submit_button(t("Lagre endringer")) and who:
            try:
                with engine.begin() as conn:
                    update_user(
                        conn,
                        who,
                        role=new_role,
                        municipalities=new_munis,
                        line_detail=new_detail,
                        active=active,
                        by=scope.username,
                    )
                    if new_password:
                        set_password(conn, who, new_password, by=scope.username)
                st.success(t("Endringene for {name} er lagret.").format(name=md(who)))
            except ValueError as exc:
                st.error(f"{t('Kunne ikke lagre:')} {md(t(str(exc)))}")


def render() -> None:
    scope = context.current().scope
    st.title(t("Administrasjon"))
    if scope.role != "admin":  # the page is only registered for admins; this is a second lock
        st.error(t("Bare administratorer har tilgang til denne siden."))
        return
    engine = context.current().engine
    munis = context.current().reference.municipalities
    member_names = {
        r["code"]: r["name"]
        for r in munis.iter_rows(named=True)
        if r["is_member"] and r["code"] == r["current_code"]
    }

    st.subheader(t("Brukere"))
    users = list_users(engine)
    st.dataframe(
        users,
        hide_index=True,
        column_config={
            "username": t("Brukernavn"),
            "name": t("Navn"),
            "role": t("Rolle"),
            "municipalities": t("Kommuner"),
            "line_detail": t("Fakturalinjer"),
            "active": t("Aktiv"),
            "created_at": st.column_config.DatetimeColumn(t("Opprettet"), format="DD.MM.YYYY"),
        },
        key=KEY("users"),
    )

    left, right = st.columns(2)
    _add_user_form(left, engine, scope, member_names)

    _edit_user_form(right, engine, scope, member_names, users)
    login_security_section(engine, scope, users["username"].to_list())
    _categories(engine, scope)
    _private_persons(engine, scope)
    _pseudo_suppliers(engine, scope)

    st.subheader(t("Revisjonsspor"))
    st.caption(t("Hvem gjorde hva og når: import, avtaler, brukere, referansedata."))
    st.dataframe(
        audit_log(engine),
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn(t("Tidspunkt (UTC)"), format="DD.MM.YYYY HH:mm"),
            "username": t("Bruker"),
            "action": t("Handling"),
            "detail": t("Detaljer"),
        },
        key=KEY("audit"),
    )


def _categories(engine: sa.Engine, scope: Scope) -> None:
    """Edit the category tree and the rules; saving re-classifies every stored line."""
    st.subheader(t("Kategorier og klassifiseringsregler"))
    st.caption(
        t(
            "En linje får kategori etter første regel som passer: leverandør → konto (art) → "
            "NACE → «Uklassifisert». Lagring kjører klassifiseringen på nytt for alle lagrede "
            "linjer; ingen ny import trengs."
        )
    )
    tree, rules = context.category_tables(context.current())
    left, right = st.columns([2, 3])
    with left:
        st.markdown(t("**Kategoritre** (nivå 1 › nivå 2)"))
        edited_tree = st.data_editor(
            tree,
            num_rows="dynamic",
            hide_index=True,
            key=KEY("tree"),
            column_config={
                "id": st.column_config.NumberColumn("Id", disabled=True),
                "level1": st.column_config.TextColumn(t("Nivå 1"), required=True),
                "level2": st.column_config.TextColumn(t("Nivå 2"), required=True),
                "n_lines": st.column_config.NumberColumn(t("Linjer"), disabled=True),
            },
        )
        if st.button(t("Lagre kategoritreet"), key=KEY("tree_save")):
            try:
                with engine.begin() as conn:
                    r = save_tree(conn, pl.DataFrame(edited_tree).drop("n_lines"), scope)
                st.success(
                    t("Lagret: {added} nye, {changed} endret, {removed} fjernet.").format(
                        added=r["added"], changed=r["changed"], removed=r["removed"]
                    )
                )
            except (ValueError, PermissionError) as exc:
                st.error(f"{t('Ikke lagret:')} {md(t(str(exc)))}")
    with right:
        st.markdown(t("**Regler**"))
        labels = (tree["level1"] + " › " + tree["level2"]).to_list()
        edited_rules = st.data_editor(
            rules.drop("id"),
            num_rows="dynamic",
            hide_index=True,
            key=KEY("rules"),
            column_config={
                "kind": st.column_config.SelectboxColumn(
                    "Type", options=list(RULE_KINDS), required=True
                ),
                "supplier_key": st.column_config.TextColumn(t("Leverandør (orgnr:…)")),
                "art_from": st.column_config.TextColumn(t("Art fra")),
                "art_to": st.column_config.TextColumn(t("Art til")),
                "nace_prefix": st.column_config.TextColumn("NACE"),
                "category": st.column_config.SelectboxColumn(
                    t("Kategori"), options=labels, required=True
                ),
                "priority": st.column_config.NumberColumn(t("Prioritet"), min_value=0, step=1),
                "note": st.column_config.TextColumn(t("Merknad")),
            },
        )
        if st.button(t("Lagre regler og klassifiser på nytt"), key=KEY("rules_save")):
            try:
                with engine.begin() as conn:
                    r = save_rules(conn, pl.DataFrame(edited_rules), scope)
                st.success(
                    t(
                        "{rules} regler lagret; {changed} av {lines} linjer fikk ny kategori."
                    ).format(rules=r["rules"], changed=r["changed"], lines=r["lines"])
                )
            except (ValueError, PermissionError) as exc:
                st.error(f"{t('Ikke lagret:')} {md(t(str(exc)))}")


# --- issue 10 ---
def _private_persons(engine: sa.Engine, scope: Scope) -> None:
    """Suspected private persons (person-like names): admins see the names and may release."""
    st.subheader(t("Privatpersoner"))
    st.caption(
        t(
            "Navn som ser ut som personnavn (uten organisasjonsnummer og uten merking) vises som "
            "«Privatperson» overalt. Bare administratorer ser navnene her. Frigi en leverandør som "
            "ikke er en person; den vises da med navn og telles i alle tall. Rader merket som "
            "privatperson og fødselsnumre vises aldri med navn."
        )
    )
    with engine.connect() as conn:
        table = suspected(conn, scope)
    if table.height == 0:
        st.info(t("Ingen mistenkte privatpersoner."))
        return
    st.dataframe(
        table,
        hide_index=True,
        key=KEY("private"),
        column_config={
            "supplier_id": st.column_config.NumberColumn("Id", format="%d"),
            "name": t("Navn (bare for administratorer)"),
            "status": "Status",
            "n_lines": st.column_config.NumberColumn(t("Linjer"), format="%d"),
            "amount": st.column_config.NumberColumn(t("Beløp (kr)"), format="localized"),
        },
    )
    hidden = table.filter(pl.col("status") == "skjult")
    if hidden.height:
        options = dict(zip(hidden["supplier_id"].to_list(), hidden["name"].to_list(), strict=True))
        pick = st.selectbox(
            t("Frigi (ikke en person)"),
            list(options),
            format_func=lambda i: f"{options[i]} (id {i})",
            key=KEY("private_pick"),
        )
        if st.button(t("Frigi"), key=KEY("private_release")):
            try:
                with engine.begin() as conn:
                    name = release(conn, int(pick), scope, scope.username or "admin")
                st.success(t("Frigitt: {name} vises nå med navn.").format(name=md(name)))
            except (ValueError, PermissionError) as exc:
                st.error(f"{t('Ikke frigitt:')} {md(t(str(exc)))}")


def _pseudo_suppliers(engine: sa.Engine, scope: Scope) -> None:
    """The admin-editable list of collective posts (pseudo-suppliers)."""
    st.subheader(t("Samleposter (pseudo-leverandører)"))
    st.caption(
        t(
            "Poster som ikke er én leverandør («Diverse leverandører», engangsleverandør, "
            "kontant/kort) holdes utenfor HHI, CR, ABC og Pareto og telles for seg. Navn "
            "sammenlignes uten store/små bokstaver og selskapsform, nummer er ERP-ets "
            "leverandørnummer, mønster er et regulært uttrykk mot navnet."
        )
    )
    with engine.connect() as conn:
        table = load_pseudo(conn)
    st.dataframe(
        table.with_columns(
            pl.col("kind").replace_strict(
                {k: t(v) for k, v in KINDS.items()}, default=pl.col("kind")
            )
        ),
        hide_index=True,
        key=KEY("pseudo"),
        column_config={
            "id": st.column_config.NumberColumn("Id", format="%d"),
            "kind": "Type",
            "value": t("Verdi"),
            "note": t("Merknad"),
        },
    )
    c1, c2, c3 = st.columns([1, 2, 2])
    kind = c1.selectbox(
        "Type", list(KINDS), format_func=lambda k: t(KINDS[k]), key=KEY("pseudo_kind")
    )
    value = c2.text_input(t("Verdi"), key=KEY("pseudo_value"))
    note = c3.text_input(t("Merknad"), key=KEY("pseudo_note"))
    if st.button(t("Legg til"), key=KEY("pseudo_add")):
        try:
            with engine.begin() as conn:
                add_pseudo(conn, kind, value, note, scope.username or "admin")
            st.success(f"{t('Lagt til:')} {md(value)}")
        except ValueError as exc:
            st.error(f"{t('Ikke lagt til:')} {md(t(str(exc)))}")
    if table.height:
        labels = {
            int(i): f"{t(KINDS.get(k, k))}: {v}"
            for i, k, v in table.select("id", "kind", "value").iter_rows()
        }
        gone = st.selectbox(
            t("Fjern"), list(labels), format_func=labels.get, key=KEY("pseudo_remove_pick")
        )
        if st.button(t("Fjern fra listen"), key=KEY("pseudo_remove")):
            with engine.begin() as conn:
                remove_pseudo(conn, int(gone), scope.username or "admin")
            st.success(f"{t('Fjernet:')} {md(labels[int(gone)])}")


render()
