"""The one Plotly theme: brand colours, one fixed colour per municipality, Norwegian numbers.

Registered once as the templates ``innsikt`` and ``innsikt_presentasjon`` (larger type, composed
on top), and ``innsikt`` made Plotly's default. Naming a template on a figure costs Plotly a
validated deep copy of it (≈ 3 ms on this machine, the largest single cost of drawing a chart:
a tenth of a Kommuner og kategorier run went to it), while a new figure takes the default
template in ≈ 0,1 ms. So figures are themed with :func:`themed`, which names the template only
where the figure does not already hold it: in presentation mode, and when the default is not
ours — ``import streamlit`` replaces Plotly's default with one whose colours exist only in the
browser (server-side exports would come out black): a figure made after that is themed the slow
way, and ours is made the default again (the app renders every chart with
``st.plotly_chart(fig, theme=None)``, so nothing of ours uses Streamlit's default).
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from data_access.store.reference import region

FONT = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"
FONT_PX = 14  # every chart's text
PRESENTATION_FONT_PX = 22  # presentation mode (titles 30)
INK = "#1F2933"
GRID = "#E4E7EB"
PRIMARY = "#0B5394"
NEUTRAL = "#9AA5B1"  # bars and lines only: 2,5:1 on white is too faint for text
MUTED = "#52606D"  # secondary text: 6,4:1 on white
POSITIVE = "#2E7D32"
WARNING = "#C62828"
# Categorical colours for non-municipality series (Okabe–Ito without the municipal ones first).
COLORWAY = ["#0B5394", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#6B7280"]
# Regional levels, from "close to home" (dark green) to "abroad/unknown" (grey).
LEVEL_COLOURS = {
    "same": "#1B5E20",
    "member": "#66BB6A",
    "county": "#0B5394",
    "norway": "#90A4AE",
    "abroad_unknown": "#CFD8DC",
}
TEMPLATE = "innsikt"
PRESENTATION = "innsikt_presentasjon"
# Below the chart (container coordinates push the bottom margin), never over the title; every
# chart's legend (charts/a11y.py makes sure a chart's own placement does not override it).
LEGEND = {
    "orientation": "h",
    "xref": "container",
    "yref": "container",
    "x": 0,
    "xanchor": "left",
    "y": 0,
    "yanchor": "bottom",
}


def municipality_colour(code: str) -> str:
    """The member's fixed colour (historical codes fall back to their own entry or grey)."""
    return region().colours.get(code, NEUTRAL)


def _luminance(colour: str) -> float:
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours.

    >>> round(contrast("#828180", "#ffffff"), 2)
    3.89
    """
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(background: str) -> str:
    """Ink, white or black: the first that reads at 4,5:1 on ``background`` (a value label
    inside a bar). Plotly's own choice gives white on the green and orange members (3,3:1 and
    3,9:1), and our ink reaches only 4,3:1 on the green.

    >>> text_on("#0B5394"), text_on("#E69F00"), text_on("#009E73")
    ('#ffffff', '#1F2933', '#000000')
    """
    if not (background.startswith("#") and len(background) == 7):
        return INK
    inks = (INK, "#ffffff", "#000000")
    return next((c for c in inks if contrast(c, background) >= 4.5), "#000000")


def _register() -> None:
    base = go.layout.Template(
        layout=go.Layout(
            font={"family": FONT, "size": FONT_PX, "color": INK},
            # Above the plot area, pushing the top margin as far as a wrapped title needs.
            title={
                "font": {"size": 18},
                "x": 0,
                "xanchor": "left",
                "automargin": True,
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "pad": {"b": 12},
            },
            separators=", ",
            colorway=COLORWAY,
            paper_bgcolor="white",
            plot_bgcolor="white",
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"gridcolor": GRID, "linecolor": GRID, "zeroline": False, "automargin": True},
            yaxis={"gridcolor": GRID, "linecolor": GRID, "zeroline": False, "automargin": True},
            # Below the chart (container coordinates push the bottom margin), never over the title.
            legend=LEGEND,
            hoverlabel={"font": {"family": FONT}},
        )
    )
    pio.templates[TEMPLATE] = base
    big = go.layout.Template(
        layout=go.Layout(
            font={"size": PRESENTATION_FONT_PX},
            title={"font": {"size": 30}},
            legend={"font": {"size": 20}},
            margin={"l": 20, "r": 20, "t": 80, "b": 20},
        )
    )
    pio.templates[PRESENTATION] = big
    pio.templates.default = TEMPLATE


_register()


def template(presentation: bool = False) -> str:
    return f"{TEMPLATE}+{PRESENTATION}" if presentation else TEMPLATE


def themed(fig: go.Figure, presentation: bool = False) -> dict[str, str]:
    """``update_layout`` arguments that give ``fig`` our theme: none when it already holds it
    (created while ``innsikt`` is Plotly's default: its copy of the template has our font),
    else the template's name (see above).

    >>> _ = themed(go.Figure())  # in a process where Streamlit's import replaced our default
    >>> themed(go.Figure()), themed(go.Figure(), presentation=True)
    ({}, {'template': 'innsikt+innsikt_presentasjon'})
    """
    if not presentation and fig.layout.template.layout.font.family == FONT:
        return {}
    if pio.templates.default != TEMPLATE:  # Streamlit imported after us: ours again from now on
        pio.templates.default = TEMPLATE
    return {"template": template(presentation)}
