"""The README documents every setting and opens with the two commands (STYLE.md §14, §20)."""

from __future__ import annotations

from data_access.store.settings import SETTINGS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_readme_opens_with_run_and_test_commands() -> None:
    head = README.split("## ")[0]
    assert "make run" in head and "make test" in head


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_secrets_example_lists_every_secret() -> None:
    example = (ROOT / ".streamlit" / "secrets.example.toml").read_text()
    assert all(s.name in example for s in SETTINGS)


def test_every_page_is_in_the_readme() -> None:
    import app

    missing = [title for _s, title, *_rest in app.PAGES if f"| {title} |" not in README]
    assert not missing, f"pages missing from the README table: {missing}"
