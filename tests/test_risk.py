"""Deals at risk on hand-built deals, one reason each (kpicore.forecast.risk)."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pandas as pd
import pytest

from kpicore.text.catalogue import render
from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.risk import deals_at_risk, risks_json

T = pd.Timestamp
D = pd.Timedelta
AS_OF = T("2025-06-30")


def _data(next_steps: bool = True) -> PipelineData:
    deals, hist, acts = [], [], []
    # 20 won deals of the past: 10 days in Proposition each, an activity every 5 days
    for i in range(20):
        start = T("2025-01-01") + D(days=7 * i)
        deals.append(dict(deal_id=f"H{i:02d}", owner="Alice", stage="Gagnée", status="won", amount=1000.0,
                          created_on=start, closed_on=start + D(days=10), next_step="Facturer"))
        hist += [dict(deal_id=f"H{i:02d}", stage="Proposition", entered_on=start),
                 dict(deal_id=f"H{i:02d}", stage="Gagnée", entered_on=start + D(days=10))]
        acts += [dict(date=start + D(days=k), rep="Alice", type="follow_up", deal_id=f"H{i:02d}") for k in (0, 5, 10)]

    def open_deal(deal_id, amount, entered, last_act, expected, next_step="Relancer"):
        deals.append(dict(deal_id=deal_id, owner="Bruno", stage="Proposition", status="open", amount=amount,
                          created_on=T("2025-05-01"), expected_close_on=T(expected), next_step=next_step))
        hist.append(dict(deal_id=deal_id, stage="Proposition", entered_on=T(entered)))
        acts.append(dict(date=T(last_act), rep="Bruno", type="call", deal_id=deal_id))

    open_deal("STUCK", 6000.0, "2025-06-01", "2025-06-28", "2025-07-31")  # 29 days in stage > 10
    open_deal("LATE", 5000.0, "2025-06-25", "2025-06-29", "2025-06-20")  # expected 10 days ago
    open_deal("SILENT", 4000.0, "2025-06-25", "2025-06-10", "2025-07-31")  # 20 days without activity > 5
    open_deal("PUSHED", 3000.0, "2025-06-25", "2025-06-29", "2025-07-31")
    open_deal("CUT", 8000.0, "2025-06-25", "2025-06-29", "2025-07-31")
    open_deal("NOSTEP", 1000.0, "2025-06-25", "2025-06-29", "2025-07-31", next_step=None if next_steps else None)
    open_deal("FINE", 9000.0, "2025-06-25", "2025-06-29", "2025-07-31")
    if not next_steps:
        for d in deals:
            d["next_step"] = None
    snaps = []
    for day, pushed, cut in (("2025-06-06", "2025-07-10", 10000.0), ("2025-06-13", "2025-07-20", 10000.0),
                             ("2025-06-20", "2025-07-31", 10000.0)):
        snaps.append(dict(snapshot_on=T(day), deal_id="PUSHED", status="open", amount=3000.0,
                          expected_close_on=T(pushed)))
        snaps.append(dict(snapshot_on=T(day), deal_id="CUT", status="open", amount=cut,
                          expected_close_on=T("2025-07-31")))
        snaps.append(dict(snapshot_on=T(day), deal_id="FINE", status="open", amount=9000.0,
                          expected_close_on=T("2025-07-31")))
    # an activity on as_of makes it the date of the data
    acts.append(dict(date=AS_OF, rep="Alice", type="call", deal_id=None))
    return PipelineData(
        deals=schema.conform(pd.DataFrame(deals), schema.DEALS),
        stage_history=schema.conform(pd.DataFrame(hist), schema.STAGE_HISTORY),
        activities=schema.conform(pd.DataFrame(acts), schema.ACTIVITIES),
        pipeline_snapshots=schema.conform(pd.DataFrame(snaps), schema.PIPELINE_SNAPSHOTS),
    )


def _reasons(report) -> dict[str, tuple[str, ...]]:
    return dict(zip(report.deals["deal_id"], report.deals["reasons"]))


def test_each_hand_built_deal_gets_its_reason_and_only_it():
    report = deals_at_risk(_data())
    assert report.as_of == AS_OF and report.n_open == 7
    assert _reasons(report) == {
        "STUCK": ("stuck_in_stage",),
        "LATE": ("close_date_passed",),
        "SILENT": ("no_activity",),
        "PUSHED": ("close_date_pushed",),
        "CUT": ("amount_cut",),
        "NOSTEP": ("no_next_step",),
    }
    # the thresholds are the company's: stays of 10 days, activities every 5 days
    assert report.stage_days["Proposition"] == 10.0
    assert report.activity_days["Proposition"] == 5.0


def test_reasons_are_in_french_with_their_numbers():
    deals = deals_at_risk(_data()).deals
    text = dict(zip(deals["deal_id"], (render(m) for m in deals["reasons_message"])))
    assert text["STUCK"] == "Bloquée en Proposition depuis 29 jours (75\u00a0% des affaires en sortent en 10 jours)"
    assert text["LATE"] == "Date de signature prévue dépassée de 10 jours"
    assert text["SILENT"].startswith("Aucune activité depuis 20 jours")
    assert text["PUSHED"] == "Date de signature repoussée 2 fois"
    assert text["CUT"] == "Montant réduit de 20\u00a0% (de 10\u202f000\u00a0€ à 8\u202f000\u00a0€)"
    assert text["NOSTEP"] == "Pas de prochaine étape"


def test_ranked_by_value_at_risk():
    report = deals_at_risk(_data())
    assert list(report.deals["deal_id"]) == ["CUT", "STUCK", "LATE", "SILENT", "PUSHED", "NOSTEP"]
    # with calibrated probabilities the value at risk is amount × probability: CUT 8000 × 0.1 = 800
    # falls behind STUCK 6000 × 0.5 = 3000 and LATE 5000 × 0.5 = 2500; missing probabilities count 1
    probs = pd.Series({"CUT": 0.1, "STUCK": 0.5, "LATE": 0.5, "SILENT": 0.5, "PUSHED": 0.5, "NOSTEP": 0.5})
    weighted = deals_at_risk(_data(), probabilities=probs)
    assert list(weighted.deals["deal_id"]) == ["STUCK", "LATE", "SILENT", "PUSHED", "CUT", "NOSTEP"]
    assert weighted.deals["value_at_risk"].tolist() == [3000.0, 2500.0, 2000.0, 1500.0, 800.0, 500.0]


def test_no_next_step_is_not_a_reason_when_the_company_never_fills_it():
    assert "NOSTEP" not in set(deals_at_risk(_data(next_steps=False)).deals["deal_id"])


def test_a_past_as_of_uses_what_was_known_then():
    # on 2025-06-15 the close date of LATE (06-20) had not passed, STUCK was 14 days in stage (> 10),
    # PUSHED had been pushed once (07-10 -> 07-20: routine, not yet a reason), CUT not cut yet;
    # the activities of late June were not known yet, so silence is flagged everywhere
    reasons = _reasons(deals_at_risk(_data(), "2025-06-15"))
    assert "close_date_passed" not in reasons["LATE"]
    assert "stuck_in_stage" in reasons["STUCK"]
    assert "close_date_pushed" not in reasons["PUSHED"]
    assert "amount_cut" not in reasons["CUT"]
    assert all("no_activity" in r for r in reasons.values())


def test_owners_limit_the_view_and_json_follows_its_schema():
    assert deals_at_risk(_data(), owners=frozenset({"Alice"})).deals.empty
    data = _data()
    doc = risks_json(deals_at_risk(data), source=data.source, text=render)
    schema_doc = json.loads(resources.files("kpicore.model.json_schemas").joinpath("risks.v3.json").read_text())
    jsonschema.validate(doc, schema_doc)
    assert [d["deal_id"] for d in doc["deals"]][:2] == ["CUT", "STUCK"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "deals": [{**doc["deals"][0], "reasons": []}]}, schema_doc)


def test_no_activity_linked_to_any_deal_does_not_crash(demo_data):
    """Teams that log activities without a deal number: risks still come from the other reasons."""
    from kpicore.forecast.risk import deals_at_risk as _risks

    acts = demo_data.activities.copy()
    acts["deal_id"] = None
    data = demo_data.with_frames(activities=acts.astype({"deal_id": "string"}))
    report = _risks(data, "2026-11-20")
    open_now = (demo_data.deals["status"] == "open").sum()
    assert 0 < len(report.deals) <= open_now
    assert report.deals["deal_id"].is_unique


def test_reasons_read_in_english_with_the_same_numbers():
    deals = deals_at_risk(_data()).deals
    text = dict(zip(deals["deal_id"], (render(m, "en") for m in deals["reasons_message"])))
    assert text["STUCK"] == "Stuck in Proposition for 29 days (75% of deals move on within 10 days)"
    assert text["LATE"] == "Expected close date passed 10 days ago"
    assert text["SILENT"].startswith("No activity for 20 days (usual in ")
    assert text["PUSHED"] == "Expected close date pushed back 2 times"
    assert text["CUT"] == "Amount cut by 20% (from €10,000 to €8,000)"
    assert text["NOSTEP"] == "No next step"


def test_several_reasons_are_joined_the_way_each_language_joins_them():
    from kpicore.model.message_lists import chained
    from kpicore.model.messages import Message

    two = chained("risk.list", [Message.of("risk.detail.no_next_step"),
                                Message.of("risk.detail.close_date_pushed", pushes=3)])
    assert render(two, "fr") == "Pas de prochaine étape ; Date de signature repoussée 3 fois"
    assert render(two, "en") == "No next step; Expected close date pushed back 3 times"
    assert render(chained("risk.list", [Message.of("risk.reason.amount_cut")]), "en") == "Amount cut"


def test_the_json_reasons_are_in_the_language_the_edge_asks_for():
    data = _data()
    doc = risks_json(deals_at_risk(data), source=data.source, text=lambda m: render(m, "en"))
    by_id = {d["deal_id"]: d["reasons_text"] for d in doc["deals"]}
    assert by_id["PUSHED"] == "Expected close date pushed back 2 times"


def test_every_reason_has_a_short_name_in_both_languages():
    from kpicore.forecast.risk import REASONS, reason_label

    names = {lang: [render(reason_label(code), lang) for code in REASONS] for lang in ("fr", "en")}
    assert names["fr"][2] == "Bloquée dans l'étape" and names["en"][2] == "Stuck in its stage"
    assert len(set(names["fr"])) == len(set(names["en"])) == len(REASONS) == 6
