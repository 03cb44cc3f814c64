"""Savings of agreements (PRODUCT.md §4): the factor that turns matched spend into saving.

For a savings rate r the spend at agreement prices would have cost spend/(1 − r) at baseline
prices, so the saving is spend × r/(1 − r). An agreement given as an absolute projected saving P
on an estimated annual value E saves matched spend × P/E.
"""

from __future__ import annotations

import polars as pl


def savings_factors(agreements: pl.DataFrame) -> pl.DataFrame:
    """agreement_id, factor, savings_type for each agreement.

    >>> ag = pl.DataFrame({"id": [1, 2], "savings_rate": [0.2, None],
    ...   "projected_saving_ore": [None, 50_000_00], "estimated_annual_value_ore": [None, 1_000_000_00],
    ...   "savings_type": ["hard", "avoidance"]})
    >>> savings_factors(ag)["factor"].to_list()
    [0.25, 0.05]
    """
    rate = pl.col("savings_rate")
    return agreements.select(
        agreement_id=pl.col("id").cast(pl.Int64),
        factor=pl.when(rate.is_not_null() & (rate > 0) & (rate < 1))
        .then(rate / (1 - rate))
        .when(pl.col("estimated_annual_value_ore") > 0)
        .then(
            pl.col("projected_saving_ore").cast(pl.Float64)
            / pl.col("estimated_annual_value_ore").cast(pl.Float64)
        )
        .otherwise(0.0)
        .fill_null(0.0),
        savings_type=pl.col("savings_type"),
    )


def with_realized(frame: pl.DataFrame, factors: pl.DataFrame) -> pl.DataFrame:
    """Add ``realized`` (NOK) to cube rows: matched amount × the agreement's factor."""
    return frame.join(factors, on="agreement_id", how="left", maintain_order="left").with_columns(
        realized=pl.col("amount") * pl.col("factor").fill_null(0.0)
    )
