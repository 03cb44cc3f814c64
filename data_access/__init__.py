"""Everything below the pages, by job — each sub-package imports only from the ones under it:

* ``store``     — the database: schema, migrations, engine and settings, access scope, and the
  read functions (cube, invoice lines, reference data, agreements, thresholds, population,
  users). The bottom layer; imports nothing else from here.
* ``metrics``   — the figures of PRODUCT.md §4 as pure Polars on the cube; no I/O.
* ``importing`` — ledger files in: readers, mapping profiles, validation, quarantine,
  classification, enrichment, the transactional import and the data-quality figures.
* ``admin``     — every write path a person triggers in the app: the agreement register and
  savings target, categories and rules, thresholds, population, users; each one audited.
* ``demo``      — the demo-data generator; ``bootstrap`` — first start (migrate, seed, demo,
  first admin). Both sit on top and use the packages above.
"""
