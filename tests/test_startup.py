"""Start-up work moved off the visitor's path: the app's modules imported while the first
browser loads (ui/preload.py, ui/serve.py) and Plotly's front-end code fetched during login."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, new_app
from ui import style

ROOT = Path(__file__).resolve().parent.parent


def test_the_preloading_thread_imports_the_app_and_its_libraries_before_wait_returns() -> None:
    # A fresh interpreter: nothing of the app imported yet. The server's start is simulated
    # (the thread waits for a running Streamlit runtime before it imports anything).
    code = """
import sys
from ui import preload
assert "pandas" not in sys.modules and "plotly.graph_objects" not in sys.modules
preload._server_started = lambda timeout: True
preload.start()
assert preload.wait(120)
assert preload.start() is preload._thread  # once per process
missing = [m for m in ("pandas", "polars", "plotly.graph_objects", "sqlalchemy", "pyarrow",
                       "charts.registry", "data_access.metrics.overview", "data_access.pushdown")
           if m not in sys.modules]
print("missing", missing)
# A component declared outside a script run is never registered (the login cookie's was not):
print("components", [m for m in ("streamlit_authenticator", "extra_streamlit_components", "ui.auth")
                     if m in sys.modules])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "missing []" in out.stdout
    assert "components []" in out.stdout
    assert "preloading the app's modules failed" not in out.stderr


def test_without_the_launcher_wait_returns_at_once() -> None:
    from ui import preload

    assert preload._thread is None  # AppTest and `streamlit run` start nothing
    assert preload.wait(0.0) is True


def test_the_app_waits_for_the_preloading_before_its_first_import() -> None:
    source = (ROOT / "app.py").read_text()
    body = source[source.index('"""', 3) + 3 :]  # after the module docstring
    first_imports = [line for line in body.splitlines() if line.startswith(("import", "from"))]
    assert first_imports[:2] == ["from __future__ import annotations", "from ui import preload"]
    assert body.index("preload.wait()") < body.index("import logging")


def test_make_run_and_the_test_servers_start_the_app_through_the_launcher() -> None:
    assert "python -m ui.serve" in (ROOT / "Makefile").read_text()
    assert '"ui.serve"' in (ROOT / "tests" / "app_server.py").read_text()


@pytest.mark.usefixtures("app_env")
def test_the_login_page_fetches_the_chart_and_table_code_and_a_logged_in_page_does_not() -> None:
    chunks = [style._chunk(prefix) for prefix in ("PlotlyChart", "DataFrame")]
    for prefix, chunk in zip(("PlotlyChart", "DataFrame"), chunks, strict=True):
        assert chunk is not None and chunk.startswith(prefix + ".")  # this Streamlit's file
        assert (Path(style.st.__file__).parent / "static" / "static" / "js" / chunk).is_file()

    def prefetches(at) -> bool:  # type: ignore[no-untyped-def]
        bodies = [getattr(el.proto, "body", "") for el in at.get("html")]
        return all(any(str(chunk) in body for body in bodies) for chunk in chunks)

    at = new_app()
    at.run()
    assert [w.label for w in at.text_input] == ["Brukernavn", "Passord"]
    assert prefetches(at)
    at.text_input[0].input("leder")
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert at.metric[0].label == "Innkjøp totalt"
    assert not prefetches(at)


def test_a_start_at_the_newest_migration_imports_no_migration_or_export_libraries(
    tmp_path: Path,
) -> None:
    """alembic (≈ 0,14 s), openpyxl and kaleido (≈ 0,3 s) are imported where they are used —
    a migration, an .xlsx import, an image export — not by the first page run of every start."""
    from data_access.store.db import at_head, make_engine, migrate

    url = f"sqlite:///{tmp_path / 'start.sqlite'}"
    engine = make_engine(url)
    assert not at_head(engine)  # empty: the first start migrates (with alembic)
    migrate(engine)
    assert at_head(engine)
    engine.dispose()
    code = f"""
import sys
from ui import preload
preload._server_started = lambda timeout: True
preload.start()
assert preload.wait(120)
from data_access.bootstrap import initialize
from data_access.store.db import make_engine
initialize(make_engine({url!r}), with_demo=False, log=lambda _m: None)
print("lazy", [m for m in ("alembic", "openpyxl", "kaleido") if m in sys.modules])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "lazy []" in out.stdout, out.stdout


def test_the_head_revision_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from data_access.store.db import alembic_config, head_revision, make_engine

    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    assert head_revision() == script.get_current_head()
