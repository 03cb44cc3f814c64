"""English: every literal UI string passed to ``t(...)`` has an English entry, and ``?lang=en``
gives English words, chart texts and number separators."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, new_app
from ui.i18n import EN

SOURCES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"])


def _t_literals(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "t"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.append((node.lineno, node.args[0].value))
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_translated_ui_string_has_english(path: Path) -> None:
    missing = [
        f"{path.name}:{line}: {text!r}" for line, text in _t_literals(path) if text not in EN
    ]
    assert not missing, "no English for:\n" + "\n".join(missing)


def test_the_scan_finds_strings() -> None:
    assert len([s for p in SOURCES for s in _t_literals(p)]) > 150


@pytest.mark.usefixtures("app_env")
def test_lang_en_gives_english_words_charts_and_numbers() -> None:
    at = new_app("analytiker")
    at.query_params["lang"] = ["en"]
    at.query_params["periode"] = ["2025-K2"]
    at.run()
    assert not at.exception
    assert [m.label for m in at.metric][:3] == [
        "Total spend",
        "Regional share",
        "Contract coverage",
    ]
    assert re.fullmatch(r"NOK\s[\d,]+\.\d\s(million|billion)", at.metric[0].value)
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"Spend per municipality"' in s for s in charts)
    assert all('"separators":".,"' in s.replace(" ", "") for s in charts)
    assert not any("mill. kr" in s for s in charts)


@pytest.mark.usefixtures("app_env")
@pytest.mark.parametrize(
    ("script", "english"),
    [
        ("pages/suppliers.py", "Shares are computed over all suppliers"),
        ("pages/regional.py", "All purchases are included"),
        ("pages/savings.py", "Savings are computed on spend"),
        ("pages/presentation.py", "Slide 1 of"),
        ("pages/export.py", "The quarterly report holds every standard chart"),
    ],
)
def test_page_texts_in_english(script: str, english: str) -> None:
    at = new_app("analytiker")
    at.query_params["lang"] = ["en"]
    at.run()
    at.switch_page(script).run()
    assert not at.exception
    text = " ".join(m.value for m in [*at.markdown, *at.caption])
    assert english in text
