"""Building blocks shared by the figure modules, so every bar chart looks and reads the same."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from charts.a11y import responsive
from charts.lang import tr
from charts.theme import MUTED, themed
from data_access.store.escape import plotly_safe


@plotly_safe
def hbar(
    labels: Sequence[str],
    values_nok: Sequence[float],
    *,
    title: str,
    colours: str | Sequence[str],
    texts: Sequence[str] | None = None,
    hover: str | None = None,
    customdata: Sequence[object] | None = None,
    row_height: int = 38,
    presentation: bool = False,
) -> go.Figure:
    """Horizontal bars in mill. kr, largest at the top when given largest-last (Plotly draws
    the first category at the bottom); one row per label, a readable minimum height. ``hover``
    defaults to the label and the amount, in the current language."""
    if hover is None:
        hover = tr(
            "%{y}: %{x:,.1f} mill. kr<extra></extra>", "%{y}: NOK %{x:,.1f} million<extra></extra>"
        )
    fig = go.Figure(
        go.Bar(
            x=[v / 1e6 for v in values_nok],
            y=list(labels),
            orientation="h",
            marker_color=colours if isinstance(colours, str) else list(colours),
            text=list(texts) if texts is not None else None,
            textposition="auto",
            textangle=0,  # never rotate a value label to squeeze it into a short bar
            customdata=list(customdata) if customdata is not None else None,
            hovertemplate=hover,
            name="",
        )
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        showlegend=False,
        xaxis_title=tr("mill. kr", "NOK million"),
        height=max(280, 110 + row_height * len(labels)),
    )
    return fig


@responsive
@plotly_safe
def empty(title: str, message: str | None = None) -> go.Figure:
    """A titled placeholder, so a selection without data says so instead of vanishing."""
    if message is None:
        message = tr("Ingen data for utvalget", "No data for the selection")
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": MUTED})
    fig.update_layout(
        **themed(fig), title=title, xaxis_visible=False, yaxis_visible=False, height=300
    )
    return fig
