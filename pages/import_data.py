"""Import og datakvalitet (staff): upload ledger exports, follow progress, read each file's
report, work the quarantine list, and watch the data-quality figures.

Thin by design (STYLE.md §3): every number and table comes from ``data_access.importing``; the
last imports' ids are the only thing kept in session state, and their reports are read back from
the import log, so what is shown is what was logged.
"""

from __future__ import annotations

import tomllib

import polars as pl
import streamlit as st

from charts import fmt
from data_access.importing import (
    FIELDS,
    REASON_LABELS,
    changed_ids,
    import_file,
    load_batch_reports,
    load_data_quality,
    load_profile,
    profile_names,
    quarantine_csv,
    quarantine_rows,
    recent_imports,
    reclassify,
    reimport_quarantine,
    save_profile,
)
from data_access.importing.layouts import LAYOUTS, LayoutError
from data_access.importing.pipeline import ImportReport
from data_access.importing.profiles import saved_profiles, shipped_profiles
from data_access.importing.reclassify import reread_accounts
from data_access.store.escape import md
from ui import context, definitions, page
from ui.i18n import t

KEY = page.Keys("imp")


def _label(kind: str) -> str:
    """A reason code of the import report as the user reads it (``REASON_LABELS``, translated)."""
    if kind.startswith("advarsel:"):
        reason = REASON_LABELS.get(kind.removeprefix("advarsel:"), kind)
        return t("Advarsel: {reason} (lagret)").format(reason=t(reason))
    return t(REASON_LABELS.get(kind, kind))


# --- issue 10 ---
FIXED_FIELDS = {
    "account": "Konto/art for alle rader (f.eks. 270)",
    "area": "Område for alle rader",
    "ehandel": "E-handel for alle rader",
}


def _details(rep: dict) -> None:
    """Account layout with examples, fixed fields, area source, private persons (no names)."""
    lines = ImportReport.from_dict(rep).details()
    if lines:
        st.markdown("\n".join(f"- {md(t(line).strip())}" for line in lines))


def _fixed_inputs() -> dict[str, object]:
    """Fixed values for fields the file lacks (``[fixed]`` in a profile does the same)."""
    with st.expander(t("Faste verdier for felt filen mangler")):
        c1, c2, c3 = st.columns(3)
        account = c1.text_input(t(FIXED_FIELDS["account"]), key=KEY("fix_account"))
        area = c2.selectbox(
            t(FIXED_FIELDS["area"]),
            ["", "drift", "investering"],
            format_func=lambda v: t(v) if v else t("Fra filen"),
            key=KEY("fix_area"),
        )
        ehandel = c3.selectbox(
            t(FIXED_FIELDS["ehandel"]),
            ["", "ja", "nei"],
            format_func=lambda v: t(v) if v else t("Fra filen"),
            key=KEY("fix_ehandel"),
        )
    out: dict[str, object] = {}
    if account.strip():
        out["account"] = account.strip()
    if area:
        out["area"] = area
    if ehandel:
        out["ehandel"] = ehandel == "ja"
    return out


def _upload_section() -> None:
    engine = context.current().engine
    with engine.connect() as conn:
        names = profile_names(conn)
        munis = context.current().reference.municipalities
    members = munis.filter(pl.col("is_member") & (pl.col("code") == pl.col("current_code")))
    muni_names = dict(members.select("code", "name").iter_rows())

    st.subheader(t("Importer regnskapsuttrekk"))
    files = st.file_uploader(
        t("CSV-, tekst- eller Excel-filer fra økonomisystemet"),
        type=["csv", "txt", "xlsx"],
        accept_multiple_files=True,
        key=KEY("files"),
    )
    c1, c2 = st.columns(2)
    profile = c1.selectbox(
        t("Importprofil"),
        names,
        key=KEY("profile"),
        help=t(definitions.IMPORT_HELP["profile"]),
    )
    if profile != "auto":
        c1.caption(load_profile(profile).description)
    muni = c2.selectbox(
        t("Kommune for hele filen"),
        ["", *muni_names],
        key=KEY("muni"),
        format_func=lambda c: f"{c} {muni_names[c]}" if c else t("Fra kolonne i filen"),
        help=t("Brukes når filen ikke har kolonne for kommunenummer."),
    )
    fixed = _fixed_inputs()
    if st.button(t("Importer"), type="primary", disabled=not files, key=KEY("go")):
        done: list[int] = []
        for f in files or []:
            shown = md(f.name)  # a file name is text from outside: never Markdown
            bar = st.progress(0.0, text=f"{shown}: {t('starter …')}")
            try:
                report = import_file(
                    engine,
                    f.getvalue(),
                    filename=f.name,
                    username=context.current().username,
                    profile=profile,
                    municipality=muni or None,
                    fixed=fixed,
                    progress=lambda x, msg, b=bar, n=shown: b.progress(
                        min(x, 1.0), text=f"{n}: {md(t(msg))}"
                    ),
                )
            except Exception as exc:  # rolled back; show it as a failed file, not a traceback
                st.error(
                    f"**{md(f.name)}**: "
                    + t("importen feilet ({error}). Ingenting er lagret.").format(
                        error=f"{type(exc).__name__}: {md(t(str(exc)))}"
                    )
                )
                continue
            if report.error:
                st.error(
                    f"**{md(f.name)}**: "
                    + t("importen feilet – {error}. Ingenting er lagret.").format(
                        error=md(t(report.error))
                    )
                )
            elif report.batch_id is not None:
                done.append(report.batch_id)
        st.session_state[KEY("last")] = done


def _profile_editor() -> None:
    """Show a profile's TOML and save new or changed ones (validated before they are stored)."""
    engine = context.current().engine
    with st.expander(t("Importprofiler")):
        with engine.connect() as conn:
            names = profile_names(conn)
            saved = saved_profiles(conn)
        base = st.selectbox(
            t("Ta utgangspunkt i"), [n for n in names if n != "auto"], key=KEY("pbase")
        )
        text = saved.get(base) or shipped_profiles().get(base, "")
        name = st.text_input(t("Navn på profilen"), value=base, key=KEY("pname"))
        toml = st.text_area(t("Definisjon (TOML)"), value=text, height=300, key=KEY("ptoml"))
        if st.button(t("Lagre profil"), key=KEY("psave")):
            try:
                with engine.begin() as conn:
                    save_profile(conn, name.strip(), toml)
            except (ValueError, tomllib.TOMLDecodeError) as exc:
                st.error(f"{t('Profilen er ikke lagret:')} {md(t(str(exc)))}")
            else:
                st.success(t("Profilen «{name}» er lagret.").format(name=md(name.strip())))


def _report(rep: dict) -> None:
    read, stored = rep["rows_read"], rep["rows_stored"]
    q, ex = rep["rows_quarantined"], rep["rows_excluded"]
    icon = "⚠️" if q else "✅"
    with st.expander(
        f"{icon} {md(rep['file_name'])} – {fmt.number(read)} {t('rader')}", expanded=True
    ):
        c = st.columns(4)
        c[0].metric(t("Rader lest"), fmt.number(read))
        c[1].metric(t("Lagret"), fmt.number(stored), help=fmt.kr(rep["amount_stored_ore"] / 100))
        c[2].metric(t("I karantene"), fmt.number(q))
        c[3].metric(t("Utelatt etter regel"), fmt.number(ex))
        st.caption(
            t("Lagret beløp {amount} · nye leverandører {new} · profil {profile} · ").format(
                amount=fmt.kr(rep["amount_stored_ore"] / 100),
                new=fmt.number(rep["new_suppliers"]),
                profile=md(rep["profile"]),
            )
            + " · ".join(
                f"{md(t(k))}: {md(t(str(v)))}"
                for k, v in rep["detected"].items()
                if k != "kolonner"
            )
        )
        _details(rep)
        if rep.get("already_imported_batch"):
            st.info(
                t(
                    "Filen er importert før (import {batch}); ingen rader ble lagret på nytt."
                ).format(batch=rep["already_imported_batch"])
            )
        counts = {
            **rep["quarantined_by_reason"],
            **rep["excluded_by_reason"],
            **{f"advarsel:{k}": v for k, v in rep["warnings_by_kind"].items()},
        }
        if counts:
            row = t("rad")
            rows = [
                {
                    t("Årsak"): _label(kind),
                    t("Rader"): n,
                    t("Eksempler"): " | ".join(
                        f"{row} {e['rad']}: {t(e['melding'])}"
                        for e in rep["examples"].get(kind, [])[:3]
                    ),
                }
                for kind, n in counts.items()
            ]
            st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch")


def _quality_section() -> None:
    ctx = context.current()
    q = load_data_quality(ctx.engine, ctx.scope, cube=context.quality_cube(ctx))
    st.subheader(t("Datakvalitet"))
    c = st.columns(4)
    c[0].metric(
        t("Uten gyldig organisasjonsnummer"),
        fmt.pct(q.share_without_orgnr),
        help=t(definitions.IMPORT_HELP["without_orgnr"]).format(
            part=fmt.kr(q.spend_without_orgnr_ore / 100), total=fmt.kr(q.spend_ore / 100)
        ),
    )
    c[1].metric(
        t("Uklassifisert"),
        fmt.pct(q.share_unclassified),
        help=t("{amount} har kategorien «Uklassifisert».").format(
            amount=fmt.kr(q.unclassified_ore / 100)
        ),
    )
    c[2].metric(
        t("Leverandører slått sammen"),
        fmt.number(q.suppliers_with_aliases),
        help=t(definitions.IMPORT_HELP["aliases"]).format(n=fmt.number(q.aliases_merged)),
    )
    c[3].metric(t("Rader i karantene"), fmt.number(q.quarantine_open))
    if q.quarantine_by_reason.height:
        st.dataframe(
            q.quarantine_by_reason.with_columns(pl.col("årsak").map_elements(t, pl.String)).rename(
                {"årsak": t("Årsak"), "rader": t("Rader")}
            ),
            hide_index=True,
            width="stretch",
        )


def _quarantine_section() -> None:
    engine = context.current().engine
    rows = quarantine_rows(engine, scope=context.current().scope)
    st.subheader(f"{t('Karantene')} ({fmt.number(rows.height)} {t('rader')})")
    if rows.height == 0:
        st.caption(t("Ingen åpne rader i karantene."))
        return
    shown = rows.head(500).select("karantene_id", "fil", "rad", "årsak", *FIELDS.keys())
    st.caption(
        t("Rett verdiene direkte i tabellen (de 500 første radene), eller last ned hele listen.")
    )
    edited = st.data_editor(
        # the reason in the user's language (a stored message; re-imports read only the fields)
        shown.with_columns(pl.col("årsak").map_elements(t, pl.String)),
        hide_index=True,
        width="stretch",
        disabled=["karantene_id", "fil", "rad", "årsak"],
        column_config={k: st.column_config.TextColumn(t(v)) for k, v in FIELDS.items()}
        | {
            "fil": st.column_config.TextColumn(t("Fil")),
            "rad": st.column_config.NumberColumn(t("Rad")),
            "årsak": st.column_config.TextColumn(t("Årsak")),
        },
        key=KEY("editor"),
    )
    edited = (
        pl.DataFrame(edited, schema=shown.schema)
        if not isinstance(edited, pl.DataFrame)
        else edited
    )
    changed = changed_ids(shown, edited)
    if st.button(
        t("Importer {n} endrede rader").format(n=fmt.number(len(changed))),
        disabled=not changed,
        type="primary",
        key=KEY("edited"),
    ):
        rep = reimport_quarantine(engine, edited, ids=changed, username=context.current().username)
        if rep.error:
            st.error(md(t(rep.error)))
        else:
            st.session_state[KEY("last")] = [rep.batch_id]
            st.rerun()
    st.download_button(
        t("Last ned karantenelisten (CSV)"),
        data=lambda: quarantine_csv(rows),
        file_name="karantene.csv",
        mime="text/csv",
        on_click="ignore",
        key=KEY("dl"),
    )
    st.caption(
        t(
            "Rett verdiene i filen (behold kolonnen karantene_id), og last den opp igjen. "
            "Rader som fortsatt har feil blir stående med ny årsak."
        )
    )
    fixed = st.file_uploader(t("Rettet karanteneliste"), type=["csv"], key=KEY("fixed"))
    c1, c2 = st.columns(2)
    if c1.button(t("Importer rettede rader"), disabled=fixed is None, key=KEY("refix")):
        rep = reimport_quarantine(engine, fixed.getvalue(), username=context.current().username)
        if rep.error:
            st.error(md(t(rep.error)))
        else:
            st.session_state[KEY("last")] = [rep.batch_id]
            st.rerun()
    if c2.button(
        t("Prøv alle på nytt uten endring"),
        key=KEY("retry"),
        help=t("Nyttig etter at referansedata (kommuner, kontoer) er rettet."),
    ):
        rep = reimport_quarantine(engine, rows, username=context.current().username)
        if rep.error:
            st.error(md(t(rep.error)))
        else:
            st.session_state[KEY("last")] = [rep.batch_id]
            st.rerun()


def _batch_tools(batch_ids: list[int]) -> None:
    """A past import's report, and re-reading its accounts with another layout (issue 10)."""
    if not batch_ids:
        return
    c1, c2, c3 = st.columns([1, 2, 1])
    bid = c1.selectbox(t("Import"), batch_ids, key=KEY("batch_pick"))
    layout = c2.selectbox(
        t("Les kontoene på nytt med kontooppsett"),
        list(LAYOUTS),
        format_func=lambda n: t(LAYOUTS[n].label),
        key=KEY("batch_layout"),
        help=t(definitions.IMPORT_HELP["reread"]),
    )
    if c3.button(t("Les på nytt"), key=KEY("batch_reread")):
        try:
            with context.current().engine.begin() as conn:
                res = reread_accounts(
                    conn, LAYOUTS[layout], batch_ids=[int(bid)], username=context.current().username
                )
            st.success(
                t("{changed} av {lines} linjer endret.").format(
                    changed=fmt.number(res["changed"]), lines=fmt.number(res["lines"])
                )
            )
        except LayoutError as exc:
            st.error(t(str(exc)))
    for rep in load_batch_reports(context.current().engine, [int(bid)]):
        _report(rep)


def render() -> None:
    st.title(t("Import og datakvalitet"))
    sc = context.current().scope
    if not sc.is_staff:
        st.error(t("Denne siden er bare for innkjøpskontoret (admin og analytiker)."))
        st.stop()

    _upload_section()
    _profile_editor()
    last = [b for b in st.session_state.get(KEY("last"), []) if b is not None]
    for rep in load_batch_reports(context.current().engine, last):
        _report(rep)

    st.divider()
    _quality_section()
    st.divider()
    _quarantine_section()
    st.divider()
    st.subheader(t("Importlogg"))
    log = recent_imports(context.current().engine, limit=20).select(
        "id",
        pl.col("imported_at").dt.strftime("%d.%m.%Y %H:%M"),
        "imported_by",
        "file_name",
        "profile",
        "rows_read",
        "rows_stored",
        "rows_quarantined",
        "rows_excluded",
    )
    st.dataframe(
        log,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn(t("Import")),
            "imported_at": t("Tid"),
            "imported_by": t("Av"),
            "file_name": t("Fil"),
            "profile": t("Profil"),
            "rows_read": st.column_config.NumberColumn(t("Lest")),
            "rows_stored": st.column_config.NumberColumn(t("Lagret")),
            "rows_quarantined": st.column_config.NumberColumn(t("Karantene")),
            "rows_excluded": st.column_config.NumberColumn(t("Utelatt")),
        },
    )
    _batch_tools(log["id"].to_list())
    if st.button(
        t("Klassifiser alle linjer på nytt"),
        key=KEY("reclass"),
        help=t("Bruk etter endring i kategoriregler; ingen ny import trengs."),
    ):
        with context.current().engine.begin() as conn:
            res = reclassify(conn, username=context.current().username)
        st.success(
            t("{changed} av {lines} linjer fikk ny kategori.").format(
                changed=fmt.number(res["changed"]), lines=fmt.number(res["lines"])
            )
        )


render()
