"""Population per municipality code and year (SSB table 07459), as read by the pages.

Stored by the code in use that year (Verran 5039 and Steinkjer 5004 apart in 2019), so both the
historical view and today's structure (summed, ``metrics.spend.population_by_key``) can use it.
Admins edit it through :mod:`data_access.admin.population`.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import read_frame

COLUMNS = ("municipality_code", "year", "population", "source")


def load_population(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    """All rows: municipality_code, name, year, population, source (sorted by code, year)."""
    p, m = schema.population, schema.municipality
    return read_frame(
        conn,
        sa.select(p.c.municipality_code, m.c.name, p.c.year, p.c.population, p.c.source)
        .select_from(p.outerjoin(m, m.c.code == p.c.municipality_code))
        .order_by(p.c.municipality_code, p.c.year),
    )
