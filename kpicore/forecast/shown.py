"""The figure shown and its range: the forecast of every scope, with the method the company's own
backtest ranks best and P10-P90 widened by the errors that backtest measured.

Two steps follow the simulation (``kpicore.forecast.forecasting``), each on its own: choosing the
method shown, and widening P10-P90 (``forecast_all``'s ``measured_range``, on by default).  A method
forced by the caller changes the first only: the range, and so P10 / P50 / P90 / P(reach target),
do not depend on it.  The simulation itself draws the fate a period's deals share, as far as the
backtest measured periods straying from their simulation (``kpicore.forecast.dispersion``).  The
backtest is run once per context and as-of date (``backtest_of``), or handed in already run
(``history_backtest``: its part over by the forecast's date is the replay of that date, ``Backtest.up_to``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

import numpy as np

from kpicore.forecast.asof import pipeline_as_of, to_day
from kpicore.forecast.backtest import Backtest, backtest, reach_from_errors, widen
from kpicore.forecast.dispersion import period_dispersion, period_factor, third_of
from kpicore.forecast.kept_backtest import KeptBacktest
from kpicore.forecast.forecasting import (METHODS, N_SIMS, Forecast, ForecastContext, PipelineArrays, forecast_scope,
                                          prepare, resolve_period, with_shown_figure)
from kpicore.model.errors import UsageError
from kpicore.model.messages import Message
from kpicore.model.periods import MONTH, QUARTER, Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import COMPANY_SCOPE, scopes


def _granularity(period: Period) -> str:
    """The backtest's granularity for ``period``: months for a month, quarters for anything longer."""
    return MONTH if period.kind == MONTH else QUARTER


def backtest_of(context: ForecastContext, as_of) -> Backtest:
    """The backtest of the company's history up to ``as_of`` (``kpicore.forecast.backtest``), run once per
    context and as-of date, or taken from the week's replay the context was seeded with
    (``kpicore.forecast.kept_backtest.with_kept``): it chooses the method shown and measures the range of
    every scope."""
    as_of = to_day(as_of)
    if as_of not in context.backtests:
        kept = context.kept_backtest
        # the week's replay kept in the workbook: its part over by as_of (Backtest.up_to), no replay
        context.backtests[as_of] = (kept.backtest.up_to(as_of) if isinstance(kept, KeptBacktest)
                                    else backtest(context.data, end=as_of, context=context))
    return context.backtests[as_of]


def _choose_method(bt: Backtest, period: Period, method_shown: str | None) -> tuple[str, Message]:
    if method_shown is not None:
        if method_shown not in METHODS:
            raise UsageError(f"méthode « {method_shown} » inconnue : choisissez parmi {', '.join(METHODS)}.")
        return method_shown, Message.of("forecast.reason.forced")
    return bt.method_for(_granularity(period))


def _widened(bt: Backtest, period: Period, share: float, forecasts: Iterable[Forecast]) -> tuple[Forecast, ...]:
    """The range as measured: ``forecasts`` (of ``period``, ``share`` of it elapsed) with P10-P90 widened as far
    as the company's own replay shows ranges of periods of that length, at the same part of the period,
    missing their actual (``kpicore.forecast.backtest``, "The range measured"), whatever the method
    shown; unchanged while the replay has too few periods."""
    scores = bt.range_scores(_granularity(period), share)
    errors = bt.range_errors(_granularity(period), share)
    return tuple(_measured_range(fc, scores, errors, bt.range_weights(_granularity(period), share, fc.as_of))
                 for fc in forecasts)


def forecast_all(data: PipelineData, period: str | Period = "quarter", as_of=None, *,
                 scopes_: Iterable[tuple[str, str]] | None = None, n_sims: int = N_SIMS, seed: int = 0,
                 method_shown: str | None = None, context: ForecastContext | None = None,
                 measured_range: bool = True, history_backtest: Backtest | None = None) -> tuple[Forecast, ...]:
    """Forecasts for the company, every team and every rep (or ``scopes_``).

    ``as_of`` defaults to the date of the data; ``method_shown`` None lets the
    backtest of the company's history choose it (see ``kpicore.forecast.backtest``), a
    method given is shown as is.  Either way the range is widened by the errors
    that backtest measured; ``measured_range`` False keeps the simulation's own
    range (to measure what the widening brings: no product path does).
    ``history_backtest``: a backtest already run over this data, up to ``as_of`` or later; its part
    over by ``as_of`` is used (``Backtest.up_to``) instead of replaying again.
    """
    ctx = prepare(data) if context is None else context
    as_of = ctx.today if as_of is None else to_day(as_of)
    per = resolve_period(period, as_of, data)
    pipe = PipelineArrays(ctx, pipeline_as_of(data, as_of, today=ctx.today))
    bt = backtest_of(ctx, as_of) if history_backtest is None else history_backtest.up_to(as_of)
    method, reason = _choose_method(bt, per, method_shown)
    todo = scopes(data) if scopes_ is None else list(scopes_)
    share = per.days_elapsed(as_of.date()) / per.days
    disp = period_dispersion(bt.rows, _granularity(per), third_of(share), as_of)
    factor = period_factor(disp.spread, n_sims, seed, f"{per.code}|{as_of.date()}", disp.level)
    # the blend's weight as the replay learned it up to as_of, for periods of this length
    weight = bt.blend_weight(_granularity(per), as_of)
    fcs = tuple(forecast_scope(ctx, pipe, per, s, n_sims=n_sims, seed=seed, method_shown=method,
                                method_reason=reason, period_factor=factor, blend_weight=weight) for s in todo)
    fcs = _widened(bt, per, share, fcs) if measured_range else fcs
    # the company's replay judges the probability of every scope: the one history scored
    reach = bt.reach_history(_granularity(per), as_of)
    return fcs if reach is None else tuple(replace(fc, reach=reach.judge(fc.prob_reach_target)) for fc in fcs)


def _measured_range(fc: Forecast, scores: np.ndarray | None, errors: np.ndarray | None,
                    weights: np.ndarray | None = None) -> Forecast:
    """``fc`` with P10-P90 widened by the past ranges' misses ``scores``, each weighing ``weights``
    (kpicore.forecast.backtest, "The range measured"), and P(reach target) read from the past errors
    ``errors`` (log(actual / calibrated point)) when that widened it."""
    p10, p90 = widen(fc.p10, fc.p90, fc.won_to_date, scores, weights)
    if (p10, p90) == (fc.p10, fc.p90):
        return fc
    prob = fc.prob_reach_target
    if fc.target is not None and errors is not None:
        prob = reach_from_errors(fc.calibrated_point, fc.won_to_date, fc.target, errors)
    note = Message.of("forecast.note.range_widened", periods=len(scores))
    return replace(with_shown_figure(replace(fc, p10=p10, p90=p90, prob_reach_target=prob)),
                   notes=fc.notes + (note,))


def forecast(data: PipelineData, period: str | Period = "quarter", scope: tuple[str, str] = COMPANY_SCOPE,
             as_of=None, *, n_sims: int = N_SIMS, seed: int = 0, method_shown: str | None = None,
             context: ForecastContext | None = None, measured_range: bool = True) -> Forecast:
    """The forecast of one scope (``("company", "")``, ``("team", name)``, ``("rep", name)``)."""
    return forecast_all(data, period, as_of, scopes_=[scope], n_sims=n_sims, seed=seed,
                        method_shown=method_shown, context=context, measured_range=measured_range)[0]
