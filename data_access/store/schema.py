"""The database schema (SQLAlchemy Core), the single description of every table.

Amounts are stored as integer øre (``*_ore`` columns, BigInteger): sums are exact on every
backend, SQLite has no decimal type, and Polars reads integers fast. Municipality codes are
4-character strings because leading zeros matter (``0301`` Oslo).

Alembic migrations in ``data_access/migrations`` are generated from this metadata; change a table
here, then add a migration (see README, "Schemaendringer").
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for the ledger.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

municipality = sa.Table(
    "municipality",
    metadata,
    sa.Column("code", sa.String(4), primary_key=True, comment="kommunenummer"),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_to", sa.Date, nullable=True, comment="last day the code was in use"),
    sa.Column("current_code", sa.String(4), nullable=False, comment="today's code"),
    sa.Column("county", sa.String(2), nullable=True),
    sa.Column("is_member", sa.Boolean, nullable=False, default=False),
    sa.Column("note", sa.Text, nullable=True),
)

population = sa.Table(
    "population",
    metadata,
    sa.Column("municipality_code", sa.String(4), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("population", sa.Integer, nullable=False),
    sa.Column("source", sa.String(200), nullable=True),
)

category = sa.Table(
    "category",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("category.id"), nullable=True),
    sa.Column("sort", sa.Integer, nullable=False, default=0),
    sa.UniqueConstraint("parent_id", "name", name="uq_category_parent_name"),
)

category_rule = sa.Table(
    "category_rule",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False, comment="supplier | account | nace"),
    sa.Column("supplier_key", sa.String(120), nullable=True),
    sa.Column("art_from", sa.String(3), nullable=True),
    sa.Column("art_to", sa.String(3), nullable=True),
    sa.Column("nace_prefix", sa.String(10), nullable=True),
    sa.Column("category_id", sa.Integer, sa.ForeignKey("category.id"), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, default=100),
    sa.Column("note", sa.Text, nullable=True),
)

art_class = sa.Table(
    "art_class",
    metadata,
    sa.Column("art_from", sa.String(3), primary_key=True),
    sa.Column("art_to", sa.String(3), nullable=False),
    sa.Column(
        "spend_class", sa.String(20), nullable=False, comment="purchase|intra_public|excluded"
    ),
    sa.Column("kostra_group", sa.String(200), nullable=True),
)

supplier = sa.Table(
    "supplier",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "key",
        sa.String(160),
        nullable=False,
        unique=True,
        comment="identity: orgnr:NNNNNNNNN | lnr:KKKK:NR | navn:normalized | privat:KKKK",
    ),
    sa.Column("identity_kind", sa.String(12), nullable=False, comment="orgnr|supplier_no|name"),
    sa.Column("orgnr", sa.String(9), nullable=True, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("register_name", sa.String(200), nullable=True),
    sa.Column("home_municipality", sa.String(4), nullable=True, comment="today's code"),
    sa.Column("country", sa.String(2), nullable=True, comment="ISO code; null = unknown"),
    sa.Column("nace", sa.String(10), nullable=True),
    sa.Column("employees", sa.Integer, nullable=True),
    sa.Column("org_form", sa.String(10), nullable=True),
    sa.Column("parent_orgnr", sa.String(9), nullable=True),
    sa.Column("is_private", sa.Boolean, nullable=False, default=False),
    sa.Column("is_public", sa.Boolean, nullable=False, default=False),
    sa.Column("enriched_at", sa.DateTime, nullable=True),
    sa.Column(
        "private_reason",
        sa.String(12),
        nullable=True,
        comment="fnr | flagg | mistanke (person-like name) | frigitt (released by an admin)",
    ),
    sa.Column(
        "held_name",
        sa.String(200),
        nullable=True,
        comment="a suspected private person's name as written; shown to admins only",
    ),
    sa.Column(
        "is_pseudo",
        sa.Boolean,
        nullable=False,
        default=False,
        server_default=sa.false(),
        comment="a collective post marked by an import profile (not one supplier)",
    ),
)

pseudo_supplier = sa.Table(
    "pseudo_supplier",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False, comment="name | number | pattern"),
    sa.Column("value", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.UniqueConstraint("kind", "value", name="uq_pseudo_supplier_kind_value"),
)

supplier_alias = sa.Table(
    "supplier_alias",
    metadata,
    sa.Column("supplier_id", sa.Integer, sa.ForeignKey("supplier.id"), primary_key=True),
    sa.Column("alias", sa.String(200), primary_key=True),
    sa.Column("n_lines", sa.Integer, nullable=False, default=0),
)

supplier_location = sa.Table(
    "supplier_location",
    metadata,
    sa.Column("orgnr", sa.String(9), primary_key=True, comment="sub-unit orgnr"),
    sa.Column("parent_orgnr", sa.String(9), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column(
        "municipality", sa.String(4), nullable=True, comment="beliggenhetsadresse, today's code"
    ),
    sa.Column("nace", sa.String(10), nullable=True),
    sa.Column("employees", sa.Integer, nullable=True),
)

agreement = sa.Table(
    "agreement",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ref", sa.String(60), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("category_id", sa.Integer, sa.ForeignKey("category.id"), nullable=True),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date, nullable=False, comment="end of the current term"),
    sa.Column("end_with_options", sa.Date, nullable=True, comment="latest end if all options used"),
    sa.Column("estimated_annual_value_ore", sa.BigInteger, nullable=True),
    sa.Column("savings_rate", sa.Float, nullable=True, comment="r, 0 < r < 1"),
    sa.Column("projected_saving_ore", sa.BigInteger, nullable=True, comment="absolute, per year"),
    sa.Column(
        "savings_type", sa.String(12), nullable=False, default="hard", comment="hard|avoidance"
    ),
    sa.Column("owner", sa.String(120), nullable=True),
    sa.Column("baseline_note", sa.Text, nullable=True),
)

agreement_supplier = sa.Table(
    "agreement_supplier",
    metadata,
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), primary_key=True),
    sa.Column("orgnr", sa.String(9), primary_key=True),
)

agreement_municipality = sa.Table(
    "agreement_municipality",
    metadata,
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), primary_key=True),
    sa.Column("municipality_code", sa.String(4), primary_key=True, comment="today's code"),
)

threshold = sa.Table(
    "threshold",
    metadata,
    sa.Column("valid_from", sa.Date, primary_key=True),
    sa.Column("regulation_lower_limit_nok", sa.BigInteger, nullable=False),
    sa.Column("national_threshold_nok", sa.BigInteger, nullable=False),
    sa.Column("eea_threshold_municipal_goods_services_nok", sa.BigInteger, nullable=False),
    sa.Column("eea_threshold_works_nok", sa.BigInteger, nullable=False),
    sa.Column("source", sa.Text, nullable=True),
)

import_batch = sa.Table(
    "import_batch",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("file_name", sa.String(300), nullable=False),
    sa.Column("file_hash", sa.String(64), nullable=False, index=True),
    sa.Column("imported_by", sa.String(80), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("profile", sa.String(80), nullable=True),
    sa.Column("rows_read", sa.Integer, nullable=False, default=0),
    sa.Column("rows_stored", sa.Integer, nullable=False, default=0),
    sa.Column("rows_quarantined", sa.Integer, nullable=False, default=0),
    sa.Column("rows_excluded", sa.Integer, nullable=False, default=0),
    sa.Column("report_json", sa.Text, nullable=True, comment="counts per reason"),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
)

ledger_line = sa.Table(
    "ledger_line",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batch.id"), nullable=False),
    sa.Column("line_hash", sa.String(40), nullable=False, unique=True),
    sa.Column("municipality_code", sa.String(4), nullable=False, comment="buyer, code at the time"),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("supplier_id", sa.Integer, sa.ForeignKey("supplier.id"), nullable=False),
    sa.Column("supplier_orgnr_raw", sa.String(40), nullable=True),
    sa.Column("supplier_name_raw", sa.String(200), nullable=True),
    sa.Column("supplier_no", sa.String(40), nullable=True),
    sa.Column("account", sa.String(20), nullable=False),
    sa.Column("art", sa.String(3), nullable=False),
    sa.Column("function", sa.String(10), nullable=True),
    sa.Column("amount_ore", sa.BigInteger, nullable=False, comment="NOK excl. VAT × 100"),
    sa.Column("invoice_id", sa.String(60), nullable=True),
    sa.Column("ehandel", sa.Boolean, nullable=False, default=False),
    sa.Column("contract_ref", sa.String(60), nullable=True),
    sa.Column("area", sa.String(12), nullable=False, default="drift"),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("spend_class", sa.String(20), nullable=False),
    sa.Column("category_id", sa.Integer, sa.ForeignKey("category.id"), nullable=False),
    sa.Column("category_rule", sa.String(40), nullable=False, comment="rule that decided"),
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), nullable=True),
    sa.Index("ix_ledger_muni_date", "municipality_code", "date"),
    sa.Index("ix_ledger_batch", "batch_id"),
    # Detail queries (migration 0007): one category's newest lines in a period (drill-down),
    # one supplier's lines in a window (threshold flags).
    sa.Index("ix_ledger_category_date", "category_id", "date"),
    sa.Index("ix_ledger_supplier_date", "supplier_id", "date"),
)

spend_cube = sa.Table(
    "spend_cube",
    metadata,
    sa.Column("month", sa.Date, nullable=False, comment="first day of month"),
    sa.Column("municipality_code", sa.String(4), nullable=False),
    sa.Column("supplier_id", sa.Integer, nullable=False),
    sa.Column("category_id", sa.Integer, nullable=False),
    sa.Column("area", sa.String(12), nullable=False),
    sa.Column("spend_class", sa.String(20), nullable=False),
    sa.Column("ehandel", sa.Boolean, nullable=False),
    sa.Column("agreement_id", sa.Integer, nullable=True),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("n_lines", sa.Integer, nullable=False),
    sa.Index("ix_cube_muni_month", "municipality_code", "month"),
    # A period across every municipality in scope (the national pushdown queries, see pushdown).
    sa.Index("ix_cube_month", "month"),
)

spend_rollup = sa.Table(
    "spend_rollup",
    metadata,
    sa.Column("month", sa.Date, nullable=False, comment="first day of month"),
    sa.Column("municipality_code", sa.String(4), nullable=False),
    sa.Column("category_id", sa.Integer, nullable=False),
    sa.Column("area", sa.String(12), nullable=False),
    sa.Column("spend_class", sa.String(20), nullable=False),
    sa.Column("amount_ore", sa.BigInteger, nullable=False),
    sa.Column("n_lines", sa.BigInteger, nullable=False),
    # spend_cube summed over supplier, e-handel and agreement, kept in the same transaction as
    # the cube (store.cube): what the national pushdown queries read when a figure needs none
    # of those (spend per municipality, categories, the quarterly history, the month ×
    # municipality × category rows of Kommuner og kategorier).
    sa.Index("ix_rollup_muni_month", "municipality_code", "month"),
    sa.Index("ix_rollup_month", "month"),
)

quarantine_row = sa.Table(
    "quarantine_row",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batch.id"), nullable=False, index=True),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("municipality_code", sa.String(4), nullable=True),
    sa.Column("raw_json", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False, default=False),
)

mapping_profile = sa.Table(
    "mapping_profile",
    metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("definition_toml", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=True),
)

app_user = sa.Table(
    "app_user",
    metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("password_hash", sa.String(100), nullable=False),
    sa.Column("role", sa.String(12), nullable=False, comment="admin|analyst|leder|kommune"),
    sa.Column("municipalities", sa.String(200), nullable=True, comment="comma-separated codes"),
    sa.Column("line_detail", sa.Boolean, nullable=False, default=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column(
        "token_version",
        sa.Integer,
        nullable=False,
        default=0,
        server_default="0",
        comment="bumped by logout, password change, deactivation: ends every login cookie",
    ),
)

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True, comment="user:<name> or ip:<address>"),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_failure_at", sa.DateTime, nullable=False),
    sa.Column("next_try_at", sa.DateTime, nullable=True, comment="growing delay between tries"),
    sa.Column("locked_until", sa.DateTime, nullable=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
)

app_setting = sa.Table(
    "app_setting",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

deck = sa.Table(
    "deck",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True, comment="random token used in links"),
    sa.Column("owner", sa.String(80), nullable=False, index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False, default=False, comment="others may view"),
    sa.Column("slides_json", sa.Text, nullable=False, comment='[{"chart": id, "params": {}}]'),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
