"""The drill-down two pages share (Kommuner og kategorier, Muligheter): pick a category, see its
suppliers, then its invoice lines.

The pages keep what differs (which suppliers, how the lines are fetched and paged, what a role
without line access is told); the category box and the invoice-line table are one code path,
so both pages name the ledger columns the same way.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from charts import fmt
from data_access.store.lines import LinePage
from ui.i18n import t


def category_choice(
    labels: dict[int, str],
    key: str,
    *,
    clicked: int | None = None,
    click_key: str | None = None,
) -> int | None:
    """A select box over ``labels`` (category id → text) under widget key ``key``.

    With ``click_key``, a row ``clicked`` in a table above sets the box when it is a new
    click (the last click is remembered under ``click_key``); the box can change it again.
    """
    if click_key is not None:
        if clicked is not None and clicked != st.session_state.get(click_key):
            st.session_state[key] = clicked  # a new click wins over the box
        st.session_state[click_key] = clicked
    return st.selectbox(t("Kategori"), list(labels), format_func=lambda k: labels[k], key=key)


def _line_columns(with_rule: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "date": st.column_config.DateColumn(t("Dato"), format="DD.MM.YYYY"),
        "municipality": t("Kommune"),
        "supplier": t("Leverandør"),
        "orgnr": t("Org.nr."),
        "category_l1": t("Hovedkategori"),
        "category": t("Kategori"),
        "account": t("Konto"),
        "art": t("Art"),
        "amount": st.column_config.NumberColumn(t("Beløp (kr)"), format="localized"),
        "invoice_id": t("Bilag"),
        "ehandel": t("E-handel"),
        "description": t("Tekst"),
    }
    if with_rule:
        columns["category_rule"] = t("Kategori satt av regel")
    return columns


def show_invoice_lines(lines: LinePage, *, what: str, tail: str, key: str, with_rule: bool) -> None:
    """A caption '<count> <what>, <kroner><tail>' over the page of lines, then the lines;
    ``with_rule`` shows which rule set each line's category."""
    st.caption(f"{fmt.number(lines.total)} {what}, {fmt.kr(lines.total_amount)}{tail}")
    hidden = ["id", "municipality_code", "area", *([] if with_rule else ["category_rule"])]
    st.dataframe(
        lines.rows.drop(hidden),
        column_config=_line_columns(with_rule),
        hide_index=True,
        key=key,
    )
