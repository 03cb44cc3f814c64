"""Eksport: the quarterly report bundle — the same ``report.build_report`` as ``innsikt report``,
run on the logged-in user's access scope, with a progress bar and a zip download."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from data_access.store.escape import md
from report import ReportError, ReportRequest, build_report
from ui import context, page, state
from ui.i18n import lang, t


def _quarters(opts: state.Options) -> list[str]:
    """Complete quarters with data, newest first."""
    out = []
    for token in state.period_choices(opts):
        if "-K" not in token:
            continue
        year, q = int(token[:4]), int(token[-1])
        if (year, 3 * q) <= (opts.last_month.year, opts.last_month.month):
            out.append(token)
    return out


def render() -> None:
    st.title(t("Eksport"))
    st.caption(
        t(
            "Kvartalsrapporten samler alle standardfigurene for kvartalet og hittil i år: "
            "PDF-rapport, PowerPoint, hver figur som PNG og SVG, Excel med dataene og et "
            "manifest. Den lages med din tilgang. Enkeltfigurer lastes ned under hver figur."
        )
    )
    opts = context.current().options
    quarters = _quarters(opts)
    if not quarters:
        st.info(t("Ingen hele kvartaler med data ennå."))
        return
    c1, c2, c3 = st.columns([1, 2, 1])
    quarter = c1.selectbox(
        t("Kvartal"), quarters, key="exp_quarter", format_func=lambda q: q.replace("-", " ")
    )
    munis = c2.multiselect(
        t("Kommuner"),
        list(opts.municipalities),
        key="exp_munis",
        format_func=lambda c: opts.municipalities.get(c, c),
        placeholder=t("Alle kommuner"),
    )
    language = c3.segmented_control(
        t("Språk"),
        ["nb", "en"],
        default=lang(),
        key="exp_lang",
        format_func=lambda v: {"nb": "Norsk", "en": "English"}[v],
    )
    if st.button(t("Lag kvartalsrapport"), type="primary", key="exp_run"):
        bar = st.progress(0.0, text=t("Starter …"))
        req = ReportRequest(
            quarter=quarter,
            municipalities=tuple(sorted(munis)),
            lang=language or "nb",
            user=context.current().username,
        )
        with tempfile.TemporaryDirectory(prefix="innsikt_rapport_") as tmp:
            try:
                result = build_report(
                    context.current().engine,
                    req,
                    Path(tmp),
                    progress=lambda m, p: bar.progress(min(max(p, 0.0), 1.0), text=m),
                )
            except ReportError as exc:
                bar.empty()
                st.error(md(t(str(exc))))
                return
            st.session_state["exp_zip"] = (result.zip_path.name, result.zip_path.read_bytes())
            st.session_state["exp_files"] = sorted(result.manifest["files"])  # type: ignore[arg-type]
        bar.progress(1.0, text=t("Ferdig"))
    if "exp_zip" in st.session_state:
        name, data = st.session_state["exp_zip"]
        st.download_button(
            t("Last ned kvartalsrapporten (zip)"),
            data=data,
            file_name=name,
            mime="application/zip",
            key="exp_download",
            on_click="ignore",
        )
        with st.expander(f"{len(st.session_state['exp_files'])} {t('filer i rapporten')}"):
            st.text("\n".join(st.session_state["exp_files"]))
    page.copy_link()


render()
