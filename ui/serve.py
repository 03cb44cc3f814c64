"""Start the app's server: ``python -m ui.serve [streamlit options]``.

The same as ``streamlit run app.py [options]``, with the app's libraries imported in the
background while the first browser loads (``ui/preload.py``, which has the measurements).
``make run``, ``make dev`` and the tests' servers start the app this way. It lives in ``ui``
(whose package imports nothing) rather than ``cli``, whose package imports the data layer:
0,6 s before the server could even start.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli as streamlit_cli

from ui import allocator, preload

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    # app.py declares its pages with st.navigation. Streamlit, seeing a pages/ folder, treats
    # the app as an old folder-based multipage app until a run has called st.navigation, so
    # the first visit after every start asked for the page by its file name: a link to
    # /avtaler showed "Page not found" and opened Oversikt, losing the link through the login.
    PagesManager.uses_pages_directory = False
    allocator.configure()  # before preload imports Polars
    preload.start()
    streamlit_cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
