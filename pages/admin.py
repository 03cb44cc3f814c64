"""Administrasjon (admin only): users and roles, and the audit trail."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data_access.categories import (
    RULE_KINDS,
    load_rules_table,
    load_tree,
    save_rules,
    save_tree,
)
from data_access.scope import ROLES
from data_access.users import add_user, audit_log, list_users, set_password, update_user
from ui import context
from ui.i18n import t
from ui.login_admin import login_security_section

ROLE_TEXT = {
    "admin": "admin – alt, også brukere",
    "analyst": "analyst – alle kommuner og sider, import",
    "leder": "leder – alle kommuners tall, ikke fakturalinjer",
    "kommune": "kommune – bare egne kommuner",
}


def render() -> None:
    scope = context.scope()
    st.title(t("Administrasjon"))
    if scope.role != "admin":  # the page is only registered for admins; this is a second lock
        st.error("Bare administratorer har tilgang til denne siden.")
        return
    engine = context.engine()
    munis = context.reference()["municipalities"]
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
            "username": "Brukernavn",
            "name": "Navn",
            "role": "Rolle",
            "municipalities": "Kommuner",
            "line_detail": "Fakturalinjer",
            "active": "Aktiv",
            "created_at": st.column_config.DatetimeColumn("Opprettet", format="DD.MM.YYYY"),
        },
        key="admin_users",
    )

    left, right = st.columns(2)
    with left, st.form("admin_add_user", clear_on_submit=True):
        st.markdown("**Ny bruker**")
        username = st.text_input("Brukernavn")
        name = st.text_input("Navn")
        role = st.selectbox("Rolle", ROLES, format_func=ROLE_TEXT.get)
        chosen = st.multiselect(
            "Kommuner (for rollen kommune)",
            list(member_names),
            format_func=member_names.get,
            placeholder="Velg kommuner",
        )
        detail = st.checkbox("Leder kan se fakturalinjer")
        password = st.text_input("Startpassord (minst 8 tegn)", type="password")
        if st.form_submit_button("Opprett bruker"):
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
                st.success(f"Brukeren {username} er opprettet.")
            except ValueError as exc:
                st.error(f"Kunne ikke opprette brukeren: {exc}")

    with right:
        st.markdown("**Endre bruker**")
        rows = {r["username"]: r for r in users.iter_rows(named=True)}
        # Outside the form, so the fields below show the chosen user's values at once.
        who = st.selectbox("Bruker", list(rows), key="admin_edit_who")
        current = rows.get(who, {})
    with right, st.form(f"admin_edit_user_{who}"):
        new_role = st.selectbox(
            "Rolle",
            ROLES,
            index=ROLES.index(current.get("role") or "leder"),
            format_func=ROLE_TEXT.get,
            key=f"admin_edit_role_{who}",
        )
        new_munis = st.multiselect(
            "Kommuner",
            list(member_names),
            format_func=member_names.get,
            placeholder="Velg kommuner",
            key=f"admin_edit_munis_{who}",
            default=[
                m for m in (current.get("municipalities") or "").split(",") if m in member_names
            ],
        )
        new_detail = st.checkbox(
            "Leder kan se fakturalinjer",
            value=bool(current.get("line_detail")),
            key=f"admin_edit_detail_{who}",
        )
        active = st.checkbox(
            "Aktiv", value=bool(current.get("active", True)), key=f"admin_edit_active_{who}"
        )
        new_password = st.text_input("Nytt passord (tomt = uendret)", type="password")
        if st.form_submit_button("Lagre endringer") and who:
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
                st.success(f"Endringene for {who} er lagret.")
            except ValueError as exc:
                st.error(f"Kunne ikke lagre: {exc}")

    login_security_section(engine, scope, list(rows))
    _categories(engine, scope)

    st.subheader(t("Revisjonsspor"))
    st.caption("Hvem gjorde hva og når: import, avtaler, brukere, referansedata.")
    st.dataframe(
        audit_log(engine),
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("Tidspunkt (UTC)", format="DD.MM.YYYY HH:mm"),
            "username": "Bruker",
            "action": "Handling",
            "detail": "Detaljer",
        },
        key="admin_audit",
    )


def _categories(engine, scope) -> None:  # type: ignore[no-untyped-def]
    """Edit the category tree and the rules; saving re-classifies every stored line."""
    st.subheader(t("Kategorier og klassifiseringsregler"))
    st.caption(
        "En linje får kategori etter første regel som passer: leverandør → konto (art) → "
        "NACE → «Uklassifisert». Lagring kjører klassifiseringen på nytt for alle lagrede "
        "linjer; ingen ny import trengs."
    )
    with engine.connect() as conn:
        tree, rules = load_tree(conn), load_rules_table(conn)
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Kategoritre** (nivå 1 › nivå 2)")
        edited_tree = st.data_editor(
            tree,
            num_rows="dynamic",
            hide_index=True,
            key="admin_tree",
            column_config={
                "id": st.column_config.NumberColumn("Id", disabled=True),
                "level1": st.column_config.TextColumn("Nivå 1", required=True),
                "level2": st.column_config.TextColumn("Nivå 2", required=True),
                "n_lines": st.column_config.NumberColumn("Linjer", disabled=True),
            },
        )
        if st.button("Lagre kategoritreet", key="admin_tree_save"):
            try:
                with engine.begin() as conn:
                    r = save_tree(conn, pl.DataFrame(edited_tree).drop("n_lines"), scope)
                st.success(
                    f"Lagret: {r['added']} nye, {r['changed']} endret, {r['removed']} fjernet."
                )
            except (ValueError, PermissionError) as exc:
                st.error(f"Ikke lagret: {exc}")
    with right:
        st.markdown("**Regler**")
        labels = (tree["level1"] + " › " + tree["level2"]).to_list()
        edited_rules = st.data_editor(
            rules.drop("id"),
            num_rows="dynamic",
            hide_index=True,
            key="admin_rules",
            column_config={
                "kind": st.column_config.SelectboxColumn(
                    "Type", options=list(RULE_KINDS), required=True
                ),
                "supplier_key": st.column_config.TextColumn("Leverandør (orgnr:…)"),
                "art_from": st.column_config.TextColumn("Art fra"),
                "art_to": st.column_config.TextColumn("Art til"),
                "nace_prefix": st.column_config.TextColumn("NACE"),
                "category": st.column_config.SelectboxColumn(
                    "Kategori", options=labels, required=True
                ),
                "priority": st.column_config.NumberColumn("Prioritet", min_value=0, step=1),
                "note": st.column_config.TextColumn("Merknad"),
            },
        )
        if st.button("Lagre regler og klassifiser på nytt", key="admin_rules_save"):
            try:
                with engine.begin() as conn:
                    r = save_rules(conn, pl.DataFrame(edited_rules), scope)
                st.success(
                    f"{r['rules']} regler lagret; {r['changed']} av {r['lines']} linjer fikk ny kategori."
                )
            except (ValueError, PermissionError) as exc:
                st.error(f"Ikke lagret: {exc}")


render()
