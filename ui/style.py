"""Readable on a tablet and a phone, and operable without a mouse: the app's small CSS and the
page-level accessibility fixes Streamlit has no option for.

Streamlit lays columns out by the *window* width (they stack only below 640 px), so on an iPad
in portrait with the sidebar open three headline tiles share 510 px and their values are cut
with "…". The rules below follow the space the main area really has (a CSS container query),
let headline tiles wrap two to a row before their numbers are cut, stack side-by-side charts
when the main area is narrower than two readable charts, and shrink a headline value's type to
its tile's width as a last resort. Everything is keyed on Streamlit's ``data-testid``
attributes, which are its documented test hooks (class names change between releases).

The page language and the skip link need script: Streamlit serves ``<html lang="en">`` and has
no setting for it. ``st.html(..., unsafe_allow_javascript=True)`` runs our own constant script
(no user text goes into it) in the page.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from charts.a11y import accessible_name
from ui.i18n import lang, t

# Below this width of the main area two charts side by side get too narrow for their labels.
STACK_BELOW_PX = 760
# A headline tile never gets narrower than this before the row wraps.
TILE_MIN_REM = 13
FOCUS = "#0B5394"  # the theme's primary colour: 7,8:1 on white

CSS = f"""
<style>
/* The main area is a size container: layout follows the space it really has. */
[data-testid="stMainBlockContainer"] {{ container: innsikt-main / inline-size; }}

/* Headline tiles: wrap before a value is cut; the value never ends in an ellipsis. */
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {{
  flex-wrap: wrap;
}}
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
  > [data-testid="stColumn"] {{
  flex: 1 1 {TILE_MIN_REM}rem;
  min-width: min({TILE_MIN_REM}rem, 100%);
}}
[data-testid="stMetric"] {{ container-type: inline-size; }}
[data-testid="stMetricValue"] {{ font-size: min(2.25rem, 12.5cqi); }}
[data-testid="stMetricValue"] .stMarkdownEllipsis,
[data-testid="stMetricDelta"] .stMarkdownEllipsis,
[data-testid="stMetricLabel"] .stMarkdownEllipsis {{
  white-space: normal;
  overflow: visible;
  text-overflow: clip;
}}
[data-testid="stMetricDelta"] {{ height: auto; max-width: 100%; }}

/* Side-by-side charts and tables stack when the main area is narrow (tablet with sidebar). */
@container innsikt-main (max-width: {STACK_BELOW_PX}px) {{
  [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
  [data-testid="stHorizontalBlock"]:not(:has(> [data-testid="stColumn"] [data-testid="stMetric"]))
    > [data-testid="stColumn"] {{
    flex: 1 1 100%;
    min-width: 100%;
  }}
}}

/* Keyboard focus is always visible. */
:focus-visible {{
  outline: 3px solid {FOCUS} !important;
  outline-offset: 2px;
}}
/* The skip link: off screen until it gets keyboard focus. */
#innsikt-skip {{
  position: fixed; left: 0.5rem; top: -4rem; z-index: 1000100;
  padding: 0.5rem 1rem; background: #ffffff; color: {FOCUS};
  border: 2px solid {FOCUS}; border-radius: 0.25rem; font-weight: 600;
}}
#innsikt-skip:focus {{ top: 0.5rem; }}
</style>
"""

# Constant script: sets <html lang>, adds one skip link before everything else.
SCRIPT = """
<script>
(() => {
  const doc = window.parent && window.parent !== window ? window.parent.document : document;
  doc.documentElement.setAttribute("lang", "%(lang)s");
  let a = doc.getElementById("innsikt-skip");
  if (!a) {
    a = doc.createElement("a");
    a.id = "innsikt-skip";
    a.href = "#innsikt-main";
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const main = doc.querySelector('[data-testid="stMain"]');
      if (main) {
        main.setAttribute("tabindex", "-1");
        main.focus();
      }
    });
    doc.body.prepend(a);
  }
  a.textContent = "%(skip)s";
})();
</script>
"""


def inject() -> None:
    """Add the CSS (no space taken: Streamlit sends style-only HTML to its event container)."""
    st.html(CSS)


def page_language_and_skip_link() -> None:
    """Declare the page language and add "Hopp til innholdet"; call once per run, in the
    sidebar (the element it needs takes a little space there, not above the page title)."""
    st.html(
        SCRIPT % {"lang": lang(), "skip": t("Hopp til innholdet")},
        unsafe_allow_javascript=True,
    )


# The front end's modules for charts and tables, by file-name prefix (the rest of each name is
# a content hash that changes with every Streamlit release).
PREFETCHED = ("PlotlyChart", "DataFrame")


@functools.cache
def _chunk(prefix: str) -> str | None:
    """File name of one front-end module in this Streamlit install; None if there is not
    exactly one."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(js.glob(f"{prefix}.*.js"))
    return found[0].name if len(found) == 1 else None


PREFETCH = """
<script>
for (const chunk of %(chunks)s) {
  import(new URL("static/js/" + chunk, document.baseURI).href).catch(() => {});
}
</script>
"""


def prefetch_charts() -> None:
    """Load the front end's chart (Plotly) and table modules while the login form is shown.

    Streamlit fetches its 4,5-MB Plotly module only when a page first draws a chart, and its
    table module (1,6 MB with the Arrow code it imports) when a page first shows a table, so
    the first such page after logging in waited for them: measured at a cold start, drawn
    2,1–2,7 s after the click without the Plotly module prefetched, 1,4 s with it (it takes
    ≈ 0,9 s to load, less than anyone takes to type a user name and password); in the load
    bench (2 sessions, demo size 0,05) a session's first visit to Leverandører, its first
    table, took 2,8 s against 1,4 s for later visits, and 1,1 s with the table module
    prefetched too. The import is the same URL Streamlit itself imports, so the browser keeps
    one module and Streamlit's later import finds it loaded.
    """
    chunks = [c for c in (_chunk(prefix) for prefix in PREFETCHED) if c]
    if chunks:
        st.html(PREFETCH % {"chunks": json.dumps(chunks)}, unsafe_allow_javascript=True)


def plotly_chart(fig: go.Figure, *, key: str, **kwargs: Any) -> Any:
    """``st.plotly_chart`` with the chart's accessible name: Streamlit renders ``alt`` as
    ``role="figure" aria-label="<title> – <key number>"`` on the chart. This is the one call a
    page (or the shared chart wrapper) needs for WCAG 1.1.1 on a chart."""
    return st.plotly_chart(fig, theme=None, key=key, alt=accessible_name(fig), **kwargs)
