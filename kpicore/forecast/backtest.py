"""Backtest: replay the company's own history and measure each forecast method.

Every ``every_days`` days between ``start`` and ``end``, the pipeline is rebuilt
as it stood that day (``kpicore.forecast.asof``), the month and the quarter containing
that day are forecast by each method, and the forecast is compared with what
was actually won in the period.  Only periods already over on ``end`` (by
default the date of the data) are scored: their actual is known then.

Per granularity and method: MAPE, median APE, bias (mean signed error in % of
the actual), share of forecasts within ±10 %, and for the calibrated method
the share of actuals inside P10-P90.  Periods with nothing won (actual 0) have
no percentage error; they count for coverage only.

The blend of the calibrated forecast and the run rate (``kpicore.forecast.blend``) is replayed as
one more method: each of its rows mixes the two with the weight learned on the periods over before
that row's date (same granularity), so its error is out of sample like
the others'.

``method_shown``: of the run rate and the blend, the one with the lower quarterly MAPE (monthly
when no quarter could be scored); on a tie the run rate, the naive reference, wins.  So a method
that does not beat the run rate is never the one shown.  One exception, the noise of the measure:
the blend stays shown while its excess error over the run rate, paired forecast by forecast, is
below ``NOISE_Z`` of its standard errors (``vs_run_rate`` and ``vs_run_rate_se`` in the summary,
clustered by period since the forecasts of one period share its fate), and the reason says so.  A
replay of a year holds a dozen months and four quarters: a run rate ahead by a few points there is
chance as often as not, and following it lost 2 to 4 points of MAPE on the tuning seeds of
``bench/forecast_replays.py``, where the blend kept unless clearly beaten is the one within a
point of the best single method.  Only those two compete: the blend spans
the calibrated forecast alone (weight 1) and the run rate (weight 0), and picking among four
methods on a short replay's pooled MAPE chose badly (on the replays of
``bench/forecast_replays.py`` the figure shown was 3 to 8 points worse than the best single method
on average); the calibrated forecast and the declared pipeline are still scored and quoted in the
reason.  With no scored period at all, the run rate is shown and the reason says why.
``method_for(granularity)`` applies the same rule to the months alone (a method can beat the run
rate on quarters and not on months); ``blend_weight`` gives the live forecast the weight the blend
would have on its date.

The range measured, not promised.  The simulation's P10-P90 holds the chance
of each deal and of the new-deal flow, and how far periods strayed from their
simulation, measured on the periods over before each date
(``kpicore.forecast.dispersion``: each row keeps its simulated future mean and
variance for that measure).  Then the range is checked against the replay
itself, in the manner of conformal prediction (Romano, Patterson and Candès,
"Conformalized quantile regression", NeurIPS 2019): for each period over before
a forecast's date, of the same granularity and the same third of the period (a
forecast made in the last days of a quarter errs far less than one made on its
first day), how far outside its own P10-P90 the actual fell, in log terms,
``max(log(P10 / actual), log(actual / P90))``; when more than one in five fell
outside, the range is widened on both sides by the factor that would have held
four in five.  Only ever widened: never narrower than the simulation's, never
below what is won.  Recent periods weigh more (``range_weights``: the weight
``kpicore.forecast.calibration.recency_weight`` of the period's end), as in the
weighted conformal prediction of
Barber, Candès, Ramdas and Tibshirani ("Conformal prediction beyond
exchangeability", Annals of Statistics 2023): after a change of regime the
misses of the new one widen the range without waiting for them to outnumber
those of the old.  The factor is the plain weighted quantile of those misses,
without conformal prediction's finite-sample correction, which aims at "at least
80 %" and on the replays held 84 to 88 %.  It needs ``RANGE_MIN_POINTS`` past forecasts,
and the share of them that fell outside must exceed one in five by more than
``RANGE_Z`` standard errors of a share measured on that many (binomial, the
effective number of the weighted forecasts, Kish's (Σw)² ÷ Σw²): a range is only
ever widened, so one widened whenever a dozen past misses happen to exceed one in
five by chance would hold more than it says where the simulation is already
right (at mid-period, on the replays, 83 % instead of 80 %).  Coverage is
scored on the range so widened (out of sample: no forecast is widened with its
own error); ``coverage_sim`` keeps the simulation's own.  ``Backtest.range_scores``
gives the live forecast the same widening from every scored period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from kpicore.forecast.asof import effective_close, pipelines_as_of, to_day
from kpicore.forecast.blend import BLEND, PRIOR_WEIGHT, clustered_mean, learned_weight, paired, with_blend
from kpicore.forecast.dispersion import NO_MEASURE, Dispersion, measured, period_factor, recency_of, third_of
from kpicore.forecast.quantiles import weighted_quantile
from kpicore.forecast.reach import ReachHistory, reach_history
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.json_schemas import envelope, scope_json
from kpicore.forecast.forecasting import METHODS, ForecastContext, PipelineArrays, forecast_scope, prepare
from kpicore.model.roster import COMPANY_SCOPE, owners_of
from kpicore.model.periods import MONTH, QUARTER, Period
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message

GRANULARITIES = (MONTH, QUARTER)
RANGE_MIN_POINTS = 8  # past forecasts needed before a range is widened by them
RANGE_COVERAGE = 0.80  # what P10-P90 promises
# past misses widen a range only beyond this many standard errors of their share (module docstring), as
# the dispersion's level is counted beyond LEVEL_Z
RANGE_Z = 1.0
WITHIN = 0.10
WITHIN_CLOSE = 0.05
BACKTEST_SIMS = 2_000
CLOSED_WITHIN_DAYS = 120
SHOWABLE = ("run_rate", BLEND)  # the methods that may be shown (module docstring)
# the run rate replaces the blend only when ahead by more than this many standard errors (module docstring)
NOISE_Z = 2.0
COLUMNS = ["as_of", "day_one", "granularity", "period", "method", "predicted", "actual", "p10", "p90", "period_end",
           "third", "won_to_date", "future_mean", "future_var", "excess", "target", "prob_reach"]


@dataclass(frozen=True)
class Backtest:
    """Forecasts replayed at past dates, their errors, and the method to show."""

    scope: tuple[str, str]
    as_of_dates: tuple[pd.Timestamp, ...]
    method_shown: str
    reason: Message  # why method_shown (forecast.reason.*), rendered by the edges
    # as_of, granularity, period, method, predicted, actual, p10, p90, error (signed, fraction of actual)
    rows: pd.DataFrame = field(compare=False, repr=False)
    # granularity, method, n, n_scored, mape, median_ape, bias, within_10, coverage
    summary: pd.DataFrame = field(compare=False, repr=False)

    @classmethod
    def from_rows(cls, rows: pd.DataFrame, scope: tuple[str, str] = COMPANY_SCOPE) -> "Backtest":
        """The backtest whose replay gave ``rows`` (one kept in a workbook and read back): its dates,
        summary and method shown follow from the rows, as ``up_to`` derives them."""
        summary = summarise(rows)
        method, reason = choose_method(summary)
        dates = tuple(pd.Timestamp(d) for d in sorted(set(rows["as_of"]))) if "as_of" in rows else ()
        return cls(scope=scope, as_of_dates=dates, method_shown=method, reason=reason, rows=rows, summary=summary)

    def method_for(self, granularity: str) -> tuple[str, Message]:
        """The method to show for a month or a quarter, and why."""
        return choose_method(self.summary, granularity)

    def blend_weight(self, granularity: str, as_of) -> float:
        """The calibrated forecast's weight in the blend of a forecast of ``granularity`` made on ``as_of``:
        learned from the periods of that granularity over before ``as_of`` (``kpicore.forecast.blend``),
        as the replay's own rows of that date."""
        r = self.rows
        if not len(r):
            return PRIOR_WEIGHT
        day = to_day(as_of)
        past = paired(r[(r["granularity"] == granularity) & (r["period_end"] < day)])
        return learned_weight(past["calibrated"].to_numpy(float), past["run_rate"].to_numpy(float),
                              past["actual"].to_numpy(float), past["period"].to_numpy(object),
                              past["period_end"].to_numpy("datetime64[ns]"), day)

    def range_errors(self, granularity: str, elapsed_share: float) -> np.ndarray | None:
        """log(actual / calibrated point) of every scored period of ``granularity`` forecast at the same third of
        the period as ``elapsed_share``; None with fewer than ``RANGE_MIN_POINTS``."""
        pool = self._range_pool(granularity, elapsed_share)
        errors = pool["log_ratio"].to_numpy(dtype=float) if pool is not None else np.array([])
        errors = errors[np.isfinite(errors)]
        return errors if len(errors) >= RANGE_MIN_POINTS else None

    def range_scores(self, granularity: str, elapsed_share: float) -> np.ndarray | None:
        """How far outside its simulated P10-P90 the actual of every period of ``granularity`` fell,
        forecast at the same third as ``elapsed_share`` (``range_score``); None with fewer than
        ``RANGE_MIN_POINTS``."""
        pool = self._range_pool(granularity, elapsed_share)
        if pool is None or len(pool) < RANGE_MIN_POINTS:
            return None
        return range_score(pool["p10"].to_numpy(float), pool["p90"].to_numpy(float), pool["actual"].to_numpy(float))

    def range_weights(self, granularity: str, elapsed_share: float, as_of) -> np.ndarray | None:
        """The weight of each of ``range_scores`` in a forecast made on ``as_of`` (``range_weights``)."""
        pool = self._range_pool(granularity, elapsed_share)
        if pool is None or len(pool) < RANGE_MIN_POINTS:
            return None
        return range_weights(pool["period_end"].to_numpy("datetime64[ns]"), as_of)

    def _range_pool(self, granularity: str, elapsed_share: float) -> pd.DataFrame | None:
        r = self.rows
        if r.empty or "third" not in r:
            return None
        return r[(r["method"] == "calibrated") & (r["granularity"] == granularity)
                 & (r["third"] == third_of(elapsed_share))]

    def reach_history(self, granularity: str, as_of) -> ReachHistory | None:
        """What the replay scored of P(reach target) for a forecast of ``granularity`` made on ``as_of``,
        over every forecast of that granularity whatever the part of the period it was made in (a third
        alone holds too few to say how often "about 80 %" came true) (``kpicore.forecast.reach``)."""
        r = self.rows
        if r.empty or "prob_shown" not in r:
            return None
        every = r[(r["method"] == "calibrated") & (r["granularity"] == granularity)]
        return reach_history(every, every[every["period_end"] < to_day(as_of)], to_day(as_of))

    def up_to(self, day) -> "Backtest":
        """The backtest a replay ending on ``day`` would give: the periods over by then.

        Each row depends only on what was known at its own date (the pipeline rebuilt as it stood,
        the range widened by periods over before it), so the prefix of a longer replay is the shorter
        replay: one backtest over a whole history serves the forecast of every past date."""
        day = to_day(day)
        rows = self.rows[self.rows["period_end"] <= day]
        summary = summarise(rows)
        method, reason = choose_method(summary)
        kept = set(rows["as_of"])
        return Backtest(scope=self.scope, as_of_dates=tuple(d for d in self.as_of_dates if d in kept),
                        method_shown=method, reason=reason, rows=rows, summary=summary)

    def day_one(self, granularity: str, method: str) -> pd.DataFrame:
        """Each period's Day-One forecast by ``method`` against its actual: period, as_of, predicted,
        actual, error (signed, fraction of the actual; NaN when nothing was won), inside (actual within
        the range as shown), in the periods' order."""
        r = self.rows
        if r.empty or "day_one" not in r:
            return pd.DataFrame(columns=["period", "as_of", "predicted", "actual", "error", "inside"])
        first = r["day_one"].astype(bool) & (r["granularity"] == granularity)
        got, cal = r[first & (r["method"] == method)], r[first & (r["method"] == "calibrated")]
        lo = cal.set_index("period")["p10_range"].reindex(got["period"]).to_numpy(float)
        hi = cal.set_index("period")["p90_range"].reindex(got["period"]).to_numpy(float)
        actual = got["actual"].to_numpy(float)
        return pd.DataFrame({"period": got["period"].to_numpy(), "as_of": got["as_of"].to_numpy(),
                             "predicted": got["predicted"].to_numpy(float), "actual": actual,
                             "error": got["error"].to_numpy(float), "inside": (lo <= actual) & (actual <= hi)}
                            ).sort_values("period", ignore_index=True)

    def metric(self, granularity: str, method: str, name: str) -> float:
        s = self.summary
        hit = s[(s["granularity"] == granularity) & (s["method"] == method)]
        return float(hit[name].iloc[0]) if len(hit) else float("nan")


def _actual_won(data: PipelineData, owners: frozenset[str] | None) -> tuple[np.ndarray, np.ndarray]:
    deals = data.deals
    close = effective_close(deals)
    mask = (deals["status"] == "won").fillna(False).to_numpy(dtype=bool)
    if owners is not None:
        mask &= deals["owner"].isin(list(owners)).to_numpy(dtype=bool)
    return close[mask], deals["amount"].to_numpy(dtype=float, na_value=0.0)[mask]


def excess_over(ape: pd.Series, reference: pd.Series, period: pd.Series) -> tuple[float, float]:
    """The mean of ``ape`` − ``reference`` (absolute percentage errors of the same forecasts) and its
    standard error clustered by ``period`` (the forecasts of one period share its fate: Cameron and
    Miller, "A practitioner's guide to cluster-robust inference", Journal of Human Resources 2015,
    with their G / (G − 1)); NaN with fewer than two periods."""
    diff = (ape - reference).dropna()
    if diff.empty:
        return float("nan"), float("nan")
    mean, se = clustered_mean(diff.to_numpy(float), np.ones(len(diff)), period.reindex(diff.index).to_numpy(object))
    return mean, se if np.isfinite(se) else float("nan")


def signed_errors(rows: pd.DataFrame) -> pd.Series:
    """For each row, (predicted − actual) ÷ actual; NaN where nothing was won (no percentage error)."""
    predicted, actual = rows["predicted"].astype(float), rows["actual"].astype(float)
    return ((predicted - actual) / actual).where(actual > 0)


def run_rate_error_of(rows: pd.DataFrame, errors: pd.Series) -> pd.Series:
    """For each row, the absolute percentage error of the run rate's forecast of the same period on the
    same date (NaN where there is none, or where the rows do not say which period and date), read from
    ``errors``, the rows' ``signed_errors``."""
    keys = ["granularity", "as_of", "period"]
    if rows.empty or not set(keys) <= set(rows.columns):
        return pd.Series(np.nan, index=rows.index, dtype=float)
    is_rr = rows["method"] == "run_rate"
    rr = rows.loc[is_rr, keys].assign(rr_ape=errors[is_rr].abs())
    joined = rows[keys].merge(rr.drop_duplicates(keys), on=keys, how="left")
    return pd.Series(joined["rr_ape"].to_numpy(float), index=rows.index)


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Error figures per granularity and method from backtest rows."""
    out = []
    errors = signed_errors(rows) if not rows.empty else pd.Series(dtype=float)
    reference = run_rate_error_of(rows, errors)
    for (gran, method), g in rows.groupby(["granularity", "method"], sort=True):
        scored = g[g["actual"] > 0]
        err = errors.loc[scored.index]
        ape = err.abs()
        paired = method != "run_rate" and not scored.empty and "period" in scored
        vs_rr, vs_rr_se = (excess_over(ape, reference.loc[scored.index], scored["period"]) if paired
                           else (float("nan"), float("nan")))
        calibrated = method == "calibrated"
        lo, hi = (g["p10_range"], g["p90_range"]) if "p10_range" in g else (g["p10"], g["p90"])
        inside = ((lo <= g["actual"]) & (g["actual"] <= hi)) if calibrated else None
        inside_sim = ((g["p10"] <= g["actual"]) & (g["actual"] <= g["p90"])) if calibrated else None
        out.append({
            "granularity": gran, "method": method, "n": len(g), "n_scored": len(scored),
            "mape": float(ape.mean()) if len(ape) else np.nan,
            "median_ape": float(ape.median()) if len(ape) else np.nan,
            "bias": float(err.mean()) if len(err) else np.nan,
            "within_5": float((ape <= WITHIN_CLOSE).mean()) if len(ape) else np.nan,
            "within_10": float((ape <= WITHIN).mean()) if len(ape) else np.nan,
            "coverage": float(inside.mean()) if inside is not None and len(g) else np.nan,
            "coverage_sim": float(inside_sim.mean()) if inside_sim is not None and len(g) else np.nan,
            "vs_run_rate": vs_rr, "vs_run_rate_se": vs_rr_se,
        })
    cols = ["granularity", "method", "n", "n_scored", "mape", "median_ape", "bias", "within_5", "within_10",
            "coverage", "coverage_sim", "vs_run_rate", "vs_run_rate_se"]
    return pd.DataFrame(out, columns=cols)


def method_label(method: str, *, inline: bool = False) -> Message:
    """A method's name (``forecast.method.calibrated``); ``inline`` for inside a sentence."""
    return Message.of(f"forecast.{'method_inline' if inline else 'method'}.{method}")


def choose_method(summary: pd.DataFrame, granularity: str = QUARTER) -> tuple[str, Message]:
    """The method to show for forecasts of ``granularity`` and why, as a message (module docstring).

    The backtest of that granularity decides; without it, the other one.
    """
    order = [granularity] + [g for g in (QUARTER, MONTH) if g != granularity]
    for gran in order:
        s = summary[(summary["granularity"] == gran) & summary["mape"].notna()]
        if s.empty:
            continue
        mape = dict(zip(s["method"], s["mape"]))
        # run rate first so that it wins ties; only SHOWABLE methods may be shown, the others are quoted
        order = sorted(mape, key=lambda m: (m not in SHOWABLE, mape[m], m != "run_rate"))
        if order[0] not in SHOWABLE:  # a replay kept without the run rate: nothing proves a method better
            continue
        best = order[0]
        n = int(s["n_scored"].max())
        noise = _noise_hiding_the_run_rate(s[s["method"] == BLEND])
        if best == "run_rate" and BLEND in mape and noise is not None:
            return BLEND, Message.of("forecast.reason.blend_within_noise", n=n,
                                     granularity=Message.of(f"forecast.granularity.{gran}"),
                                     error=float(mape[BLEND]), run_rate=float(mape["run_rate"]), noise=noise)
        others = [Message.of("forecast.reason.other_method", method=method_label(m, inline=True),
                             error=float(mape[m])) for m in order[1:]]
        figures = dict(n=n, method=method_label(best), granularity=Message.of(f"forecast.granularity.{gran}"),
                       error=float(mape[best]))
        if not others:
            return best, Message.of("forecast.reason.best_method_alone", **figures)
        # lowest of all, or only of the two that may be shown: the reason says which, the others quoted
        key = "best_method" if mape[best] <= min(mape.values()) else "best_shown"
        return best, Message.of(f"forecast.reason.{key}", **figures, others=chained("forecast.list", others))
    return "run_rate", Message.of("forecast.reason.short_history")


def _noise_hiding_the_run_rate(blend: pd.DataFrame) -> float | None:
    """``NOISE_Z`` standard errors of the blend's excess error over the run rate (its summary row) when
    that excess is below them, else None (nothing measured, or the run rate ahead beyond chance)."""
    if "vs_run_rate" not in blend or blend.empty:
        return None
    excess, se = float(blend["vs_run_rate"].iloc[0]), float(blend["vs_run_rate_se"].iloc[0])
    noise = NOISE_Z * se
    return noise if np.isfinite(excess) and np.isfinite(noise) and excess < noise else None


def range_score(p10: np.ndarray, p90: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """max(log(P10 / actual), log(actual / P90)) per forecast: negative inside the range, the log
    factor it missed by outside; nothing won against a P10 above zero is missed by any factor."""
    p10, p90, actual = (np.asarray(x, float) for x in (p10, p90, actual))
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(p10 > 0, np.log(p10 / actual), -np.inf)
        high = np.where(actual > 0, np.log(actual / p90), -np.inf)
    return np.maximum(low, high)


def range_weights(period_end: np.ndarray, as_of) -> np.ndarray:
    """The weight of past forecasts of periods ending on ``period_end`` in widening a range on ``as_of``
    (module docstring, "The range measured"): recent periods weigh more, as in the dispersion."""
    return recency_of(period_end, to_day(as_of))


def widen(p10: float, p90: float, floor: float, scores: np.ndarray | None,
          weights: np.ndarray | None = None) -> tuple[float, float]:
    """P10/P90 widened by the log factor that would have held ``RANGE_COVERAGE`` of the past
    forecasts whose ``range_score`` is ``scores``, each weighing ``weights`` (all 1 by default): their
    weighted empirical quantile, with no finite-sample correction (the conformal order statistic
    ⌈0.8 (n + 1)⌉ guarantees at least 80 % and on the replays held 84 to 88 %); never narrower than
    given and never below ``floor`` (what is already won).  Unchanged while the share of them outside
    is within ``RANGE_Z`` standard errors of one in five (``missed_beyond_noise``)."""
    if scores is None or len(scores) == 0:
        return p10, p90
    scores = np.nan_to_num(np.asarray(scores, float), nan=-np.inf, posinf=np.log(1e6))
    weights = np.ones(len(scores)) if weights is None else np.asarray(weights, float)
    if not missed_beyond_noise(scores, weights):
        return p10, p90
    # to 9 decimals, far finer than its evidence: the replay's rows and the same rows as the workbook keeps
    # them (15 significant digits) then widen by the very same factor, and so show the same numbers
    q = round(weighted_quantile(scores, weights, RANGE_COVERAGE), 9)
    if not q > 0:
        return p10, p90
    return max(floor, p10 * float(np.exp(-q))), p90 * float(np.exp(q))


def missed_beyond_noise(scores: np.ndarray, weights: np.ndarray) -> bool:
    """Whether the weighted share of past forecasts whose actual fell outside their range (``range_score``
    above 0) exceeds 1 − ``RANGE_COVERAGE`` by more than ``RANGE_Z`` standard errors of a share measured on
    their effective number, (Σw)² ÷ Σw²."""
    total = float(np.sum(weights))
    if not total > 0:
        return False
    share_out = float(np.sum(weights[scores > 0])) / total
    effective = total ** 2 / float(np.sum(weights ** 2))
    promised_out = 1.0 - RANGE_COVERAGE
    return share_out > promised_out + RANGE_Z * float(np.sqrt(promised_out * RANGE_COVERAGE / effective))


def widen_ranges(rows: pd.DataFrame) -> pd.DataFrame:
    """p10_range / p90_range of each calibrated row from the forecasts of periods over before its date, and
    prob_shown, its P(reach target) as the live forecast shows it (``kpicore.forecast.shown``: read from
    those periods' errors when they widened the range)."""
    rows = rows.copy()
    if "prob_reach" not in rows:  # a replay kept before P(reach target) was scored
        rows["target"], rows["prob_reach"] = np.nan, np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["log_ratio"] = np.log(rows["actual"].astype(float) / rows["predicted"].astype(float))
    rows.loc[rows["method"] != "calibrated", "log_ratio"] = np.nan
    rows["p10_range"], rows["p90_range"] = rows["p10"].astype(float), rows["p90"].astype(float)
    cal = rows["method"] == "calibrated"
    rows["range_score"] = np.nan
    rows.loc[cal, "range_score"] = range_score(rows.loc[cal, "p10"], rows.loc[cal, "p90"], rows.loc[cal, "actual"])
    for _, group in rows[cal].groupby(["granularity", "third"]):
        ends = group["period_end"].to_numpy()
        scores = group["range_score"].to_numpy(float)
        ranges = [widen(p10, p90, won, scores[ends < as_of], range_weights(ends[ends < as_of], as_of))
                  if np.count_nonzero(ends < as_of) >= RANGE_MIN_POINTS else (p10, p90)
                  for as_of, p10, p90, won in zip(group["as_of"].to_numpy(), group["p10"].to_numpy(float),
                                                  group["p90"].to_numpy(float), group["won_to_date"].to_numpy(float))]
        rows.loc[group.index, ["p10_range", "p90_range"]] = np.array(ranges, dtype=float).reshape(-1, 2)
    rows["prob_shown"] = rows["prob_reach"].astype(float)
    for _, group in rows[cal].groupby(["granularity", "third"]):
        ends = group["period_end"].to_numpy()
        errors = group["log_ratio"].to_numpy(float)
        widened = (group["p10_range"] != group["p10"]) | (group["p90_range"] != group["p90"])
        probs = group["prob_reach"].to_numpy(float).copy()
        for i, (as_of, target, point, won) in enumerate(zip(group["as_of"].to_numpy(), group["target"].to_numpy(float),
                                                          group["predicted"].to_numpy(float),
                                                          group["won_to_date"].to_numpy(float))):
            past = errors[(ends < as_of) & np.isfinite(errors)]
            if widened.iloc[i] and np.isfinite(target) and len(past) >= RANGE_MIN_POINTS:
                probs[i] = reach_from_errors(point, won, target, past)
        rows.loc[group.index, "prob_shown"] = probs
    return rows


def reach_from_errors(point: float, won_to_date: float, target: float, errors: np.ndarray) -> float:
    """P(reach target) read from past errors ``errors`` (log(actual / calibrated point)) rather than from the
    simulation: the share of them that would have taken today's calibrated point to the target (1 once it is won)."""
    return 1.0 if won_to_date >= target else float(np.mean(point * np.exp(errors) >= target))


class _Measures:
    """The calibrated forecasts replayed so far, by granularity and third, for their dispersion."""

    def __init__(self):
        self.by_key: dict[tuple[str, int], list[tuple]] = {}

    def add(self, granularity: str, third: int, record: tuple) -> None:
        self.by_key.setdefault((granularity, third), []).append(record)

    def dispersion(self, granularity: str, third: int, before: pd.Timestamp) -> Dispersion:
        got = [r for r in self.by_key.get((granularity, third), ()) if r[0] < before]
        if not got:
            return NO_MEASURE
        end, actual, won, mean, var, period = zip(*got)
        return measured(np.array(actual), np.array(won), np.array(mean), np.array(var), np.array(period),
                        recency_of(np.array(end, "datetime64[ns]"), before))


def _replay_dates(start: pd.Timestamp, end: pd.Timestamp, every_days: int,
                  granularities: tuple[str, ...]) -> list[pd.Timestamp]:
    """Every ``every_days`` days from ``start``, and the Day-One of every period between (its first
    working day: the forecast each period is judged by first)."""
    dates = set(pd.date_range(start, end, freq=f"{every_days}D"))
    for granularity in granularities:
        per = Period.containing(granularity, start)
        while per.start_ts <= end:
            if start <= per.day_one <= end:
                dates.add(per.day_one)
            per = per.next()
    return sorted(dates)


def backtest(data: PipelineData, *, start=None, end=None, every_days: int = 7,
             scope: tuple[str, str] = COMPANY_SCOPE, granularities: tuple[str, ...] = GRANULARITIES,
             n_sims: int = BACKTEST_SIMS, seed: int = 0, context: ForecastContext | None = None,
             earlier: Backtest | None = None, earlier_end=None) -> Backtest:
    """Replay forecasts every ``every_days`` days from ``start`` to ``end`` (module docstring).

    ``start`` defaults to one year after the first deal was created (so that
    the calibration has a year to learn from), ``end`` to the date of the data.

    ``earlier``: a replay of the same past up to ``earlier_end`` (same start, step, scope and draws;
    ``kpicore.forecast.kept_backtest`` checks the past is the same): its rows are kept and only the
    periods over after ``earlier_end`` are replayed.  Each row depends only on what was known at its
    own date (``Backtest.up_to``), so the rows are a full replay's, the kept ones to the digits the
    workbook keeps them with; the range of every row is widened again over them all.
    """
    ctx = prepare(data) if context is None else context
    today = ctx.today
    end = today if end is None else min(to_day(end), today)
    first = data.deals["created_on"].min()
    if pd.isna(first):
        dates: list[pd.Timestamp] = []
    else:
        start = to_day(first) + pd.Timedelta(days=365) if start is None else to_day(start)
        dates = _replay_dates(start, end, every_days, granularities)
    owners = owners_of(scope, ctx.rep_team)
    won_on, won_amount = _actual_won(data, owners)

    records = []
    measures = _Measures()
    done_until, kept = None, pd.DataFrame(columns=COLUMNS)
    if earlier is not None:
        done_until = to_day(earlier_end)
        kept = earlier.rows.loc[earlier.rows["period_end"] <= done_until, COLUMNS]
        for r in kept[kept["method"] == "calibrated"].itertuples(index=False):
            measures.add(r.granularity, int(r.third), (r.period_end, r.actual, r.won_to_date, r.future_mean,
                                                       r.future_var, r.period))
    plan = {}
    for as_of in dates:
        # scored only once over by ``end``: a backtest that chooses the method of a forecast
        # made as of ``end`` must not see what was won after it
        periods = [p for p in (Period.containing(g, as_of) for g in granularities)
                   if p.end_ts <= end and (done_until is None or p.end_ts > done_until)]
        if periods:
            plan[as_of] = periods
    used = list(plan)
    # one reconstruction for every date (the same code as the live forecast)
    # deals closed more than ~4 months before a date change nothing to its month or quarter
    # (won to date <= 92 days, run rate 91 days): dropping them keeps a large company cheap
    for pipe in pipelines_as_of(data, used, closed_within=CLOSED_WITHIN_DAYS, today=today):
        pa = PipelineArrays(ctx, pipe)
        for per in plan[pipe.as_of]:
            third = third_of(per.days_elapsed(pipe.as_of) / per.days)
            # how far periods over before this date strayed from their simulation (out of sample)
            disp = measures.dispersion(per.kind, third, pipe.as_of)
            factor = period_factor(disp.spread, n_sims, seed, f"{per.code}|{pipe.as_of.date()}", disp.level)
            fc = forecast_scope(ctx, pa, per, scope, n_sims=n_sims, seed=seed, method_shown="calibrated",
                                period_factor=factor)
            lo, hi = np.datetime64(per.start_ts, "ns"), np.datetime64(per.end_ts, "ns")
            actual = float(won_amount[(won_on >= lo) & (won_on <= hi)].sum())
            measures.add(per.kind, third, (per.end_ts, actual, fc.won_to_date, fc.future_mean, fc.future_var,
                                           per.code))
            day_one = per.day_one == pipe.as_of
            for method in (m for m in METHODS if m != BLEND):  # with_blend writes the blend's rows, out of sample
                records.append({"as_of": pipe.as_of, "day_one": day_one, "granularity": per.kind,
                                "period": per.code, "method": method,
                                "predicted": fc.point(method), "actual": actual,
                                "p10": fc.p10, "p90": fc.p90, "period_end": per.end_ts, "third": third,
                                "won_to_date": fc.won_to_date, "future_mean": fc.future_mean,
                                "future_var": fc.future_var, "excess": disp.excess,
                                "target": np.nan if fc.target is None else fc.target,
                                "prob_reach": np.nan if fc.prob_reach_target is None else fc.prob_reach_target})

    rows = pd.DataFrame(records, columns=COLUMNS)
    if len(kept):
        # an empty frame of records holds objects: concatenated, it would make every column one
        both = pd.concat([kept.astype(rows.dtypes.to_dict()), rows], ignore_index=True) if len(rows) else kept
        rows = _in_replay_order(both, granularities)
        used = sorted(set(rows["as_of"]))
    rows = widen_ranges(with_blend(rows))
    rows["error"] = signed_errors(rows)
    summary = summarise(rows)
    method, reason = choose_method(summary)
    return Backtest(scope=scope, as_of_dates=tuple(used), method_shown=method, reason=reason,
                    rows=rows, summary=summary)


def _in_replay_order(rows: pd.DataFrame, granularities: tuple[str, ...]) -> pd.DataFrame:
    """``rows`` in the order a replay writes them: by date, then granularity, then method."""
    rank_g = rows["granularity"].map({g: i for i, g in enumerate(granularities)})
    rank_m = rows["method"].map({m: i for i, m in enumerate(METHODS)})
    order = np.lexsort((rank_m.to_numpy(), rank_g.to_numpy(), rows["as_of"].to_numpy("datetime64[ns]")))
    return rows.iloc[order].reset_index(drop=True)


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 4)


def backtest_json(bt: Backtest, *, source: str, text: Callable[[Message], str]) -> dict:
    """The backtest as a document valid against ``kpicore/model/json_schemas/backtest.v3.json``.

    ``source``: the file the data came from (``PipelineData.source``). The
    envelope's ``as_of`` is null: the replay's dates are ``as_of_first`` to ``as_of_last``.
    ``text`` renders the reason in the reader's language (the edge gives it).
    """
    return {
        **envelope("backtest", source, None),
        "scope": scope_json(bt.scope, text),
        "as_of_first": bt.as_of_dates[0].date().isoformat() if bt.as_of_dates else None,
        "as_of_last": bt.as_of_dates[-1].date().isoformat() if bt.as_of_dates else None,
        "n_as_of": len(bt.as_of_dates),
        "method_shown": bt.method_shown,
        "reason_text": text(bt.reason),
        "summary": [
            {"granularity": r.granularity, "method": r.method, "n": int(r.n), "n_scored": int(r.n_scored),
             "mape": _num(r.mape), "median_ape": _num(r.median_ape), "bias": _num(r.bias),
             "within_5": _num(r.within_5), "within_10": _num(r.within_10), "coverage": _num(r.coverage)}
            for r in bt.summary.itertuples(index=False)
        ],
        "day_one": [
            {"granularity": gran, "method": method, "period": d.period, "as_of": pd.Timestamp(d.as_of).date().isoformat(),
             "predicted": _num(d.predicted), "actual": _num(d.actual), "error": _num(d.error),
             "inside": bool(d.inside)}
            for gran in GRANULARITIES for method, _ in [bt.method_for(gran)]
            for d in bt.day_one(gran, method).itertuples(index=False)
        ],
    }
