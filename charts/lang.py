"""The language of everything drawn or formatted below Streamlit (figures, number formats,
headline sentences, report text): ``nb`` (default) or ``en``.

Kept in a context variable so pure modules (``charts``, the report) need no Streamlit: the app
sets it at the start of each script run from ``?lang=``, the CLI from ``--lang``.

>>> with using("en"):
...     tr("Innkjøp", "Spend")
'Spend'
>>> tr("Innkjøp", "Spend")
'Innkjøp'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LANGS = ("nb", "en")
_current: ContextVar[str] = ContextVar("innsikt_lang", default="nb")


def current() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    """Set the language for the rest of this thread's work (unknown values give bokmål)."""
    _current.set(lang if lang in LANGS else "nb")


@contextmanager
def using(lang: str) -> Iterator[None]:
    token = _current.set(lang if lang in LANGS else "nb")
    try:
        yield
    finally:
        _current.reset(token)


def tr(nb: str, en: str) -> str:
    """The bokmål or English text, by the current language."""
    return en if _current.get() == "en" else nb
