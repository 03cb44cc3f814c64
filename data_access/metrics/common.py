"""What every figure starts from: the purchase rows in the filters, and the yearly target
prorated to the period. One definition each, so no two figures can disagree about them."""

from __future__ import annotations

import polars as pl

from data_access.store.filters import Filters, selection

PURCHASE = pl.col("spend_class") == "purchase"


def purchases(cube: pl.DataFrame, f: Filters, *, period: bool = True) -> pl.DataFrame:
    """The cube's purchase rows (spend class ``purchase``) within the filters; with
    ``period=False`` every month (for timelines and rolling windows).

    >>> import datetime as dt
    >>> cube = pl.DataFrame({"month": [dt.date(2025, 1, 1)] * 2, "spend_class":
    ...     ["purchase", "intra_public"], "municipality_now": ["5038"] * 2,
    ...     "category_id": [1, 1], "category_l1_id": [1, 1], "area": ["drift"] * 2})
    >>> purchases(cube, Filters.year(2025)).height
    1
    """
    return selection(cube, f, period=period, purchase_only=True)


def period_target(yearly_target_nok: float, f: Filters) -> float:
    """The savings target for the filters' period: the yearly target × months / 12.

    >>> import datetime as dt
    >>> period_target(1_200.0, Filters(dt.date(2025, 1, 1), dt.date(2025, 3, 1)))
    300.0
    """
    return yearly_target_nok * f.n_months / 12.0
