"""Muligheter figures tested as data: traces, values, ranges, escaping, axis titles."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from charts import opportunities as charts
from charts.a11y import plain
from charts.lang import using
from data_access.metrics import opportunities as op


def _ranked() -> pl.DataFrame:
    return op.rank(
        pl.DataFrame(
            {
                "category_id": [1, 2, 3],
                "category": ["<b>Kontor</b>", "Renhold", "Energi"],
                "category_l1": ["Forbruksvarer", "Tjenester", "Transport og energi"],
                "addressable_12m": [10_000_000.0, 4_000_000.0, 500_000.0],
                "addressable_48m": [40_000_000.0, 15_000_000.0, 2_000_000.0],
                "members": [5, 3, 1],
                "members_total": [5, 5, 5],
                "suppliers": [37, 8, 1],
                "suppliers_single": [12, 5, 1],
                "threshold_status": ["eea_12", "eea_48", "regulation"],
                "joint": [True, True, True],
                "expiring": [1, 0, 0],
                "n_agreements": [2, 0, 0],
                "rate": [0.2, 0.05, 0.05],
                "rate_low": [0.1, 0.03, 0.03],
                "rate_high": [0.25, 0.08, 0.08],
                "rate_source": ["agreements", "default", "default"],
                "potential": [2_500_000.0, 4e6 * 0.05 / 0.95, 5e5 * 0.05 / 0.95],
                "potential_low": [10e6 * 0.1 / 0.9, 4e6 * 0.03 / 0.97, 5e5 * 0.03 / 0.97],
                "potential_high": [10e6 * 0.25 / 0.75, 4e6 * 0.08 / 0.92, 5e5 * 0.08 / 0.92],
            }
        )
    )


def test_scatter_has_one_trace_per_threshold_status_with_ranges_and_escaped_names() -> None:
    fig = charts.potential_vs_addressable(_ranked(), title="T").to_plotly_json()
    names = [t["name"] for t in fig["data"]]
    assert names == ["Over EØS-terskel (12 mnd.)", "Over EØS-terskel (48 mnd.)", "Over 100 000 kr"]
    top = fig["data"][0]
    assert list(top["x"]) == [10.0] and list(top["y"]) == [2.5]  # mill. kr
    assert list(top["error_y"]["array"]) == pytest.approx([10 * 0.25 / 0.75 - 2.5])
    assert list(top["error_y"]["arrayminus"]) == pytest.approx([2.5 - 10 * 0.1 / 0.9])
    assert list(top["marker"]["size"]) == [40]  # all 5 members buy: the largest bubble
    notes = fig["layout"]["annotations"]
    assert [plain(a["text"]) for a in notes] == [
        "1. &lt;b&gt;Kontor&lt;/b&gt;",  # escaped; wrapped for phones
        "2. Renhold",
        "3. Energi",
    ]
    assert (notes[0]["x"], notes[0]["y"]) == pytest.approx((10.0, 2.5))  # the line's end
    assert "<b>Kontor" not in str(top["customdata"])
    assert "anslag" in fig["layout"]["yaxis"]["title"]["text"]
    assert fig["layout"]["xaxis"]["title"]["text"].startswith("Kjøp utenfor avtale")


def test_names_of_close_categories_are_stacked_apart_each_with_a_line_to_its_bubble() -> None:
    """Three categories with almost the same spend and potential (a national scope's are
    alike): as text beside the bubbles their names were drawn over one another. Each name
    now stands at least a label's height (a share of the y range) below the one above it,
    with a line to its own bubble, stacked from the highest potential down; a name of three
    lines is cut to the two the gap is made for."""
    ranked = _ranked().with_columns(
        addressable_12m=pl.Series([10.0e6, 9.9e6, 9.8e6]),
        potential=pl.Series([2.50e6, 2.49e6, 2.48e6]),
        category=pl.Series(["Kjøp av tjenester fra private", "Renhold", "Energi"]),
    )
    for presentation in (False, True):
        fig = charts.potential_vs_addressable(
            ranked, title="T", presentation=presentation
        ).to_plotly_json()
        notes = fig["layout"]["annotations"]
        assert [plain(a["text"])[:2] for a in notes] == ["1.", "2.", "3."]
        assert all(a["text"].count("<br>") <= 1 for a in notes)
        assert notes[0]["text"].endswith("…")  # "Kjøp av tjenester fra private" wraps to three
        low = min(ranked["potential_low"]) / 1e6  # the axis reaches the ranges' ends
        span = max(ranked["potential_high"]) / 1e6 - low
        heights = [a["ay"] for a in notes]
        for upper, lower in itertools.pairwise(heights):
            assert upper - lower >= span * (0.24 if presentation else 0.14) - 1e-9
        assert min(heights) >= low - 1e-9  # inside the axis
        assert [a["x"] for a in notes] == pytest.approx([10.0, 9.9, 9.8])
        assert [a["y"] for a in notes] == pytest.approx([2.5, 2.49, 2.48])
        assert all(a["showarrow"] and a["ayref"] == "y" for a in notes)
        # drawn over a neighbouring bubble, a name keeps a near-white background of its own
        assert all(a["bgcolor"] == "rgba(255, 255, 255, 0.85)" for a in notes)


def test_target_gap_chart_stacks_the_candidates_on_the_baseline_under_the_target() -> None:
    by_year = pl.DataFrame(
        {
            "year": [2026, 2027],
            "baseline": [4_800_000.0, 4_800_000.0],
            "added": [0.0, 2_250_000.0],
            "total": [4_800_000.0, 7_050_000.0],
            "target": [7_500_000.0, 7_500_000.0],
        }
    )
    fig = charts.target_gap_by_year(by_year, title="T", start_label="1. mars 2027")
    j = fig.to_plotly_json()
    assert j["layout"]["barmode"] == "stack"
    assert [list(t["y"]) for t in j["data"]] == [[4.8, 4.8], [0.0, 2.25]]
    assert j["data"][1]["name"] == "Anslag for kandidatene fra 1. mars 2027"
    assert [s["y0"] for s in j["layout"]["shapes"]] == [7.5]


def test_ranked_table_formats_and_marks_estimates() -> None:
    t = charts.ranked_table(_ranked())
    assert t.columns[:4] == ["Rang", "Kategori", "Potensial (anslag)", "Spenn (anslag)"]
    row = t.row(0, named=True)
    assert row["Rang"] == 1 and row["Kommuner"] == "5 av 5"
    assert row["Potensial (anslag)"] == "2,50\xa0mill.\xa0kr"
    assert row["Sats r"] == "20,0\xa0% (egne avtaler)"
    assert row["Begrunnelse"].startswith("5 av 5 kommuner kjøper, 37 leverandører")


def test_ranked_table_and_gap_chart_in_english() -> None:
    """``lang=en``: English headings, numbers and texts made from the metrics' values."""
    with using("en"):
        t = charts.ranked_table(_ranked())
        gap = charts.target_gap_by_year(
            pl.DataFrame(
                {"year": [2026], "baseline": [4.8e6], "added": [0.0], "total": [4.8e6]},
            ).with_columns(target=pl.lit(7.5e6)),
            title="T",
            start_label="1 March 2027",
        ).to_plotly_json()
    assert t.columns[:4] == ["Rank", "Category", "Potential (estimate)", "Range (estimate)"]
    row = t.row(0, named=True)
    assert row["Municipalities"] == "5 of 5"
    assert row["Potential (estimate)"] == "NOK\xa02.50\xa0million"
    assert row["Rate r"] == "20.0% (own agreements)"
    assert row["Threshold"] == "Above the EEA threshold jointly (12 months)"
    assert row["Reasons"].startswith("5 of 5 municipalities buy, 37 suppliers (12 used by only")
    assert [d["name"] for d in gap["data"]] == [
        "Expected realized savings (today's agreements)",
        "Estimate for the candidates from 1 March 2027",
    ]
    assert gap["layout"]["yaxis"]["title"]["text"] == "NOK million a year"
