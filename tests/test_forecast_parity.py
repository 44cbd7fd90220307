"""The same forecast on every path (DESIGN.md, "The forecast").

On the small demo, as of ``DEMO_AS_OF``, for the company, one team and one rep, for
the month and the quarter, P10 / P50 / P90 / P(reach target) are the same in

(a) what the cockpit shows (``build_cockpit``: its forecast block, its rows per
    rep or team, and the forecasts it was built from), for the month it shows;
(b) the forecast history rows a refresh appends (``append_forecasts`` over
    ``forecast_all``, with the cockpit's context, as ``addin.actions.refresh``);
(c) the monthly deck's quarter forecast (the built .pptx, and what the deck says
    it showed), for the company it shows;
(d) ``pilotage forecast FILE --period ... --scope ... --json`` on the demo workbook;
(e) the cell functions ``PILOT_FORECAST_P10`` ... ``PILOT_FORECAST_PROBA`` in a cell of the demo
    workbook open in Excel (xlwings' classes over the recording engine), refreshed once: passed the
    tables as Excel passes ``Table[#All]``, they read the rest of the workbook through the calling cell,
    as the refresh did, and the replay it kept.

Every path runs with its defaults (``N_SIMS`` draws, seed 0); (b) is the
reference.  The numbers are never copied from the program: only compared.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation

from kpicore.demo.company import DEMO_AS_OF
from kpicore.forecast.forecasting import N_SIMS, prepare
from kpicore.forecast.shown import backtest_of, forecast_all
from kpicore.text.catalogue import render

NOW = datetime(2026, 11, 20, 8, 30)
PERIODS = ("month", "quarter")
FIELDS = ("p10", "p50", "p90", "prob_reach_target")


def _shown(fc) -> tuple:
    """What a forecast shows of FIELDS: P(reach target) is none when its replay did not beat the reference."""
    return (fc.p10, fc.p50, fc.p90, fc.prob_reach_shown)


def _recorded(row) -> tuple:
    """FIELDS of a history row (an empty probability read as none)."""
    prob = row["prob_reach_target"]
    return (row["p10"], row["p50"], row["p90"], None if pd.isna(prob) else prob)


def _fingerprint(data) -> str:
    h = hashlib.blake2b(digest_size=16)
    for name, frame in sorted(data.frames().items()):
        h.update(name.encode())
        h.update(repr(list(frame.columns)).encode() + repr(list(frame.dtypes.astype(str))).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module", autouse=True)
def one_backtest_per_dataset():
    """Each path builds its own context and so runs its own backtest (seconds on the demo), and
    the CLI reloads the workbook at every run.  A backtest is a function of the data's content and
    of its arguments: here it is computed once per content and arguments, whichever path asks
    first, so that the test stays fast.  A path asking with other data or other arguments still
    gets its own."""
    import kpicore.forecast.backtest as module

    real, memo = module.backtest, {}

    def once(data, **kwargs):
        ctx = kwargs.get("_context")
        key = (_fingerprint(data), None if ctx is None else ctx.today,
               tuple(sorted((k, repr(v)) for k, v in kwargs.items() if k != "_context")))
        if key not in memo:
            memo[key] = real(data, **kwargs)
        return memo[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "backtest", once)
        yield memo


@pytest.fixture(scope="module")
def scopes(demo_data) -> list[tuple[str, str]]:
    team_of = demo_data.rep_team().to_dict()
    team = sorted(set(team_of.values()))[0]
    rep = sorted(r for r, t in team_of.items() if t == team)[0]
    return [("company", ""), ("team", team), ("rep", rep)]


@pytest.fixture(scope="module")
def context(demo_data):
    return prepare(demo_data)


@pytest.fixture(scope="module")
def history(demo_data, context) -> dict[tuple[str, tuple[str, str]], pd.Series]:
    """(b): the rows a refresh appends, by (month or quarter, scope); the reference."""
    from kpicore.forecast.snapshots import append_forecasts

    frame, kind_of = None, {}
    for period in PERIODS:
        forecasts = forecast_all(demo_data, period, DEMO_AS_OF, context=context)
        frame = append_forecasts(frame, forecasts, on=DEMO_AS_OF)
        kind_of[forecasts[0].period] = period
    return {(kind_of[r["period"]], (r["scope_type"], "" if pd.isna(r["scope_name"]) else r["scope_name"])): r
            for _, r in frame.iterrows()}


@pytest.fixture(scope="module")
def cockpits(demo_data, context, scopes):
    """(a): the manager views of the company and of the team, the rep's view and the direction
    view, each with the forecasts it was built from."""
    import kpicore.cockpit.build as cockpit
    from kpicore.text.sheets import rendered

    real, used = cockpit.forecast_all, []

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        used.extend(out)
        return out

    (_, team), (_, rep) = scopes[1], scopes[2]
    views = {"company": dict(view="manager"), "team": dict(view="manager", who=team),
             "rep": dict(view="rep", who=rep), "direction": dict(view="direction")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cockpit, "forecast_all", spy)
        specs = {k: rendered(cockpit.build_cockpit(demo_data, DEMO_AS_OF, refreshed_at=NOW, context=context, **kw),
                             "fr") for k, kw in views.items()}
    return specs, {fc.scope: fc for fc in used}


@pytest.fixture(scope="module")
def deck(demo_data, tmp_path_factory):
    """(c): the monthly deck, as built, and what it says it showed."""
    from ritual_decks.deck import monthly_deck

    report = monthly_deck(demo_data, DEMO_AS_OF, tmp_path_factory.mktemp("parity") / "mensuel.pptx")
    return report, Presentation(str(report.path))


def _cli(*argv: str) -> dict:
    from addin.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def cli(demo_workbook, scopes) -> dict:
    """(d): ``pilotage forecast --json`` for every period and scope, with its default draws.  The
    six runs read the same file: the first reads it, the others are given what it read (reading
    the workbook is most of a run's time); each run forecasts with its own context."""
    from addin.actions import reports

    real, read = reports.read_company, {}

    def read_once(book, **kw):
        key = str(book.path)
        return read[key] if key in read else read.setdefault(key, real(book, **kw))

    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reports, "read_company", read_once)
        for period in PERIODS:
            for kind, name in scopes:
                argv = ["forecast", str(demo_workbook), "--period", period, "--as-of", DEMO_AS_OF.isoformat(),
                        "--json", *([] if kind == "company" else ["--scope", f"{kind}:{name}"])]
                out[(period, (kind, name))] = _cli(*argv)
    assert len(read) == 1
    return out


def _values(block, label: str) -> list:
    """The values of the row of ``block`` whose first cell reads ``label``."""
    for row in block.cells:
        if row and row[0].value == label:
            return [c.value for c in row]
    raise AssertionError(f"no row « {label} » in block {block.name}")


def _block(spec, name: str):
    return next(b for b in spec.blocks if b.name == name)


def _projections(spec) -> dict[str, float]:
    """Name -> « Projection (P50 / obj.) » of the rows per rep (or per team) of a cockpit."""
    table = _block(spec, "scope_table")
    header = [c.value for c in table.cells[1]]
    col = header.index("Projection (P50 / obj.)")
    return {row[0].value: row[col].value for row in table.cells[2:]}


# -- the reference itself ----------------------------------------------------------------

def test_the_reference_is_ordered(history, scopes):
    for period in PERIODS:
        for scope in scopes:
            r = history[(period, scope)]
            assert r["p10"] <= r["p50"] <= r["p90"], (period, scope)
            prob = _recorded(r)[3]
            assert prob is None or 0.0 <= prob <= 1.0, (period, scope)


def test_the_range_is_widened_whatever_the_method_shown(demo_data, context, history, scopes):
    from kpicore.model.periods import MONTH, QUARTER, Period

    for period in PERIODS:
        held = True
        raw = {f.scope: f for f in forecast_all(demo_data, period, DEMO_AS_OF, scopes_=scopes, context=context,
                                                measured_range=False)}
        for method in ("calibrated", "run_rate", "weighted_declared"):
            forced = forecast_all(demo_data, period, DEMO_AS_OF, scopes_=scopes, context=context,
                                  method_shown=method)
            for fc in forced:
                assert fc.method_shown == method and fc.shown == fc.point(method)
                assert _shown(fc) == _recorded(history[(period, fc.scope)])
        for scope in scopes:
            r = history[(period, scope)]
            assert r["p10"] <= raw[scope].p10 and r["p90"] >= raw[scope].p90, (period, scope)
            assert r["p50"] == raw[scope].p50
            held = held and (r["p10"], r["p90"]) == (raw[scope].p10, raw[scope].p90)
        # the demo's two years give the replay enough periods for both: the range is the simulation's
        # exactly when the past simulated ranges that held their actual weigh at least four fifths of
        # them all (recent periods weigh more: range_weights)
        kind = MONTH if period == "month" else QUARTER
        per = Period.containing(kind, DEMO_AS_OF)
        bt = backtest_of(context, DEMO_AS_OF)
        share = per.days_elapsed(DEMO_AS_OF) / per.days
        scores, weights = bt.range_scores(kind, share), bt.range_weights(kind, share, DEMO_AS_OF)
        assert scores is not None and weights is not None, period
        assert held == (np.sum(weights[scores <= 0]) >= 0.8 * np.sum(weights)), period


# -- (a) the cockpit ------------------------------------------------------------------------

def test_the_cockpit_shows_the_refreshs_month(cockpits, history, scopes):
    specs, used = cockpits
    for (kind, name), view in zip(scopes, ("company", "team", "rep")):
        r = history[("month", (kind, name))]
        block = _block(specs[view], "forecast")
        _, _, p10, p90, *_ = _values(block, "Fourchette P10 – P90")
        prob = _values(block, "Probabilité d'atteindre l'objectif")[2]
        assert (p10, p90, prob) == (r["p10"], r["p90"], _recorded(r)[3]), (kind, name)
        assert _values(block, "Prévision de fin de mois")[2] == r["shown"]
        fc = used[(kind, name)]
        assert fc.n_sims == N_SIMS and fc.method_shown == r["method_shown"]
        assert _shown(fc) == _recorded(r), (kind, name)
    # the P50 in the rows: the rep's in the manager view, the team's in the direction view
    (_, team), (_, rep) = scopes[1], scopes[2]
    for view, scope in (("company", ("rep", rep)), ("direction", ("team", team))):
        r = history[("month", scope)]
        assert _projections(specs[view])[scope[1]] == r["p50"] / r["target"], scope


# -- (c) the monthly deck -------------------------------------------------------------------

def test_the_monthly_deck_shows_the_refreshs_quarter(deck, history):
    from kpicore.text import formats as F

    report, prs = deck
    r = history[("quarter", ("company", ""))]
    keys = [s.key for s in report.slides]
    slide = prs.slides[keys.index("forecast")]  # the report lists every slide, the summary (slide 1) first
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    cats = list(chart.plots[0].categories)
    values = dict(zip(cats, chart.plots[0].series[0].values))
    assert (values["P10"], values["Prévision retenue"], values["P90"]) == \
        (round(r["p10"], 2), round(r["shown"], 2), round(r["p90"], 2))
    text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    prob = _recorded(r)[3]
    assert (F.percent(prob) if prob is not None else "non affichée") in text
    shown = report.slide("forecast").numbers
    assert tuple(shown[f] for f in FIELDS) == _recorded(r)
    assert f"{F.number(N_SIMS)} tirages" in text


# -- (d) pilotage forecast --------------------------------------------------------------------

def test_pilotage_forecast_gives_the_refreshs_numbers(cli, history, scopes):
    for period in PERIODS:
        for scope in scopes:
            doc, r = cli[(period, scope)], history[(period, scope)]
            assert (doc["scope"]["level"], doc["scope"]["name"]) == scope
            assert doc["n_sims"] == N_SIMS and doc["method_shown"] == r["method_shown"]
            assert (doc["p10"], doc["p50"], doc["p90"]) == tuple(round(r[f], 2) for f in ("p10", "p50", "p90"))
            prob = _recorded(r)[3]
            assert doc["prob_reach_target"] == (None if prob is None else round(prob, 4)), (period, scope)


def test_pilotage_forecast_help_gives_the_default_draws(capsys):
    from addin.cli import main

    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    assert f"{N_SIMS:,}".replace(",", "\u202f") in capsys.readouterr().out


def test_every_path_says_the_same_of_the_probability(cockpits, deck, cli, scopes):
    """Beside the probability, or instead of it, the same sentence: how often the replay's forecasts that
    said about as much came true, or why none is shown."""
    specs, used = cockpits
    _, prs = deck
    for (kind, name), view in zip(scopes, ("company", "team", "rep")):
        said = used[(kind, name)].reach_said
        assert said is not None, (kind, name)  # the demo's two years score it
        block = _block(specs[view], "forecast")
        assert [row[0].value for row in block.cells][-1] == render(said, "fr")
        assert cli[("month", (kind, name))]["reach"]["text"] == render(said, "fr")
    quarter = cli[("quarter", ("company", ""))]["reach"]
    text = " ".join(sh.text_frame.text for slide in prs.slides for sh in slide.shapes if sh.has_text_frame)
    assert quarter["text"] in text
    # not shown exactly when the probability's Brier score is no better than the reference's
    for doc in cli.values():
        assert (doc["prob_reach_target"] is None) == (doc["reach"]["brier"] >= doc["reach"]["brier_reference"])


# -- (e) the cell functions ----------------------------------------------------------------------

CELL_FUNCTIONS = {"p10": "PILOT_FORECAST_P10", "p50": "PILOT_FORECAST_P50", "p90": "PILOT_FORECAST_P90",
                  "prob_reach_target": "PILOT_FORECAST_PROBA"}


@pytest.fixture(scope="module")
def refreshed_in_excel(demo_workbook, tmp_path_factory):
    """The demo workbook open in Excel and refreshed by the ribbon's action: it keeps the week's replay."""
    import shutil

    from addin.actions.refresh import refresh
    from addin.engines.xlwings import XlwingsWorkbook
    from support.recorded import recorded_book

    path = tmp_path_factory.mktemp("cells") / "pipeline_demo.xlsx"
    shutil.copy(demo_workbook, path)
    book = recorded_book(path)
    outcome = refresh(XlwingsWorkbook(book), now=NOW)
    return book, outcome


def test_the_cell_functions_give_the_refreshs_numbers(refreshed_in_excel, history, scopes, monkeypatch):
    import kpicore.forecast.shown as shown
    from addin.engines.xlwings import XlwingsWorkbook
    from addin.excel import udfs

    def no_replay(*args, **kwargs):
        raise AssertionError("a cell replayed the history the workbook keeps")

    monkeypatch.setattr(shown, "backtest", no_replay)
    book, outcome = refreshed_in_excel
    assert outcome.backtest.replayed and outcome.as_of == DEMO_AS_OF
    udfs.clear_caches()
    live = XlwingsWorkbook(book)
    deals, reps, targets = (live.sheet_rows(s) for s in ("Affaires", "Commerciaux", "Objectifs"))
    cell = book.sheets["Cockpit"].range("B40")  # any cell of the workbook: the one holding the formula
    h = outcome.forecast_history
    today = h[h["snapshot_on"] == pd.Timestamp(DEMO_AS_OF)]
    for period, word in (("month", "mois"), ("quarter", "trimestre")):
        for kind, name in scopes:
            row = today[(today["period"] == history[(period, (kind, name))]["period"])
                        & (today["scope_type"] == kind) & (today["scope_name"].fillna("") == name)]
            assert len(row) == 1, (period, kind, name)
            perimetre = "" if kind == "company" else f"{kind}:{name}"
            for field, function in CELL_FUNCTIONS.items():
                value = getattr(udfs, function)(deals, perimetre, word, DEMO_AS_OF, None, reps, targets, cell)
                value = None if value == "" else value  # a probability not shown: an empty cell
                assert value == _recorded(row.iloc[0])[FIELDS.index(field)], (period, kind, name, field)
                # and the refresh's numbers are the other paths' (a reading the sheet's 15 digits back
                # could have moved them)
                assert value == _recorded(history[(period, (kind, name))])[FIELDS.index(field)], \
                    (period, kind, name, field)
    assert udfs.cache_info()["contexts"]["misses"] == 1  # one context for every cell
    # outside Excel (no calling cell) the tables passed are all there is: no stage history, no replay
    # kept, another forecast; the numbers above came from the workbook
    monkeypatch.undo()
    alone = udfs.PILOT_FORECAST_P50(deals, "", "mois", DEMO_AS_OF, None, reps, targets)
    assert alone != history[("month", ("company", ""))]["p50"]
