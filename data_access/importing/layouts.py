"""Account layouts: where a chart of accounts writes the KOSTRA art (PRODUCT.md §3.1).

Reading the wrong digits silently turns wages into purchases (``10100`` is kontoklasse 1 +
art 010 fastlønn, not art 101 kontormateriell), so the layout is either stated by the mapping
profile or proposed from the file, and always reported with examples.

A layout is a regular expression over the cleaned account (digits only) with a named group
``art`` (three digits) and optionally ``klasse`` (the KOSTRA kontoklasse: ``0`` investering,
``1`` drift). Named layouts:

* ``art`` – the art first, with or without a local sub-account (``115``, ``1150``, ``11500``);
* ``kontoklasse`` – kontoklasse + art + sub-account, 5 or 6 digits (``10100`` = class 1, art
  010; ``02700`` = class 0, art 270);
* ``prefiks+kontoklasse`` – one leading ledger digit, kontoklasse, art, sub-account, 6 digits
  (``102700`` = class 0, art 270).

A profile states a layout with ``account_layout = "kontoklasse"``, with the art's digit positions
(``art_digits = "2-4"``, optionally ``class_digit = 1``) or with ``account_pattern`` (a regex with
the named groups). Without one, :func:`detect_layout` proposes one (see its docstring) or refuses
the file with examples when the accounts fit no layout unambiguously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


class LayoutError(ValueError):
    """The accounts fit no layout (or two equally well); the message has examples, Norwegian."""


@dataclass(frozen=True)
class Layout:
    """Where the art (and the kontoklasse) sits in an account."""

    name: str
    pattern: str
    label: str

    @property
    def has_class(self) -> bool:
        return "(?P<klasse>" in self.pattern

    def read(self, account: str) -> tuple[str | None, str | None]:
        """(art, kontoklasse) of one cleaned account; (None, None) when it does not fit.

        >>> LAYOUTS["kontoklasse"].read("10100"), LAYOUTS["art"].read("10100")
        (('010', '1'), ('101', None))
        """
        m = re.match(self.pattern, account)
        if not m:
            return None, None
        d = m.groupdict()
        return d.get("art"), d.get("klasse")


LAYOUTS: dict[str, Layout] = {
    "art": Layout("art", r"^(?P<art>\d{3})\d*$", "art først (evt. med underkonto)"),
    "kontoklasse": Layout(
        "kontoklasse",
        r"^(?P<klasse>[01])(?P<art>\d{3})\d{1,2}$",
        "kontoklasse + art + underkonto (5–6 siffer)",
    ),
    "prefiks+kontoklasse": Layout(
        "prefiks+kontoklasse",
        r"^\d(?P<klasse>[01])(?P<art>\d{3})\d$",
        "ett prefikssiffer + kontoklasse + art + underkonto (6 siffer)",
    ),
}
DEFAULT = LAYOUTS["art"]
WAGE_FROM, WAGE_TO = "010", "099"


def layout_from_settings(
    name: str | None = None,
    art_digits: str | None = None,
    class_digit: int | None = None,
    pattern: str | None = None,
) -> Layout | None:
    """The layout a profile states, or None (detect). Errors are Norwegian ``ValueError``.

    >>> layout_from_settings(art_digits="2-4", class_digit=1).read("11500")
    ('150', '1')
    >>> layout_from_settings(art_digits="1-3").read("1150")
    ('115', None)
    """
    if pattern:
        try:
            rx = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"account_pattern er ikke et gyldig regulært uttrykk: {exc}") from exc
        if "art" not in rx.groupindex:
            raise ValueError("account_pattern må ha gruppen (?P<art>...) med de tre art-sifrene")
        return Layout("mønster", pattern, f"mønster {pattern}")
    if art_digits:
        m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str(art_digits))
        if not m or int(m[2]) - int(m[1]) != 2 or int(m[1]) < 1:
            raise ValueError('art_digits må være tre sifferposisjoner, f.eks. "2-4"')
        start = int(m[1])
        parts: list[str] = []
        for pos in range(1, start):
            parts.append("(?P<klasse>[01])" if pos == class_digit else r"\d")
        if class_digit is not None and not 1 <= class_digit < start:
            raise ValueError("class_digit må stå foran art-sifrene")
        digits_rx = "^" + "".join(parts) + r"(?P<art>\d{3})\d*$"
        label = f"art i siffer {start}–{start + 2}" + (
            f", kontoklasse i siffer {class_digit}" if class_digit else ""
        )
        return Layout(f"siffer {start}-{start + 2}", digits_rx, label)
    if name:
        if name not in LAYOUTS:
            raise ValueError(
                f"ukjent kontooppsett «{name}» (kjente: {', '.join(LAYOUTS)}, eller angi "
                "art_digits eller account_pattern)"
            )
        return LAYOUTS[name]
    return None


def clean_account(expr: pl.Expr) -> pl.Expr:
    """The account without spaces and dots (``1 150.00`` is not seen, ``11 500`` is)."""
    return expr.str.replace_all(r"[\s.]", "")


def read_expr(account: pl.Expr, layout: Layout) -> tuple[pl.Expr, pl.Expr]:
    """(art, kontoklasse) expressions for cleaned accounts; null where the layout does not fit."""
    # Polars' extract takes a group index: find the named groups' positions.
    rx = re.compile(layout.pattern)
    art = account.str.extract(rx.pattern, rx.groupindex["art"])
    klasse = (
        account.str.extract(rx.pattern, rx.groupindex["klasse"])
        if "klasse" in rx.groupindex
        else pl.lit(None, pl.String)
    )
    return art, klasse


def _known(arts: set[str | None], known: set[str]) -> bool:
    return all(a in known for a in arts)


def _is_wage(art: str) -> bool:
    return WAGE_FROM <= art <= WAGE_TO


def detect_layout(accounts: list[str], art_class: dict[str, str]) -> Layout:
    """Propose the layout of a file from its distinct cleaned accounts.

    ``art_class`` maps each known 3-digit art to its spend class (``kostra_art.csv``).
    Rules, in order (all over the accounts that start with at least three digits; other
    accounts are quarantined row by row):

    * every account is 5–6 digits, starts with the kontoklasse ``0``/``1``, and read so its
      digits 2–4 are known arts that include **wage arts (010–099) beside other arts** – or
      read the plain way every account would be a non-purchase art while read with the class
      some are purchases: ``kontoklasse`` (likewise ``prefiks+kontoklasse`` for 6 digits with
      the class second). When both class layouts qualify, the one whose arts span more KOSTRA
      groups (hundreds) wins; a tie is refused;
    * a file mixing such class-prefixed wage accounts with accounts of other lengths is refused;
    * otherwise ``art`` (the first three digits), the historical reading.

    >>> cls = {f"{i:03d}": ("excluded" if i < 100 else "purchase") for i in range(10, 400)}
    >>> detect_layout(["10100", "11500", "12700", "02700"], cls).name
    'kontoklasse'
    >>> detect_layout(["1150", "27010", "230"], cls).name
    'art'
    """
    accs = sorted({a for a in accounts if a and re.match(r"^\d{3}", a)})
    if not accs:
        return DEFAULT
    known = set(art_class)
    plain = [a[:3] for a in accs]
    qualified: list[tuple[int, Layout]] = []
    for lay in (LAYOUTS["kontoklasse"], LAYOUTS["prefiks+kontoklasse"]):
        reads = [lay.read(a) for a in accs]
        if any(r[0] is None for r in reads):
            continue
        arts = {r[0] for r in reads}
        if not _known(arts, known):
            continue
        wages = any(_is_wage(a) for a in arts if a)
        others = any(not _is_wage(a) for a in arts if a)
        purchase_only_with_class = all(
            art_class.get(p) not in ("purchase", "intra_public") for p in plain
        ) and any(art_class.get(a or "") == "purchase" for a in arts)
        if (wages and others) or purchase_only_with_class:
            qualified.append((len({a[0] for a in arts if a}), lay))
    if qualified:
        qualified.sort(key=lambda t: -t[0])
        if len(qualified) > 1 and qualified[0][0] == qualified[1][0]:
            raise LayoutError(
                "kontoene kan leses med flere kontooppsett ("
                + ", ".join(q[1].label for q in qualified)
                + f"), f.eks. {', '.join(accs[:3])}. Angi account_layout eller art_digits i "
                "importprofilen."
            )
        return qualified[0][1]
    # Mixed: class-prefixed wage accounts beside accounts of other lengths.
    cls_like = [a for a in accs if re.match(r"^[01]\d{4,5}$", a)]
    rest = [a for a in accs if a not in cls_like]
    cls_wages = [a for a in cls_like if _is_wage(a[1:4])]
    if cls_wages and rest and {len(a) for a in rest}.isdisjoint({len(a) for a in cls_like}):
        raise LayoutError(
            "kontoene passer ikke ett kontooppsett: noen ser ut som kontoklasse + art (f.eks. "
            f"{', '.join(cls_wages[:3])}), andre har en annen lengde (f.eks. "
            f"{', '.join(rest[:3])}). Angi account_layout eller art_digits i importprofilen, "
            "eller rett kontoene i filen."
        )
    return DEFAULT


def examples(
    accounts: list[str], layout: Layout, art_class: dict[str, str], n: int = 3
) -> list[dict[str, str]]:
    """Up to ``n`` examples account → art → spend class (different arts first), for reports.

    >>> examples(["10100", "11500"], LAYOUTS["kontoklasse"], {"010": "excluded", "150": "purchase"})
    [{'konto': '10100', 'art': '010', 'klasse': 'excluded', 'område': 'drift'}, {'konto': '11500', 'art': '150', 'klasse': 'purchase', 'område': 'drift'}]
    """
    out: list[dict[str, str]] = []
    seen_art: set[str] = set()
    seen_cls: set[str] = set()
    ordered = sorted({a for a in accounts if a})
    # Prefer one example per spend class (so wages show up), then different arts.
    for pass_ in (0, 1):
        for acc in ordered:
            art, klasse = layout.read(acc)
            if art is None or art in seen_art:
                continue
            cls = art_class.get(art, "excluded")
            if pass_ == 0 and cls in seen_cls:
                continue
            seen_art.add(art)
            seen_cls.add(cls)
            ex = {"konto": acc, "art": art, "klasse": cls}
            if klasse is not None:
                ex["område"] = "investering" if klasse == "0" else "drift"
            out.append(ex)
            if len(out) >= n:
                return out
    return out


def art_class_map(art_classes: pl.DataFrame) -> dict[str, str]:
    """3-digit art → spend class from the ``art_class`` ranges (first range wins)."""
    out: dict[str, str] = {}
    for a_from, a_to, cls in art_classes.select("art_from", "art_to", "spend_class").iter_rows():
        for i in range(int(a_from), int(a_to) + 1):
            out.setdefault(f"{i:03d}", cls)
    return out


def choose_layout(
    accounts: list[str], stated: Layout | None, art_classes: pl.DataFrame
) -> tuple[Layout, str, list[dict[str, str]]]:
    """(layout, source, examples) for a file: the profile's layout, else :func:`detect_layout`.

    ``source`` is ``"profil"`` or ``"foreslått fra filen"``; raises :class:`LayoutError`."""
    cls = art_class_map(art_classes)
    clean = [re.sub(r"[\s.]", "", a) for a in accounts if a]
    if stated is not None:
        return stated, "profil", examples(clean, stated, cls)
    layout = detect_layout(clean, cls)
    return layout, "foreslått fra filen", examples(clean, layout, cls)
