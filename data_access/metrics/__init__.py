"""Figures of PRODUCT.md §4 as pure Polars functions over the enriched spend cube (no I/O).

Every page, the CLI and the exports call these, so a figure is the same number everywhere.
"""
