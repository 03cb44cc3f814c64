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
        ("pages/suppliers.py", "Net spend per supplier (names from the Central"),
        ("pages/savings.py", "Every year from 2019 with the selected municipality"),
        ("pages/regional.py", "Share of spend at the five levels"),
        ("pages/agreements.py", "Light cell = low coverage."),
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


# --- fix-c: a user-facing literal that bypasses t() stays Norwegian in English mode ---

#: Streamlit calls whose first argument (or ``label=``/``help=``-like keyword) the user reads.
UI_CALLS = {
    *("title", "header", "subheader", "caption", "markdown", "info", "warning", "success"),
    *("error", "toast", "button", "download_button", "form_submit_button", "link_button"),
    *("metric", "selectbox", "multiselect", "radio", "segmented_control", "pills", "checkbox"),
    *("toggle", "text_input", "number_input", "text_area", "date_input", "file_uploader"),
    *("slider", "select_slider", "expander", "popover", "tabs", "spinner", "progress"),
    *("Column", "TextColumn", "NumberColumn", "DateColumn", "DatetimeColumn", "LinkColumn"),
    *("CheckboxColumn", "SelectboxColumn", "ProgressColumn", "ListColumn", "BarChartColumn"),
}
UI_KEYWORDS = {"label", "help", "placeholder", "text", "caption"}
#: Words that read the same in both languages: product name, codes, file formats.
NEUTRAL = {
    *("Innkjøpsinnsikt", "Id", "Type", "Start", "Status", "NACE", "HHI", "CR1", "CR3", "CR5"),
    *("PNG", "SVG", "Excel", "CSV", "Norsk", "English"),
}
NOT_UI_RECEIVERS = {"log", "logger", "logging", "LOG", "warnings"}
#: Page helpers that pass one positional argument on to ``st.caption`` (argument index).
CAPTION_HELPERS = {"_chart": 4, "_plot": 4}


def _bare_literals(node: ast.AST) -> list[tuple[int, str]]:
    """Literal text that reaches the screen as is: constants and the fixed parts of
    f-strings, through ``+`` and ``a if c else b`` — but not inside any call (``t(...)``
    translates; ``fmt.kr(...)`` etc. format numbers)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)]
    if isinstance(node, ast.JoinedStr):
        out: list[tuple[int, str]] = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append((node.lineno, v.value))
            elif isinstance(v, ast.FormattedValue):
                out += _bare_literals(v.value)
        return out
    if isinstance(node, ast.BinOp):
        return _bare_literals(node.left) + _bare_literals(node.right)
    if isinstance(node, ast.IfExp):
        return _bare_literals(node.body) + _bare_literals(node.orelse)
    if isinstance(node, ast.List | ast.Tuple):
        return [s for e in node.elts for s in _bare_literals(e)]
    return []


def _is_text(literal: str) -> bool:
    """Words a reader must understand — not HTML, placeholders, numbers, emoji or a
    language-neutral code."""
    stripped = re.sub(r"<[^>]*>|\{[^}]*\}", " ", literal)
    return any(w not in NEUTRAL for w in re.findall(r"[A-Za-zÆØÅæøå][\wÆØÅæøå.-]+", stripped))


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        if isinstance(f.value, ast.Name) and f.value.id in NOT_UI_RECEIVERS:
            return None
        inner = f.value.func if isinstance(f.value, ast.Call) else None
        if isinstance(inner, ast.Attribute) and inner.attr == "getLogger":
            return None
        return f.attr
    return None


def untranslated_ui_literals(path: Path) -> list[tuple[int, str]]:
    """Literal text shown by a Streamlit call (first argument, label/help keywords,
    ``column_config`` headings) that does not go through ``t()``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        shown: list[ast.AST] = []
        if name in UI_CALLS:
            shown += node.args[:1]
            shown += [k.value for k in node.keywords if k.arg in UI_KEYWORDS]
        if name in CAPTION_HELPERS and len(node.args) > CAPTION_HELPERS[name]:
            shown.append(node.args[CAPTION_HELPERS[name]])
        if name == "footer" and len(node.args) > 2:  # page.footer translates its note itself
            note = node.args[2]
            if not (isinstance(note, ast.Constant) and note.value in EN):
                shown.append(note)
        for k in node.keywords:
            if k.arg == "column_config" and isinstance(k.value, ast.Dict):
                shown += [v for v in k.value.values if v is not None]
        found += [(line, s) for arg in shown for line, s in _bare_literals(arg) if _is_text(s)]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_shown_string_goes_through_the_translator(path: Path) -> None:
    bare = [f"{path.name}:{line}: {text!r}" for line, text in untranslated_ui_literals(path)]
    assert not bare, "shown without t(), so Norwegian in English mode:\n" + "\n".join(bare)


def test_the_untranslated_scan_catches_what_it_should(tmp_path: Path) -> None:
    """The scan would catch the kinds of slips it exists for — and lets through what is
    language-neutral or already translated."""
    page = tmp_path / "page.py"
    page.write_text(
        "def render(n, c1):\n"
        "    st.caption('Kilde: SSB')\n"
        "    c1.metric(t('Innkjøp'), 5, help=f'Sum av {n} linjer')\n"
        "    st.success(f\"{t('Lagret:')} {n}\")\n"
        "    st.button('Lagre' if n else t('Neste'))\n"
        "    st.dataframe(x, column_config={'a': 'Beløp', 'b': 'NACE'})\n"
        "    st.markdown(f\"<div class='x'>{n}</div>\", unsafe_allow_html=True)\n"
        "    st.download_button('CSV', b'', file_name='a.csv')\n"
        "    logger.warning('database unavailable')\n"
        "    logging.getLogger('x').warning('database unavailable')\n"
        "    _chart(charts.trend, frame, t('Tittel'), 'key', 'Blå: valgt periode.')\n"
        "    page.footer(f, token, 'Demodata')\n"
        "    page.footer(f, token, 'Ny merknad')\n",
        encoding="utf-8",
    )
    assert untranslated_ui_literals(page) == [
        (2, "Kilde: SSB"),
        (3, "Sum av "),
        (3, " linjer"),
        (5, "Lagre"),
        (6, "Beløp"),
        (11, "Blå: valgt periode."),
        (13, "Ny merknad"),
    ]
