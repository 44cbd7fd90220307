"""The command line: exit codes, French messages, and --json outputs that match their schemas."""

import json

import jsonschema
import pytest

from addin.cli import main
from kpicore.metrics.json_results import ALERTS_SCHEMA, KPIS_SCHEMA, load_schema
from kpicore.metrics.kpis import KpiEngine


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_kpis_json_matches_schema_and_engine(capsys, demo_workbook, demo_data):
    code, out, _ = run(capsys, "kpis", demo_workbook, "--period", "2026-10", "--as-of", "2026-11-20",
                       "--scope", "team:Grands comptes", "--json")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema(KPIS_SCHEMA))
    # the numbers are the engine's on the frames the workbook was written from
    engine = KpiEngine(demo_data, "2026-11-20")
    expected = {v.kpi: v.value for v in engine.values("2026-10", "team:Grands comptes", with_trend=False)}
    got = {k["id"]: k["value"] for k in doc["kpis"]}
    for kpi in ("revenue_won", "qualified_meetings_per_week", "proposal_conversion", "average_deal_size"):
        assert got[kpi] == pytest.approx(expected[kpi]), kpi


def test_alerts_json_matches_schema(capsys, demo_workbook):
    code, out, _ = run(capsys, "alerts", demo_workbook, "--as-of", "2026-11-20", "--json")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema(ALERTS_SCHEMA))
    assert doc["alerts"], "the demo company is built to raise alerts"


@pytest.mark.parametrize("argv, words", [
    (["kpis", "{wb}", "--period", "2026-13"], "période « 2026-13 » illisible"),
    (["kpis", "{wb}", "--period", "2026-10", "--scope", "team:Inconnue"], "Inconnue"),
    (["kpis", "{wb}", "--period", "2026-10", "--scope", "galaxie:X"], "périmètre"),
    (["kpis", "/nonexistent/pipeline.xlsx", "--period", "2026-10"], "pipeline.xlsx"),
    (["refresh", "{wb}", "--view", "astronaute"], "vue « astronaute » inconnue"),
])
def test_bad_arguments_exit_non_zero_with_a_french_message(capsys, demo_workbook, argv, words):
    code, out, err = run(capsys, *[a.format(wb=demo_workbook) for a in argv])
    assert code != 0
    assert words in err
    assert "Traceback" not in err


def _schema(name):
    import json as _json
    from importlib import resources

    return _json.loads(resources.files("kpicore.model.json_schemas").joinpath(name).read_text(encoding="utf-8"))


def test_forecast_json_contract(capsys, demo_workbook, demo_data):
    """The keys other tools rely on are at the top level, and the numbers are the engine's."""
    from kpicore.forecast.shown import forecast

    code, out, _ = run(capsys, "forecast", demo_workbook, "--as-of", "2026-11-20", "--period", "2026-Q4",
                       "--sims", "500", "--json")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, _schema("forecast.v3.json"))
    for key in ("period", "as_of", "scope", "won_to_date", "weighted_declared", "calibrated", "new_deals",
                "run_rate", "p10", "p50", "p90", "target", "prob_reach_target", "method_shown"):
        assert key in doc, key
    assert doc["period"] == "2026-Q4" and doc["as_of"] == "2026-11-20"
    # won to date, from the deals themselves: won between the quarter's start and the as-of date
    d = demo_data.deals
    won = d[(d["status"] == "won") & (d["closed_on"] >= "2026-10-01") & (d["closed_on"] <= "2026-11-20")]
    assert doc["won_to_date"] == pytest.approx(won["amount"].sum(), abs=0.01)
    assert doc["p10"] <= doc["p50"] <= doc["p90"]
    same = forecast(demo_data, "2026-Q4", ("company", ""), "2026-11-20", n_sims=500)
    assert doc["p50"] == pytest.approx(same.p50, abs=0.01)


# as of Friday 20 November 2026: the month of November, the fourth quarter, and ISO week 47 (1 January
# 2026 is a Thursday, so week 1 starts on Monday 29 December 2025; Monday 16 November 2026 is 322 days,
# 46 weeks, later)
PERIOD_WORDS_ON_20_NOV_2026 = {"mois": "2026-11", "month": "2026-11", "trimestre": "2026-Q4", "quarter": "2026-Q4",
                               "semaine": "2026-W47", "année": "2026"}


def test_kpis_reads_the_period_words(capsys, demo_workbook):
    for word, code in PERIOD_WORDS_ON_20_NOV_2026.items():
        got, out, _ = run(capsys, "kpis", demo_workbook, "--period", word, "--as-of", "2026-11-20", "--json")
        assert got == 0 and json.loads(out)["period"]["code"] == code, word


@pytest.mark.parametrize("word", ["mois", "quarter"])
def test_forecast_reads_the_same_period_words(capsys, demo_workbook, word):
    got, out, _ = run(capsys, "forecast", demo_workbook, "--period", word, "--as-of", "2026-11-20",
                      "--sims", "200", "--json")
    assert got == 0 and json.loads(out)["period"] == PERIOD_WORDS_ON_20_NOV_2026[word]


def test_risks_and_backtest_json_follow_their_schemas(capsys, demo_workbook):
    code, out, _ = run(capsys, "risks", demo_workbook, "--as-of", "2026-11-20", "--json")
    assert code == 0
    jsonschema.validate(json.loads(out), _schema("risks.v3.json"))
    code, out, _ = run(capsys, "backtest", demo_workbook, "--horizon", "quarter", "--from", "2026-06-01",
                       "--to", "2026-09-30", "--json")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, _schema("backtest.v3.json"))
