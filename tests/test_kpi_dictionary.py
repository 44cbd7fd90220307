"""The KPI dictionary as an editable sheet: round trip and cell-by-cell validation."""

import pytest

from kpicore.metrics.dictionary import (CORE_KPIS, DEFAULT_DICTIONARY, SHEET_FR, dictionary_frame,
                                    read_dictionary)


def test_five_core_kpis_with_their_kind():
    assert CORE_KPIS == ("qualified_meetings_per_week", "proposals_per_month", "proposal_conversion",
                         "average_deal_size", "sales_cycle_days")
    assert [DEFAULT_DICTIONARY[k].horizon for k in CORE_KPIS] == ["leading"] * 2 + ["lagging"] * 3
    assert DEFAULT_DICTIONARY.threshold("proposal_conversion", "alert_below") == 0.25
    assert DEFAULT_DICTIONARY["sales_cycle_days"].direction == "down"


def test_round_trip_without_edits():
    dictionary, issues = read_dictionary(dictionary_frame())
    assert issues == [] and dictionary == DEFAULT_DICTIONARY


def test_french_headers_are_read_too():
    from kpicore.metrics.dictionary import COLUMNS_FR
    frame = dictionary_frame().rename(columns=COLUMNS_FR)
    dictionary, issues = read_dictionary(frame)
    assert issues == [] and dictionary == DEFAULT_DICTIONARY


def test_valid_edits_are_kept():
    frame = dictionary_frame().astype({"alert_below": object})
    row = frame.index[frame["id"] == "proposal_conversion"][0]
    frame.at[row, "alert_below"] = "30 %"
    frame.at[row, "label_fr"] = "Transfo"
    frame.at[row, "review"] = "hebdomadaire, mensuelle"
    frame.at[row, "direction"] = "hausse"
    dictionary, issues = read_dictionary(frame)
    assert issues == []
    d = dictionary["proposal_conversion"]
    assert (d.threshold("alert_below"), d.label_fr, d.review) == (0.30, "Transfo", ("weekly", "monthly"))


def test_a_malformed_cell_costs_that_cell_only():
    frame = dictionary_frame().astype({"alert_below": object, "min_count": object})
    row = frame.index[frame["id"] == "proposal_conversion"][0]
    frame.at[row, "alert_below"] = "beaucoup"
    frame.at[row, "min_count"] = 8  # a valid edit in the same row
    frame.at[row, "unit"] = "eur"  # structural: refused
    frame.at[row, "direction"] = "sideways"
    dictionary, issues = read_dictionary(frame)
    d = dictionary["proposal_conversion"]
    assert d.threshold("alert_below") == 0.25 and d.threshold("min_count") == 8
    assert d.unit == "fraction" and d.direction == "up"
    assert sorted(i.column for i in issues) == ["Sens", "Unité", "alert_below"]
    bad = next(i for i in issues if i.column == "alert_below")
    # the row as Excel shows it: header on row 1, then one row per KPI
    assert (bad.sheet, bad.row, bad.value) == (SHEET_FR, row + 2, "beaucoup")
    assert "25 %" in bad.fix


@pytest.mark.parametrize("cell, expected", [(0.4, 0.4), (40, 0.4), ("40%", 0.4), ("0,4", 0.4), ("140 %", None),
                                            (-0.1, None), (True, None)])
def test_fraction_thresholds(cell, expected):
    frame = dictionary_frame().astype({"alert_below": object})
    row = frame.index[frame["id"] == "proposal_conversion"][0]
    frame.at[row, "alert_below"] = cell
    dictionary, issues = read_dictionary(frame)
    got = dictionary.threshold("proposal_conversion", "alert_below")
    assert got == pytest.approx(expected if expected is not None else 0.25)
    assert (len(issues) == 0) == (expected is not None)


def test_unknown_kpi_rows_are_reported_and_missing_rows_keep_defaults():
    frame = dictionary_frame()
    frame = frame[frame["id"] != "win_rate"].copy()
    frame.loc[0, "id"] = "made_up"
    dictionary, issues = read_dictionary(frame)
    assert dictionary == DEFAULT_DICTIONARY  # the made-up row replaced the first KPI's row: default kept
    assert [i.value for i in issues] == ["made_up"]
