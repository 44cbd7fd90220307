"""The calibrated figure is the point of least expected percentage error of its draws
(kpicore.forecast.quantiles; Gneiting, JASA 2011): checked by hand and against a brute-force search."""

import numpy as np
import pytest

from kpicore.forecast.quantiles import least_error_point, weighted_quantile


def test_weighted_quantile_by_hand():
    # sorted: 1 (weight 1), 2 (weight 2), 3 (weight 1): cumulative shares 0.25, 0.75, 1
    values, weights = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0])
    assert weighted_quantile(values, weights, 0.25) == 1.0  # reached exactly by the first
    assert weighted_quantile(values, weights, 0.5) == 2.0
    assert weighted_quantile(values, weights, 0.8) == 3.0
    assert weighted_quantile(values, np.ones(3), 0.5) == 2.0  # equal weights: the plain median


def test_least_error_point_by_hand():
    # weights 1/100 twice and 1/300 three times: 0.02 against 0.01, so half the weight (0.015) is reached
    # on the second 100, where the plain median is 300
    assert least_error_point(np.array([300.0, 100.0, 300.0, 100.0, 300.0]), fallback=0.0) == 100.0
    # a draw that wins nothing has no percentage error: 100 (0.01), 200 (0.005), 400 (0.0025); half of
    # 0.0175 is 0.00875, reached by 100
    assert least_error_point(np.array([0.0, 400.0, 200.0, 100.0]), fallback=0.0) == 100.0
    assert least_error_point(np.zeros(5), fallback=7.0) == 7.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_draw_has_a_lower_mean_percentage_error(seed):
    rng = np.random.default_rng(seed)
    # a period that may win little: a lognormal total, a fifth of the draws adding only a small won to date
    totals = np.where(rng.random(600) < 0.2, 50.0, rng.lognormal(np.log(1_000), 0.8, 600))
    point = least_error_point(totals, fallback=0.0)

    def mean_error(c):
        return float(np.mean(np.abs(c - totals) / totals))

    brute = min(np.unique(totals), key=mean_error)
    assert mean_error(point) == pytest.approx(mean_error(brute), rel=1e-12)
    assert mean_error(point) < mean_error(float(np.median(totals)))


@pytest.fixture(scope="module")
def quarter_forecasts():
    from support.forecast_synth import draw, known_at
    from kpicore.forecast.shown import forecast

    out = []
    for seed in range(4):
        truth = draw(seed, "2024-01-01", "2025-12-31", rate=3.0, q=0.3, theta=1 / 30)
        out.append(forecast(known_at(truth, "2025-09-30"), "2025-Q4", method_shown="calibrated", n_sims=2000,
                            seed=seed, measured_range=False))
    return out


def test_the_calibrated_figure_sits_below_the_median_as_a_lognormal_of_that_range_would(quarter_forecasts):
    # for a lognormal total of log-spread s, the point of least percentage error is the median × exp(−s²)
    # (the median of f(y)/y); s read from the range, log(P90 / P10) = 2 × 1.2816 s. A quarter of a few
    # hundred independent deals is close to lognormal: the ratio within one point of that
    for fc in quarter_forecasts:
        s = np.log(fc.p90 / fc.p10) / (2 * 1.2816)
        assert fc.point("calibrated") / fc.p50 == pytest.approx(np.exp(-s * s), abs=0.01)
        assert fc.point("calibrated") < fc.p50
        # the blend mixes the calibrated figure, not the median
        assert fc.point("blend") == pytest.approx(fc.blend_weight * fc.point("calibrated")
                                                  + (1 - fc.blend_weight) * fc.run_rate)
