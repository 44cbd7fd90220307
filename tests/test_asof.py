"""As-of reconstruction against hand-built histories (kpicore.forecast.asof)."""

from __future__ import annotations

import pandas as pd
import pytest

from kpicore.model import schema
from kpicore.forecast.asof import data_today, pipeline_as_of, reconstruct
from kpicore.model.pipeline_data import PipelineData

T = pd.Timestamp


def _data() -> PipelineData:
    deals = pd.DataFrame({
        "deal_id": ["A", "B", "C", "D", "E"],
        "owner": ["Alice", "Alice", "Bruno", "Bruno", "Bruno"],
        "stage": ["Gagnée", "Qualification", "Prospection", "Perdue", "Proposition"],
        "status": ["won", "open", "open", "lost", "open"],
        "amount": [100.0, 50.0, 70.0, 30.0, 40.0],
        "created_on": [T("2025-01-01"), T("2025-02-10"), T("2025-03-01"), T("2025-01-05"), T("2025-01-10")],
        "closed_on": [T("2025-03-15"), pd.NaT, pd.NaT, T("2025-02-01"), pd.NaT],
        "expected_close_on": [pd.NaT, T("2025-04-30"), T("2025-05-31"), pd.NaT, T("2025-04-15")],
        "probability": [None, 0.2, 0.1, None, 0.5],
    })
    history = pd.DataFrame({
        "deal_id": ["A"] * 5,
        # Négociation then back to Proposition: a regression
        "stage": ["Prospection", "Proposition", "Négociation", "Proposition", "Gagnée"],
        "entered_on": [T("2025-01-01"), T("2025-02-01"), T("2025-02-20"), T("2025-03-01"), T("2025-03-15")],
    })
    snaps = pd.DataFrame({
        "snapshot_on": [T("2025-02-21"), T("2025-02-21")],
        "deal_id": ["A", "E"],
        "stage": ["Négociation", "Perdue"],
        "status": ["open", "lost"],
        "amount": [90.0, 40.0],
        "expected_close_on": [T("2025-03-31"), pd.NaT],
        "probability": [0.6, 0.0],
    })
    return PipelineData(deals=schema.conform(deals, schema.DEALS),
                        stage_history=schema.conform(history, schema.STAGE_HISTORY),
                        pipeline_snapshots=schema.conform(snaps, schema.PIPELINE_SNAPSHOTS))


def _row(p, deal_id: str) -> pd.Series:
    hit = p.deals[p.deals["deal_id"] == deal_id]
    assert len(hit) == 1, deal_id
    return hit.iloc[0]


def test_today_is_the_latest_date_the_data_records():
    # A's close and last stage entry, 2025-03-15, are the latest dates; expected dates are not facts
    assert data_today(_data()) == T("2025-03-15")


def test_deal_created_after_as_of_is_invisible():
    p = pipeline_as_of(_data(), "2025-02-25")
    assert "C" not in set(p.deals["deal_id"])
    assert "C" in set(pipeline_as_of(_data(), "2025-03-01").deals["deal_id"])  # created that day


def test_deal_won_after_as_of_was_open_then_in_its_stage_of_that_day():
    a = _row(pipeline_as_of(_data(), "2025-02-25"), "A")
    assert a["status"] == "open"
    assert pd.isna(a["closed_on"])
    assert a["stage"] == "Négociation" and bool(a["stage_known"])
    assert a["stage_entered_on"] == T("2025-02-20")
    won = _row(pipeline_as_of(_data(), "2025-03-15"), "A")
    assert won["status"] == "won" and won["closed_on"] == T("2025-03-15")


def test_stage_regression_is_followed():
    a = _row(pipeline_as_of(_data(), "2025-03-05"), "A")
    assert a["stage"] == "Proposition"
    assert a["stage_entered_on"] == T("2025-03-01")  # the re-entry, not the first entry of 02-01


def test_deal_lost_before_as_of_is_lost():
    d = _row(pipeline_as_of(_data(), "2025-02-25"), "D")
    assert d["status"] == "lost" and d["closed_on"] == T("2025-02-01")


def test_values_come_from_the_latest_snapshot_on_or_before_as_of():
    after = _row(pipeline_as_of(_data(), "2025-02-25"), "A")
    assert after["amount"] == 90.0 and after["expected_close_on"] == T("2025-03-31")
    assert after["probability"] == pytest.approx(0.6)
    assert not after["from_today"]
    before = _row(pipeline_as_of(_data(), "2025-02-20"), "A")
    assert before["amount"] == 100.0 and before["from_today"]


def test_fields_taken_from_today_are_stated():
    p = pipeline_as_of(_data(), "2025-02-25")
    # B is open without history or snapshot: its stage and values are today's
    b = _row(p, "B")
    assert b["stage"] == "Qualification" and not b["stage_known"]
    assert p.fields_from_today == ("stage", "amount", "expected_close_on", "probability")
    live = pipeline_as_of(_data(), "2025-03-15")
    assert live.fields_from_today == ()


def test_reopened_deal_was_closed_when_the_snapshot_saw_it_closed():
    e = _row(pipeline_as_of(_data(), "2025-02-25"), "E")
    assert e["status"] == "lost"
    assert _row(pipeline_as_of(_data(), "2025-02-20"), "E")["status"] == "open"


def test_reconstruct_open_only_gives_one_row_per_open_deal_and_date():
    dates = [T("2025-01-31"), T("2025-02-25"), T("2025-03-15")]
    r = reconstruct(_data(), dates, open_only=True)
    got = {(d.date().isoformat(), i) for d, i in zip(r["as_of"], r["deal_id"])}
    # 01-31: A (open), D (lost 02-01), E; 02-25: A, B, E (closed per snapshot: kept, status lost);
    # 03-15: B, C, E (A won that day)
    assert got == {("2025-01-31", "A"), ("2025-01-31", "D"), ("2025-01-31", "E"),
                   ("2025-02-25", "A"), ("2025-02-25", "B"), ("2025-02-25", "E"),
                   ("2025-03-15", "B"), ("2025-03-15", "C"), ("2025-03-15", "E")}
    assert list(r["as_of"]) == sorted(r["as_of"])


def test_last_activity_after_as_of_is_hidden():
    data = _data()
    deals = data.deals.copy()
    deals["last_activity_on"] = T("2025-03-10")
    data = data.with_frames(deals=schema.conform(deals, schema.DEALS))
    assert pd.isna(_row(pipeline_as_of(data, "2025-02-25"), "B")["last_activity_on"])
    assert _row(pipeline_as_of(data, "2025-03-12"), "B")["last_activity_on"] == T("2025-03-10")
