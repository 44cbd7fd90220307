"""The blend of the calibrated forecast and the run rate (kpicore.forecast.blend) and the choice of the
method shown between it and the run rate (kpicore.forecast.backtest.choose_method)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpicore.forecast import blend
from kpicore.forecast.backtest import Backtest, choose_method, summarise
from kpicore.forecast.blend import BLEND, BLEND_MIN_PERIODS, GRID, PRIOR_WEIGHT, learned_weight, with_blend
from kpicore.text.catalogue import render


def _month_end(i: int) -> pd.Timestamp:
    return pd.Timestamp("2024-01-01") + pd.offsets.MonthEnd(i + 1)


def _rows(actuals: list[float], calibrated: list[float], run_rate: list[float]) -> pd.DataFrame:
    """Backtest rows of one forecast per month (its first day, the first third), month i of 2024."""
    out = []
    for i, (a, c, r) in enumerate(zip(actuals, calibrated, run_rate)):
        start = pd.Timestamp("2024-01-01") + pd.DateOffset(months=i)
        for method, p in (("calibrated", c), ("run_rate", r), ("weighted_declared", 2 * c)):
            out.append({"as_of": start, "granularity": "month", "period": start.strftime("%Y-%m"), "method": method,
                        "predicted": float(p), "actual": float(a), "period_end": _month_end(i), "third": 0,
                        "p10": 0.0, "p90": 0.0})
    return pd.DataFrame(out)


def test_weight_hand_computed_on_four_periods(monkeypatch):
    # calibrated 100, run rate 200: a mix with weight w says 200 - 100 w; the four actuals 150, 150, 120, 180
    # are hit exactly by w = 0.5, 0.5, 0.8, 0.2, each period's error |200 - 100 w - a| / a.  At w = 0.5:
    # 0, 0, 30/120, 30/180; at 0.4: 10/150, 10/150, 40/120, 20/180; at 0.6: 10/150, 10/150, 20/120, 40/180.
    # Recency weighs the four periods (ends Jan-Apr 2024, forecast on 1 May) 0.5 ** (age / 365).
    monkeypatch.setattr(blend, "BLEND_MIN_PERIODS", 4)
    actual = np.array([150.0, 150.0, 120.0, 180.0])
    ends = np.array([_month_end(i) for i in range(4)], dtype="datetime64[ns]")
    as_of = pd.Timestamp("2024-05-01")
    age = np.array([(as_of - pd.Timestamp(e)).days for e in ends], float)
    r = 0.5 ** (age / 365.0)

    def mape(w: float) -> float:
        return float(np.sum(r * np.abs(200 - 100 * w - actual) / actual) / r.sum())

    assert mape(0.5) < mape(0.4) and mape(0.5) < mape(0.6)  # the hand reasoning above, checked
    # against the calibrated figure alone (w = 1: errors 50/150, 50/150, 20/120, 80/180) each period
    # gains 1/3, 1/3, -1/12, 5/18 with w = 0.5: a mean of about 0.21 for a clustered standard error of
    # about 0.10 (one period per cluster), beyond two of them
    gain = np.array([1 / 3, 1 / 3, -1 / 12, 5 / 18])
    mean = float(np.sum(r * gain) / r.sum())
    se = float(np.sqrt(np.sum((r * (gain - mean)) ** 2) * 4 / 3) / r.sum())
    assert 0.19 < mean < 0.23 and 0.09 < se < 0.11 and mean > 2 * se
    w = learned_weight(np.full(4, 100.0), np.full(4, 200.0), actual, np.array(["a", "b", "c", "d"]), ends, as_of)
    assert w == 0.5
    assert w == min(GRID, key=mape)


def test_a_weight_ahead_by_chance_keeps_the_calibrated_figure():
    # calibrated 100, run rate 200 (the mix says 200 - 100 w); five months won 150, three won 100.  Summed
    # errors: w >= 0.5 gives 5 (100 w - 50) / 150 + 3 (1 - w) = 4/3 + w / 3, w <= 0.5 gives 14/3 - 19 w / 3:
    # w = 0.5 errs least, 1.5 / 8 against 5/3 / 8 for w = 1.  But its gain is 1/3 on five months and -1/2
    # on three: a mean of 1/48 for a standard error near 0.15, far within the noise of eight months.
    n = 8
    actual = np.array([150.0, 100.0, 150.0, 100.0, 150.0, 100.0, 150.0, 150.0])
    ends = np.array([_month_end(i) for i in range(n)], dtype="datetime64[ns]")
    as_of = pd.Timestamp("2024-10-01")
    r = 0.5 ** (np.array([(as_of - pd.Timestamp(e)).days for e in ends], float) / 365.0)

    def mape(w: float) -> float:
        return float(np.sum(r * np.abs(200 - 100 * w - actual) / actual) / r.sum())

    assert min(GRID, key=mape) == 0.5 and mape(0.5) < mape(1.0)
    gain = np.where(actual == 150.0, 1 / 3, -1 / 2)
    mean = float(np.sum(r * gain) / r.sum())
    se = float(np.sqrt(np.sum((r * (gain - mean)) ** 2) * n / (n - 1)) / r.sum())
    assert 0 < mean < 2 * se
    w = learned_weight(np.full(n, 100.0), np.full(n, 200.0), actual, np.arange(n), ends, as_of)
    assert w == PRIOR_WEIGHT == 1.0


def test_a_period_that_won_almost_nothing_does_not_decide_the_weight():
    # calibrated 100, run rate 200: the mix says 200 - 100 w.  Five months won 150 (w = 0.5 exact; w = 1
    # errs 50 / 150 each); the sixth won 5: 195 - 100 w over 5, 29 at w = 0.5 and 19 at w = 1, so uncapped
    # that one month outweighs the five (a gap of 10 against 5 × 1/3) and the weight would go to 1, the
    # lower forecast.  Capped at 100 %, it errs 1 whatever the weight: w = 0.5.
    n = BLEND_MIN_PERIODS
    actual = np.array([150.0] * (n - 1) + [5.0])
    ends = np.array([_month_end(i) for i in range(n)], dtype="datetime64[ns]")
    as_of = pd.Timestamp("2024-08-01")
    r = 0.5 ** (np.array([(as_of - pd.Timestamp(e)).days for e in ends], float) / 365.0)

    def mape(w: float, cap: float = np.inf) -> float:
        return float(np.sum(r * np.minimum(np.abs(200 - 100 * w - actual) / actual, cap)) / r.sum())

    assert min(GRID, key=mape) == 1.0  # uncapped, the month of 5 decides
    assert min(GRID, key=lambda w: mape(w, 1.0)) == 0.5
    w = learned_weight(np.full(n, 100.0), np.full(n, 200.0), actual, np.arange(n), ends, as_of)
    assert w == 0.5


def test_exact_mix_recovered(monkeypatch):
    # every actual is 0.7 × calibrated + 0.3 × run rate: only w = 0.7 has no error
    monkeypatch.setattr(blend, "BLEND_MIN_PERIODS", 4)
    cal = np.array([100.0, 80.0, 120.0, 90.0, 110.0])
    rr = np.array([60.0, 100.0, 90.0, 130.0, 70.0])
    ends = np.array([_month_end(i) for i in range(5)], dtype="datetime64[ns]")
    w = learned_weight(cal, rr, 0.7 * cal + 0.3 * rr, np.arange(5), ends, pd.Timestamp("2024-07-01"))
    assert w == 0.7


def test_too_few_periods_give_the_calibrated_figure():
    n = BLEND_MIN_PERIODS - 1
    ends = np.array([_month_end(i) for i in range(n)], dtype="datetime64[ns]")
    # many forecasts, all won exactly the run rate's figure, but of fewer periods than needed: nothing learned
    w = learned_weight(np.full(3 * n, 100.0), np.full(3 * n, 50.0), np.full(3 * n, 50.0),
                       np.repeat(np.arange(n), 3), np.repeat(ends, 3), pd.Timestamp("2025-01-01"))
    assert w == PRIOR_WEIGHT == 1.0


def test_ties_keep_the_calibrated_figure():
    # calibrated = run rate: every weight errs alike, none gains anything over the calibrated figure alone
    n = BLEND_MIN_PERIODS + 2
    ends = np.array([_month_end(i) for i in range(n)], dtype="datetime64[ns]")
    w = learned_weight(np.full(n, 90.0), np.full(n, 90.0), np.full(n, 100.0), np.arange(n), ends,
                       pd.Timestamp("2025-06-01"))
    assert w == 1.0


def test_no_look_ahead():
    n = BLEND_MIN_PERIODS + 4
    rng = np.random.default_rng(3)
    actual = list(rng.uniform(80, 120, n))
    cal, rr = list(rng.uniform(70, 130, n)), list(rng.uniform(70, 130, n))
    before = with_blend(_rows(actual, cal, rr))
    changed = actual.copy()
    changed[-2] *= 3.0  # the second last month's actual: known only once that month is over
    after = with_blend(_rows(changed, cal, rr))
    b, a = before[before["method"] == BLEND], after[after["method"] == BLEND]
    assert len(b) == n
    # every forecast made before that month was over keeps its weight and its figure
    np.testing.assert_array_equal(b["blend_weight"].to_numpy()[:n - 1], a["blend_weight"].to_numpy()[:n - 1])
    np.testing.assert_array_equal(b["predicted"].to_numpy()[:n - 1], a["predicted"].to_numpy()[:n - 1])
    # the weights are learned only once enough months are over: the first ones are the calibrated figure's
    assert (b["blend_weight"].to_numpy()[:BLEND_MIN_PERIODS] == PRIOR_WEIGHT).all()


def test_blend_rows_mix_the_two_methods_and_replace_earlier_ones():
    rows = _rows([100.0] * 3, [80.0, 90.0, 110.0], [120.0, 100.0, 95.0])
    once = with_blend(rows)
    twice = with_blend(once)
    pd.testing.assert_frame_equal(once, twice)
    got = once[once["method"] == BLEND]
    # too few months for any weight to be learned: the calibrated figure
    np.testing.assert_allclose(got["predicted"], [80.0, 90.0, 110.0])
    # written after the other methods of the same date
    assert list(once["method"][:4]) == ["calibrated", "run_rate", "weighted_declared", BLEND]


def _summary(mape: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"granularity": "quarter", "method": m, "n": 20, "n_scored": 20, "mape": e}
                         for m, e in mape.items()])


def test_the_blend_shown_only_when_it_beats_the_run_rate():
    shown, reason = choose_method(_summary({"calibrated": 0.20, "run_rate": 0.15, "weighted_declared": 0.30,
                                            BLEND: 0.12}))
    assert shown == BLEND and reason.code == "forecast.reason.best_method"
    shown, _ = choose_method(_summary({"calibrated": 0.20, "run_rate": 0.15, "weighted_declared": 0.30,
                                       BLEND: 0.15}))
    assert shown == "run_rate"  # a tie: the run rate
    shown, _ = choose_method(_summary({"calibrated": 0.20, "run_rate": 0.15, "weighted_declared": 0.30,
                                       BLEND: 0.16}))
    assert shown == "run_rate"


def test_a_single_method_better_than_the_blend_is_quoted_not_shown():
    shown, reason = choose_method(_summary({"calibrated": 0.10, "run_rate": 0.15, "weighted_declared": 0.30,
                                            BLEND: 0.12}))
    assert shown == BLEND
    # the reason does not claim the lowest error of all: the lower of the two that may be shown
    assert reason.code == "forecast.reason.best_shown"


def test_backtest_blend_weight_reads_the_periods_over_before(monkeypatch):
    monkeypatch.setattr(blend, "BLEND_MIN_PERIODS", 4)
    cal = [100.0, 80.0, 120.0, 90.0, 110.0, 100.0]
    rr = [60.0, 100.0, 90.0, 130.0, 70.0, 100.0]
    actual = [0.3 * c + 0.7 * r for c, r in zip(cal, rr)]
    actual[-1] = 500.0  # the last month is not over on the forecast's date: it must not count
    rows = with_blend(_rows(actual, cal, rr))
    bt = Backtest.from_rows(rows)
    assert bt.blend_weight("month", pd.Timestamp("2024-06-15")) == 0.3
    # the replay's own row for June learned the same weight
    june = rows[(rows["method"] == BLEND) & (rows["period"] == "2024-06")]
    assert float(june["blend_weight"].iloc[0]) == 0.3
    assert summarise(rows)["method"].tolist().count(BLEND) == 1


@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0])
def test_forecast_point_of_the_blend(weight):
    from kpicore.forecast.forecasting import Forecast

    ts = pd.Timestamp("2024-06-01")
    fc = Forecast(period="2024-06", period_label="juin 2024", period_start=ts, period_end=ts, as_of=ts,
                  scope=("company", ""), won_to_date=10.0, weighted_declared=5.0, calibrated=50.0, new_deals=0.0,
                  run_rate=200.0, p10=40.0, p50=100.0, p90=160.0, target=None, prob_reach_target=None,
                  method_shown=BLEND, shown=0.0, blend_weight=weight)
    assert fc.point(BLEND) == pytest.approx(weight * 100.0 + (1 - weight) * 200.0)


# -- the noise of the measure: the blend is not dropped for a run rate ahead by chance ---------------
def _paired_rows() -> pd.DataFrame:
    """Two forecasts of each of two months, all won 100: the run rate erred 10, 10, 10, 20 %, the blend
    20, 10, 30, 50 %."""
    out = []
    dates = pd.to_datetime(["2024-01-02", "2024-01-16", "2024-02-01", "2024-02-15"])
    for day, period, rr, bl in zip(dates, ["2024-01", "2024-01", "2024-02", "2024-02"],
                                   [110.0, 110.0, 110.0, 120.0], [120.0, 90.0, 130.0, 150.0]):
        for method, p in (("run_rate", rr), (BLEND, bl)):
            out.append({"as_of": day, "granularity": "quarter", "period": period, "method": method,
                        "predicted": p, "actual": 100.0, "p10": 0.0, "p90": 0.0})
    return pd.DataFrame(out)


def test_the_blend_excess_over_the_run_rate_has_a_standard_error_clustered_by_period():
    summary = summarise(_paired_rows())
    got = summary[summary["method"] == BLEND].iloc[0]
    # differences 0.10, 0.00, 0.20, 0.30: mean 0.15; residuals summed per month -0.20 and +0.20,
    # so se = √((0.04 + 0.04) × 2 / 1) / 4 = 0.10
    assert got["vs_run_rate"] == pytest.approx(0.15)
    assert got["vs_run_rate_se"] == pytest.approx(0.10)
    assert np.isnan(summary.loc[summary["method"] == "run_rate", "vs_run_rate"].iloc[0])


def _noisy(excess: float, se: float) -> pd.DataFrame:
    s = _summary({"calibrated": 0.20, "run_rate": 0.15, "weighted_declared": 0.30, BLEND: 0.15 + excess})
    s["vs_run_rate"] = [np.nan, np.nan, np.nan, excess]
    s["vs_run_rate_se"] = [np.nan, np.nan, np.nan, se]
    return s


def test_the_blend_stays_shown_while_the_run_rate_is_ahead_by_less_than_two_standard_errors():
    shown, reason = choose_method(_noisy(0.03, 0.02))  # 3 points behind, 2 × 2 = 4 points of noise
    assert shown == BLEND and reason.code == "forecast.reason.blend_within_noise"
    assert render(reason, "fr") == (
        "Backtest sur 20 prévisions passées : le mélange calibré / rythme a une erreur trimestrielle moyenne "
        "de 18\u00a0%, le rythme des 91 derniers jours 15\u00a0% ; un écart dans le bruit de la mesure "
        "(±4\u00a0%) : le mélange reste affiché tant que le rythme ne fait pas mieux au-delà du hasard.")
    assert choose_method(_noisy(0.03, 0.01))[0] == "run_rate"  # 3 points behind, 2 points of noise
    assert choose_method(_noisy(0.03, np.nan))[0] == "run_rate"  # a single period: nothing measured
