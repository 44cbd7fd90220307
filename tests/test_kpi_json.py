"""JSON outputs validated against their committed, versioned schemas."""

import json
from datetime import date

import jsonschema
import pandas as pd
import pytest

from kpicore.metrics.json_results import ALERTS_SCHEMA, KPIS_SCHEMA, alerts_json, kpis_json, load_schema
from kpicore.metrics.dictionary import DEFAULT_DICTIONARY
from kpicore.text.catalogue import render

from support.kpi_builders import act, deal, make_data, target

REPS = {"Alice": "Nord", "Bob": "Sud"}


def in_french(message) -> str:
    return render(message, "fr")


def sample():
    deals = [deal(f"L{i}", "Alice", "lost", 1_000, "2026-06-01", closed=f"2026-11-{i + 1:02d}",
                  proposal="2026-10-01") for i in range(12)]
    deals.append(deal("W", "Bob", "won", 2_500, "2026-11-02", closed="2026-11-02"))
    acts = [act("2026-11-03", "Alice", "qualified_meeting"), act("2026-11-04", "Bob", "proposal")]
    co_visits = [{"date": pd.Timestamp("2026-11-05"), "rep": "Alice", "discovery_quality": 2, "proposal_relevance": 4,
                  "customer_satisfaction": 3}]
    targets = [target("2026-11", "rep", "Bob", 10_000)]
    return make_data(deals, acts, REPS, targets, co_visits)


@pytest.mark.parametrize("scope", ["company", "team:Nord", "rep:Bob"])
def test_kpis_json_matches_its_schema(scope):
    out = kpis_json(sample(), "2026-11", date(2026, 11, 20), scope, text=in_french)
    jsonschema.validate(out, load_schema(KPIS_SCHEMA))
    json.dumps(out, allow_nan=False)  # no NaN can reach a JSON reader
    assert [k["id"] for k in out["kpis"]] == list(DEFAULT_DICTIONARY.ids)


def test_kpis_json_numbers():
    out = kpis_json(sample(), "2026-11", date(2026, 11, 20), "rep:Bob", text=in_french)
    kpis = {k["id"]: k for k in out["kpis"]}
    assert kpis["revenue_won"]["value"] == 2_500 and kpis["revenue_won"]["target"] == 10_000
    assert kpis["revenue_won"]["gap"] == 2_500 - 10_000
    assert kpis["proposal_conversion"]["value"] is None  # Bob's win had no proposal
    assert out["period"]["days_elapsed"] == 20 and out["period"]["is_over"] is False
    alice = kpis_json(sample(), "2026-11", date(2026, 11, 20), "rep:Alice", text=in_french)
    assert alice["covisits"]["discovery_quality"] == 2 and alice["covisits"]["overall"] == pytest.approx(3)


def test_alerts_json_matches_its_schema():
    out = alerts_json(sample(), date(2026, 11, 20), text=render)
    jsonschema.validate(out, load_schema(ALERTS_SCHEMA))
    json.dumps(out, allow_nan=False)
    # Alice: 0 won out of 12 proposals decided in November (P = 0.75^12 = 0.03)
    assert any(a["kind"] == "low_conversion" and a["scope"]["name"] == "Alice" for a in out["alerts"])
    assert out["count"] == len(out["alerts"])


def test_alerts_json_in_the_readers_language_with_code_and_stake():
    english = alerts_json(sample(), date(2026, 11, 20), text=lambda m: render(m, "en"))
    jsonschema.validate(english, load_schema(ALERTS_SCHEMA))
    company = next(a for a in english["alerts"] if a["kind"] == "low_conversion" and a["scope"]["level"] == "company")
    assert company["code"] == "alert.low_conversion" and company["horizon"] == "lagging"
    # what a 25 % conversion would have won on the 12 decided proposals, at the company's deal size of
    # the last 91 days (Bob's one win of 2,500)
    assert company["stake_eur"] == pytest.approx(0.25 * 12 * 2_500)
    assert company["scope"]["label"] == "Company" and company["severity_label"] == "High"
    assert company["title"] == "Company: proposal conversion at 0%"
    # Alice's own deal size is unknown (no win): no stake, and the alert says nothing of money
    alice = next(a for a in english["alerts"] if a["kind"] == "low_conversion" and a["scope"]["name"] == "Alice")
    assert alice["stake_eur"] is None and "€" not in alice["detail"]
    french = alerts_json(sample(), date(2026, 11, 20), text=render)
    labels = {a["scope"]["label"] for a in french["alerts"]}
    assert "Entreprise" in labels and "Équipe Nord" in labels


def test_the_schemas_reject_a_wrong_shape():
    out = kpis_json(sample(), "2026-11", date(2026, 11, 20), text=in_french)
    out["kpis"][0]["value"] = "beaucoup"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(out, load_schema(KPIS_SCHEMA))
    alerts = alerts_json(sample(), date(2026, 11, 20), text=render)
    alerts["alerts"][0]["severity"] = "urgent"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(alerts, load_schema(ALERTS_SCHEMA))


def test_schemas_are_valid_draft_2020_12():
    for name in (KPIS_SCHEMA, ALERTS_SCHEMA):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))


def test_the_labels_of_a_kpis_document_follow_the_readers_language():
    def in_english(message) -> str:
        return render(message, "en")

    french = kpis_json(sample(), "2026-11", date(2026, 11, 20), "team:Nord", text=in_french)
    english = kpis_json(sample(), "2026-11", date(2026, 11, 20), "team:Nord", text=in_english)
    assert (french["scope"]["label"], english["scope"]["label"]) == ("Équipe Nord", "Team Nord")
    assert (french["period"]["label"], english["period"]["label"]) == ("novembre 2026", "November 2026")
    # the 12-month trend of a monthly KPI ends on the period's own month
    revenue = next(k for k in english["kpis"] if k["id"] == "revenue_won")
    assert revenue["trend"][-1]["period"] == "November 2026" and len(revenue["trend"]) == 12
