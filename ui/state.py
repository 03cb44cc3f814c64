"""Global filters kept in the URL query string, so a copied link reopens the same view.

URL keys (all optional; an unknown or invalid value falls back to the default):
  ``periode``   ``2025`` | ``2025-K3`` | ``2024-01_2025-06`` (inclusive months)
  ``kommune``   today's kommunenummer, repeatable
  ``kategori``  category id (level 1 or 2), repeatable
  ``omrade``    ``drift`` | ``investering`` | ``alle``
  ``lang``      ``nb`` | ``en``

The parsing is pure (``parse_filters``) and tested without Streamlit; ``sidebar_filters`` keeps
widgets, session state and the URL in step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl
import streamlit as st

from charts import fmt
from data_access.store.filters import AREAS, Filters, add_months, period_range
from ui.i18n import t

KEYS = ("periode", "kommune", "kategori", "omrade")


@dataclass(frozen=True)
class Options:
    """What the filters may take for this user: months with data, municipalities, categories."""

    first_month: dt.date
    last_month: dt.date
    municipalities: dict[str, str]  # code -> name, only those in the user's scope
    categories: dict[int, str]  # id -> label ("Nivå 1" or "Nivå 1 › Nivå 2")

    @property
    def default_period(self) -> str:
        """The last complete calendar year, or the latest year when none is complete."""
        last_full = (
            self.last_month.year if self.last_month.month == 12 else self.last_month.year - 1
        )
        return str(max(last_full, self.first_month.year))


def period_token_to_range(token: str, opts: Options) -> tuple[dt.date, dt.date] | None:
    """Parse a period token clamped to the months with data (see ``filters.period_range``).

    >>> o = Options(dt.date(2019, 1, 1), dt.date(2026, 9, 1), {}, {})
    >>> period_token_to_range("2026", o)
    (datetime.date(2026, 1, 1), datetime.date(2026, 9, 1))
    """
    return period_range(token, opts.first_month, opts.last_month)


def parse_filters(params: Mapping[str, Sequence[str]], opts: Options) -> tuple[Filters, str]:
    """Filters and the canonical period token from URL-style params (lists of strings)."""
    token = (params.get("periode") or [""])[0]
    rng = period_token_to_range(token, opts)
    if rng is None:
        token = opts.default_period
        rng = period_token_to_range(token, opts) or (opts.first_month, opts.last_month)
    munis = tuple(sorted({m for m in params.get("kommune", []) if m in opts.municipalities}))
    cats: list[int] = []
    for c in params.get("kategori", []):
        if c.isdigit() and int(c) in opts.categories:
            cats.append(int(c))
    area = (params.get("omrade") or ["drift"])[0]
    if area not in AREAS:
        area = "drift"
    return Filters(rng[0], rng[1], munis, tuple(sorted(set(cats))), area), token


def to_params(f: Filters, token: str) -> dict[str, list[str]]:
    """The URL form of the filters (round-trips through ``parse_filters``)."""
    out: dict[str, list[str]] = {"periode": [token]}
    if f.municipalities:
        out["kommune"] = list(f.municipalities)
    if f.categories:
        out["kategori"] = [str(c) for c in f.categories]
    if f.area != "drift":
        out["omrade"] = [f.area]
    return out


def options_from(
    cube: pl.DataFrame, municipalities: pl.DataFrame, categories: pl.DataFrame
) -> Options:
    """Filter options for the user's scoped cube (a kommune user sees only their own)."""
    months = (
        cube.group_by("municipality_now").agg(
            first_month=pl.col("month").min(), last_month=pl.col("month").max()
        )
        if cube.height
        else pl.DataFrame(
            schema={"municipality_now": pl.String, "first_month": pl.Date, "last_month": pl.Date}
        )
    )
    return options_from_months(months, municipalities, categories)


def options_from_months(
    months: pl.DataFrame, municipalities: pl.DataFrame, categories: pl.DataFrame
) -> Options:
    """Filter options from the first and last month per today's municipality code in the
    scope (``municipality_now``, ``first_month``, ``last_month``): from the cube, or from the
    database when the cube is not loaded (``data_access.pushdown.months_in_scope``).

    >>> m = pl.DataFrame({"municipality_now": ["5038"], "first_month": [dt.date(2023, 1, 1)],
    ...     "last_month": [dt.date(2025, 6, 1)]})
    >>> munis = pl.DataFrame({"code": ["5038"], "current_code": ["5038"], "name": ["Verdal"]})
    >>> cats = pl.DataFrame({"category_id": [11], "category": ["Kontor"],
    ...     "category_l1_id": [1], "category_l1": ["Drift"]})
    >>> o = options_from_months(m, munis, cats)
    >>> (o.first_month, o.last_month, o.municipalities, o.categories)
    (datetime.date(2023, 1, 1), datetime.date(2025, 6, 1), {'5038': 'Verdal'}, {1: 'Drift', 11: 'Drift › Kontor'})
    """
    if months.height:
        first, last = months["first_month"].min(), months["last_month"].max()
    else:
        today = dt.date.today()
        first = last = dt.date(today.year, 1, 1)
    codes = {c for c in months["municipality_now"].to_list() if c is not None}
    names = dict(
        municipalities.filter(pl.col("code") == pl.col("current_code"))
        .select("code", "name")
        .iter_rows()
    )
    cats: dict[int, str] = {}
    for l1_id, l1 in (
        categories.select("category_l1_id", "category_l1").unique(maintain_order=True).iter_rows()
    ):
        cats[int(l1_id)] = l1
    for cid, name, l1 in categories.select("category_id", "category", "category_l1").iter_rows():
        if name != l1:
            cats[int(cid)] = f"{l1} › {name}"
    return Options(
        first_month=first,
        last_month=last,
        municipalities={c: names.get(c, c) for c in sorted(codes)},
        categories=cats,
    )


def period_choices(opts: Options) -> list[str]:
    """Years (newest first), then their quarters, as tokens."""
    years = list(range(opts.last_month.year, opts.first_month.year - 1, -1))
    out = [str(y) for y in years]
    for y in years:
        for q in (4, 3, 2, 1):
            tok = f"{y}-K{q}"
            if period_token_to_range(tok, opts):
                out.append(tok)
    return out


def period_label(token: str, f: Filters) -> str:
    """Human label of the selected period in the user's language, e.g. '2026 (jan–sep)' or
    '2025 K3' ('2025 Q3' in English)."""
    if re.fullmatch(r"\d{4}", token):
        full = f.n_months == 12
        return token if full else f"{token} ({fmt.month(f.start.month)}–{fmt.month(f.end.month)})"
    return (
        _token_label(token)
        if re.fullmatch(r"\d{4}-K[1-4]", token)
        else (f"{fmt.month_year(f.start)}–{fmt.month_year(f.end)}")
    )


def _token_label(token: str) -> str:
    """A period choice as the user reads it: ``2025``, ``2025 K3`` / ``2025 Q3``."""
    m = re.fullmatch(r"(\d{4})-K([1-4])", token)
    return fmt.quarter(int(m[1]), int(m[2])) if m else token


def _write_url(params: dict[str, list[str]]) -> None:
    """The filters' parameters (``KEYS``) in the URL as ``params``; every other parameter
    left as it is. A page's tab is bound to ``?fane=``, and Streamlit refuses to set a
    bound parameter directly: rewriting the whole query (``from_dict``) made a change of
    filter on any tab but the first an error page."""
    current = {k: st.query_params.get_all(k) for k in KEYS if st.query_params.get_all(k)}
    for gone in [k for k in current if k not in params]:
        del st.query_params[gone]
    changed = {k: v for k, v in params.items() if current.get(k) != v}
    if changed:
        st.query_params.update(changed)


def sidebar_filters(opts: Options) -> tuple[Filters, str]:
    """Render the global filters in the sidebar; URL and widgets stay in step both ways."""
    ss = st.session_state
    url = {k: st.query_params.get_all(k) for k in KEYS if st.query_params.get_all(k)}
    # A widget's on_change marks a deliberate change: then the widgets win and the URL follows.
    # Otherwise a non-empty URL is the truth (an opened link, a reload, a rerun that raced the
    # browser); an empty URL after a page switch keeps the widgets.
    user_changed = ss.pop("_f_changed", False)
    if (url and not user_changed) or "f_periode" not in ss:
        f, token = parse_filters(url, opts)
        custom = not re.fullmatch(r"\d{4}(-K[1-4])?", token)
        ss["f_periode"] = "custom" if custom else token
        ss["f_fra"], ss["f_til"] = f.start, f.end
        ss["f_kommune"] = list(f.municipalities)
        ss["f_kategori"] = list(f.categories)
        ss["f_omrade"] = f.area

    sb = st.sidebar
    choices = [*period_choices(opts), "custom"]
    if ss["f_periode"] not in choices:
        ss["f_periode"] = opts.default_period
    sb.selectbox(
        t("Periode"),
        choices,
        key="f_periode",
        on_change=_changed,
        format_func=lambda c: t("Fra–til …") if c == "custom" else _token_label(c),
    )
    months = []
    m = opts.first_month
    while m <= opts.last_month:
        months.append(m)
        m = add_months(m, 1)
    if ss["f_periode"] == "custom":
        c1, c2 = sb.columns(2)
        if ss.get("f_fra") not in months:
            ss["f_fra"] = months[0]
        if ss.get("f_til") not in months:
            ss["f_til"] = months[-1]
        c1.selectbox(t("Fra"), months, key="f_fra", format_func=fmt.month_year, on_change=_changed)
        c2.selectbox(t("Til"), months, key="f_til", format_func=fmt.month_year, on_change=_changed)
        start, end = sorted((ss["f_fra"], ss["f_til"]))
        token = f"{start:%Y-%m}_{end:%Y-%m}"
    else:
        token = ss["f_periode"]
    sb.multiselect(
        t("Kommuner"),
        list(opts.municipalities),
        key="f_kommune",
        on_change=_changed,
        format_func=lambda c: opts.municipalities.get(c, c),
        placeholder=t("Alle kommuner"),
    )
    sb.multiselect(
        t("Kategorier"),
        list(opts.categories),
        key="f_kategori",
        on_change=_changed,
        format_func=lambda c: opts.categories.get(c, str(c)),
        placeholder=t("Alle kategorier"),
    )
    sb.segmented_control(
        t("Område"),
        list(AREAS),
        key="f_omrade",
        on_change=_changed,
        format_func=lambda a: {
            "drift": t("Drift"),
            "investering": t("Investering"),
            "alle": t("Alle"),
        }[a],
    )
    params = {
        "periode": [token],
        "kommune": list(ss["f_kommune"]),
        "kategori": [str(c) for c in ss["f_kategori"]],
        "omrade": [ss["f_omrade"] or "drift"],
    }
    f, token = parse_filters(params, opts)
    written = to_params(f, token)
    _write_url(written)
    return f, token


def _changed() -> None:
    st.session_state["_f_changed"] = True
