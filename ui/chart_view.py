"""The one way a page shows a chart: the figure, "Vis som tabell", the downloads and "Legg til
i presentasjon" — all from the same frame, so the table, the CSV/XLSX and the picture agree.

Pages call :func:`show` instead of ``st.plotly_chart``: with a standard chart id (built from the
registry on the user's cached, scoped data) or with a page-specific figure and the frame that
drew it. Images are rendered only when a download is clicked (kaleido starts a browser).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from charts import export, registry
from charts.registry import BuiltChart, ChartData
from data_access.store.decks import add_view
from data_access.store.escape import md, safe_cells
from data_access.store.filters import Filters
from ui import context, page, style
from ui.i18n import t


def chart_data(f: Filters) -> ChartData:
    """The inputs of the standard charts for this user and a chart's filters ``f``: cached
    scoped cube and references. The cube is the one for ``f``. Above the pushdown threshold
    the charts that read one are summed by the database and this is called only for those
    that read none (``registry.CUBE_FREE``): they get an empty frame, and the cube is never
    loaded for them."""
    ctx = dataclasses.replace(context.current(), filters=f)
    ad = context.agreement_data(ctx)
    return ChartData(
        cube=ctx.cube if not ctx.in_database else pl.DataFrame(),
        agreements=ctx.reference.agreements,
        yearly_target=ad.yearly_target_nok,
        municipalities=ctx.reference.municipalities,
        population=ad.population,
        opportunities=lambda f: _opportunities(ctx, f),
    )


def _opportunities(ctx: context.PageContext, f: Filters) -> pl.DataFrame:
    """The ranked opportunities for ``f`` on the user's scope, from the page context's cache
    (the same frame as the Muligheter page's table; expiring agreements counted from today)."""
    return context.opportunities(dataclasses.replace(ctx, filters=f), dt.date.today())


def export_context(f: Filters, token: str) -> export.Context:
    ctx = context.current()
    until = ctx.options.last_month if ctx.has_data else None
    data_date = f"{t('Data til og med')} {until:%m.%Y}" if until else t("Ingen regnskapsdata ennå")
    scope = page.scope_text(f, token).split(" · ", 1)
    return export.Context(
        scope=scope[1] if len(scope) > 1 else "",
        period=scope[0],
        data_date=data_date,
        demo=context.current().reference.is_demo,
    )


def build(chart_id: str, f: Filters, *, presentation: bool = False) -> BuiltChart:
    """A standard chart for ``f``, from the shared chart cache (``context.standard_chart``)."""
    return context.standard_chart(
        context.current(), lambda: chart_data(f), chart_id, f, presentation=presentation
    )


def show(
    chart: str | BuiltChart | go.Figure,
    *,
    key: str,
    frame: pl.DataFrame | None = None,
    f: Filters | None = None,
    token: str | None = None,
    downloads: bool = True,
) -> BuiltChart:
    """Draw a chart with its table toggle and downloads.

    ``chart``: a standard chart id (built here from the registry), an already built chart, or a
    page-specific figure together with ``frame``, the data that drew it."""
    if f is None or token is None:
        ctx = context.current()
        f, token = ctx.filters, ctx.token
    if isinstance(chart, str):
        built = build(chart, f)
    elif isinstance(chart, BuiltChart):
        built = chart
    else:
        built = registry.adhoc(key, chart, frame if frame is not None else pl.DataFrame())
    style.plotly_chart(built.figure, key=key)
    if not downloads:
        return built
    _toolbar(built, key=key, f=f, token=token)
    return built


def _toolbar(built: BuiltChart, *, key: str, f: Filters, token: str) -> None:
    ctx = export_context(f, token)
    stem = export.file_stem(built.spec.id, token)
    standard = built.spec.id in registry.BY_ID
    # One wrapping row of content-wide controls: readable labels also in a half-width column.
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    as_table = row.toggle(t("Vis som tabell"), key=f"{key}_tabell")
    downloads = row.popover(t("Last ned"), key=f"{key}_last_ned")
    downloads.download_button(
        "PNG",
        data=lambda: export.png(built.figure),
        file_name=f"{stem}.png",
        mime="image/png",
        on_click="ignore",
        key=f"{key}_png",
        help=t("Bildet i dobbel oppløsning, for lysbilder"),
    )
    downloads.download_button(
        "SVG",
        data=lambda: export.svg(built.figure),
        file_name=f"{stem}.svg",
        mime="image/svg+xml",
        on_click="ignore",
        key=f"{key}_svg",
    )
    downloads.download_button(
        "Excel",
        data=lambda: export.to_xlsx([built], ctx, title=built.spec.title),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key=f"{key}_xlsx",
    )
    downloads.download_button(
        "CSV",
        data=lambda: export.to_csv(built, ctx),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
    )
    if (
        standard
        and context.current().username
        and row.button(t("Legg til i presentasjon"), key=f"{key}_deck")
    ):
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        with context.current().engine.begin() as conn:
            deck = add_view(conn, context.current().username, built.spec.id, params)
        st.toast(f"{t('Lagt til i')} «{md(deck.name)}» ({len(deck.slides)})")
    if as_table:
        st.dataframe(
            safe_cells(built.table), hide_index=True, width="stretch", key=f"{key}_table_df"
        )
