"""English: every literal UI string passed to ``t(...)`` has an English entry, and ``?lang=en``
gives English words, chart texts and number separators."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, new_app
from ui.i18n import EN, MESSAGES, english

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


# --- issue 12 point 6: messages from data_access (reasons, refusals, import reports) -------

#: A word a Norwegian message has and an English internal error does not (or æ, ø, å).
NORWEGIAN = re.compile(
    r"[æøåÆØÅ]|\b("
    + "|".join(
        (
            *("og", "av", "er", "ikke", "må", "mangler", "ukjent", "ukjente", "ugyldig", "kan"),
            *(
                "finnes",
                "eller",
                "som",
                "rad",
                "raden",
                "rader",
                "filen",
                "bare",
                "mellom",
                "minst",
            ),
            *("ingen", "ferdig", "feilet", "lagrer", "leser", "kontrollerer", "finner", "logger"),
            *("oppdaterer", "linjer", "kolonne", "kolonner", "gyldig", "brukeren", "verdien"),
            *("tom", "siffer", "konto", "dato", "beløp", "tekst", "kommunenummer", "utenfor"),
            *("kontooppsett", "fast", "verdi", "verdier", "standard", "kontoklassen", "mønster"),
            *("underkonto", "overskriftsrad", "tegnsett", "skilletegn", "tidligere", "funksjon"),
            *("debet", "kredit", "fakturanummer", "avtalereferanse", "beskrivelse", "felt"),
            *("privatperson", "organisasjonsnummer", "leverandørnavn", "leverandørnummer"),
            *("ja", "nei", "art", "profilen", "mislykkede", "innlogget", "lest", "enheter"),
        )
    )
    + r")\b",
    re.IGNORECASE,
)
DATA_ACCESS = sorted(p for p in (ROOT / "data_access").rglob("*.py") if "migrations" not in p.parts)


def _template(node: ast.AST) -> str | None:
    """The literal text of a message expression, ``{}`` where a value goes (f-string parts,
    ``+`` of a literal and a value); None when nothing in it is literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    return None


def _label_tables(tree: ast.Module) -> list[ast.AST]:
    """The values of module-level ``*_LABEL(S)`` and ``FIELDS`` tables (words shown as is)."""
    found: list[ast.AST] = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any(n.endswith(("_LABEL", "_LABELS")) or n == "FIELDS" for n in names):
                found += [v for v in node.value.values if v is not None]
    return found


#: Calls whose argument (by position) is a message: lists of errors, Polars-built reasons,
#: progress texts, a layout's label.
MESSAGE_ARGS = {"append": 0, "format": 0, "lit": 0, "progress": 1, "Layout": 2}


def _shown_value(node: ast.AST) -> ast.AST | None:
    """The message in one statement or call, if it is one of the places a message is made."""
    if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
        return node.exc.args[0]
    if isinstance(node, ast.Return):
        return node.value
    if isinstance(node, ast.Assign) and any(  # into a report, or a label
        isinstance(t, ast.Subscript) or (isinstance(t, ast.Name) and t.id == "label")
        for t in node.targets
    ):
        return node.value
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
        at = MESSAGE_ARGS.get(name or "")
        if at is not None and len(node.args) > at:
            return node.args[at]
    return None


def _message_expressions(tree: ast.Module) -> list[ast.AST]:
    """Where ``data_access`` writes what a user reads: exception messages, lists of errors,
    progress texts, Polars-built reasons (``pl.format``/``pl.lit``), returned texts, values
    assigned into a report, a layout's label, and the ``*_LABEL(S)``/``FIELDS`` tables."""
    found = _label_tables(tree)
    found += [v for node in ast.walk(tree) if (v := _shown_value(node)) is not None]
    out: list[ast.AST] = []
    for e in found:  # both branches of ``a if c else b``
        out += [e.body, e.orelse] if isinstance(e, ast.IfExp) else [e]
    return out


def norwegian_messages(path: Path) -> list[tuple[int, str]]:
    """(line, template) of every message in a ``data_access`` module written in bokmål."""
    out = []
    for node in _message_expressions(ast.parse(path.read_text(encoding="utf-8"))):
        text = _template(node)
        if text is not None and NORWEGIAN.search(text.replace("{}", " ")):
            out.append((getattr(node, "lineno", 0), text))
    return out


def _has_english(template: str) -> bool:
    """A fragment is covered when a catalogued message (or UI string) holds it."""
    return template in EN or any(template in key for key in MESSAGES)


@pytest.mark.parametrize("path", DATA_ACCESS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_data_access_message_has_english(path: Path) -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for line, text in norwegian_messages(path)
        if not _has_english(text)
    ]
    assert not missing, "no English in ui.i18n.MESSAGES for:\n" + "\n".join(missing)


def test_the_message_scan_finds_and_translates_real_messages() -> None:
    found = [m for p in DATA_ACCESS for _line, m in norwegian_messages(p)]
    assert len(found) > 150
    assert "dato «{}» kan ikke tolkes" in found  # a pl.format reason of the validation
    assert "ukjent rolle {}; gyldige: {}" in found  # an f-string in a raise
    # Translated by template, values kept, fixed values inside translated again.
    assert english("dato «31.02.2025» kan ikke tolkes") == "date “31.02.2025” cannot be read"
    assert english("art 010 er ikke innkjøp (utenfor KOSTRA-artene)") == (
        "art 010 is not a purchase (outside the KOSTRA arts)"
    )
    assert english(
        "Kontooppsett: kontoklasse + art + underkonto (5–6 siffer) (foreslått fra filen)"
    ) == ("Account layout: account class + art + sub-account (5–6 digits) (proposed from the file)")


def test_the_message_scan_catches_a_new_untranslated_message(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "REASON_LABELS = {'x': 'ny årsak'}\n"
        "def check(v, errors, progress):\n"
        "    if not v:\n"
        "        raise ValueError(f'verdien {v!r} mangler')\n"
        "    errors.append('rad ' + str(v) + ' er dobbel')\n"
        "    progress(0.5, 'Teller rader')\n"
        "    raise KeyError(f'unknown setting {v}')\n"
        "    return pl.format('dato «{}» kan ikke tolkes', 'date')\n",
        encoding="utf-8",
    )
    found = norwegian_messages(module)
    assert [m for _line, m in found] == [
        "ny årsak",
        "verdien {} mangler",
        "rad {} er dobbel",
        "Teller rader",
        "dato «{}» kan ikke tolkes",
    ]
    assert [m for _line, m in found if not _has_english(m)] == [
        "ny årsak",
        "verdien {} mangler",
        "rad {} er dobbel",
        "Teller rader",
    ]
