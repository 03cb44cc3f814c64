"""Every definition a page shows has its English beside it (the translator would otherwise show
bokmål in the English view), and the pages read them from the one definitions module."""

from __future__ import annotations

from pathlib import Path

from ui import definitions
from ui.i18n import EN

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    out: list[str] = []
    for name, value in vars(definitions).items():
        if name.isupper() and isinstance(value, dict):
            out += list(value.values())
        elif name.isupper() and isinstance(value, str):
            out.append(value)
    return out


def test_every_definition_has_an_english_translation() -> None:
    texts = _texts()
    assert len(texts) >= 30
    assert [t for t in texts if t not in EN] == []


def test_no_page_keeps_its_own_definitions() -> None:
    for page in (ROOT / "pages").glob("*.py"):
        source = page.read_text(encoding="utf-8")
        assert "DEFINITIONS = {" not in source, page.name
