"""Supplier identity: organisation-number check, name normalization and the identity key.

A supplier's identity is its valid orgnr; without one, the buying municipality's ERP supplier
number; without that, the normalized name (PRODUCT.md §3.3). Private persons are stored but
never displayed by name.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from stdnum.no import orgnr as _orgnr

PRIVATE_LABEL = "Privatperson"
WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def orgnr_check_digit(first8: str) -> int | None:
    """Mod-11 check digit for the first 8 digits, or None when no valid digit exists.

    >>> orgnr_check_digit("10000000")
    8
    """
    r = sum(w * int(d) for w, d in zip(WEIGHTS, first8, strict=True)) % 11
    if r == 0:
        return 0
    if r == 1:
        return None
    return 11 - r


def is_valid_orgnr(value: str | None) -> bool:
    """True for a 9-digit number with a correct check digit (python-stdnum agrees).

    >>> is_valid_orgnr("100000008"), is_valid_orgnr("100000009"), is_valid_orgnr(None)
    (True, False, False)
    """
    if not value:
        return False
    return bool(re.fullmatch(r"\d{9}", value)) and _orgnr.is_valid(value)


_SUFFIXES = re.compile(r"\b(as|asa|ans|da|sa|ba|ab|gmbh|ltd|inc|enk|nuf|iks|kf)\b")


def normalize_name(name: str | None) -> str:
    """Name reduced for matching spellings: case, accents kept for æøå, punctuation and
    company-form suffixes removed.

    >>> normalize_name("  Verdal  Rør A/S ") == normalize_name("VERDAL RØR AS")
    True
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFC", name).lower().replace("a/s", "as")
    s = re.sub(r"[^\wæøå ]+", " ", s)
    s = _SUFFIXES.sub(" ", s)
    return re.sub(r"\s+", " ", s).strip()


def supplier_key(
    orgnr: str | None, supplier_no: str | None, municipality: str, name: str | None
) -> str:
    """The identity key stored in ``supplier.key``.

    >>> supplier_key("100000008", "77", "5038", "X")
    'orgnr:100000008'
    >>> supplier_key(None, "77", "5038", "X")
    'lnr:5038:77'
    >>> supplier_key(None, None, "5038", "Acme Ltd.")
    'navn:acme'
    """
    if orgnr and is_valid_orgnr(orgnr):
        return f"orgnr:{orgnr}"
    if supplier_no:
        return f"lnr:{municipality}:{supplier_no.strip()}"
    return f"navn:{normalize_name(name)}"


def display_name() -> pl.Expr:
    """Name to show: 'Privatperson' for private persons, the register's name when known."""
    return (
        pl.when(pl.col("is_private"))
        .then(pl.lit(PRIVATE_LABEL))
        .otherwise(pl.coalesce(pl.col("register_name"), pl.col("name")))
        .alias("supplier_name")
    )
