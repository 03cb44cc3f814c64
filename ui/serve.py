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

from streamlit.web import cli as streamlit_cli

from ui import preload

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    preload.start()
    streamlit_cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
