"""Registered sub-units (underenheter) of suppliers, for the sub-unit-location view.

Filled from Enhetsregisteret's sub-unit file (``overordnetEnhet``,
``beliggenhetsadresse.kommunenummer``); empty until someone imports it, in which case the
regional page shows the head-office view only and says so.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import read_frame


def load_supplier_locations(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    """parent_orgnr, orgnr, name, municipality (today's code) of every known sub-unit."""
    t = schema.supplier_location
    return read_frame(conn, sa.select(t.c.parent_orgnr, t.c.orgnr, t.c.name, t.c.municipality))
