"""The calibration recovers each effect of a documented process whose answers are known by construction.

The process is ``tests/support/processes.py`` (its module docstring is the documented source):
stage, age in stage and size band each change the win probability and its timing.  The history is
drawn once; at four as-of dates in 2025 the deals open that day get a probability from
``kpicore.forecast.calibration.win_probability`` (learning only from photographs taken at least h
days before the as-of date), and a TRUTH computed by a Monte Carlo of the generator's own rules from
each deal's stage, age in stage and size band, never from the drawn outcomes.

Tolerance of a group (a stage, an age band, a size band) of live deals, derived from the process:

- sampling error of the learned cells: each cell c of the calibration (stage, age band, size
  tercile) is a share won among photographs; one deal open for ten weeks gives ten correlated
  photographs, so its variance is taken as p_c (1 - p_c) / n_c with n_c the number of DISTINCT
  deals photographed in the cell (at the earliest as-of date, the smallest training set; the
  later as-of dates reuse most of it, so their cells are counted as one estimate, not as
  independent ones);
- heterogeneity within a cell: a cell pools ages within its band and the generator's size bands
  within its tercile, so the mean truth of the live deals of a cell differs from that of the
  photographs behind it by the sampling of its composition: variance sd_c^2 / m_c, sd_c the
  spread of the truth among the m_c live deals of the cell;
- a group cut across cells (the generator's size band is not the calibration's tercile of the
  amounts photographed) differs from the cells' pooled truth by a gap computed from the truth
  itself, added in full;
- a group mean weights its cells by their share w_c of the group.  One deal's outcome is counted
  in every cell it passed through (its stages, its ages), so the learned cells' standard errors
  within one size tercile are added linearly (fully correlated, an upper bound); a deal's amount
  puts it in one tercile only, so the terciles and the composition terms add in quadrature:
  se^2 = sum_t (sum_{c in t} w_c sqrt(p_c (1 - p_c) / n_c))^2 + sum_c w_c^2 sd_c^2 / m_c;
- the tolerance is z se + |gap|, z chosen so that the whole family of comparisons of this module
  has a false alarm below 1 % (Bonferroni over N_COMPARISONS two-sided tests).
"""

from __future__ import annotations

import dataclasses
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from kpicore.forecast.asof import reconstruct
from kpicore.forecast.calibration import AGE_EDGES, build_history, win_probability
from tests.support.processes import (ADVANCE, DWELL_DAYS, FUNNEL, PROCESSES, SIZE_SLOWER, SIZE_WIN, STALE_DAYS,
                                     STALE_FACTOR, draw, known_at, size_band)

DATA_DAY = pd.Timestamp("2025-12-31")
AS_OF = tuple(pd.Timestamp(d) for d in ("2025-03-31", "2025-06-30", "2025-09-30", "2025-11-30"))
HORIZONS = (30, 91)
MC_DRAWS = 20_000
# stages (4) + calibration age bands (5) + generator size bands (3), at each horizon, plus the late
# wins of each size band
N_COMPARISONS = 2 * (4 + 5 + 3) + 3
Z = NormalDist().inv_cdf(1 - 0.01 / (2 * N_COMPARISONS))


def age_band(age):
    """The calibration's age band (its AGE_EDGES, upper edges exclusive)."""
    return np.searchsorted(AGE_EDGES, np.asarray(age, float), side="right")


def tercile(amount, edges):
    """The calibration's size band: the tercile of the amounts photographed (no amount is missing here)."""
    return np.searchsorted(edges, np.asarray(amount, float), side="right")


def truth_won_within(stage, age, band, horizons, rng, n=MC_DRAWS):
    """P(won within each horizon) by the generator's rules: the dwell is geometric, so the remaining
    dwell of a deal already ``age`` days in its stage is geometric with the same mean; the stage's
    total dwell (age + remaining) decides staleness; the later stages start afresh."""
    stage, age, band = np.asarray(stage), np.asarray(age), np.asarray(band)
    m = len(stage)
    elapsed = np.zeros((m, n))
    alive = np.ones((m, n), bool)
    for s in range(len(FUNNEL)):
        mean = np.broadcast_to((DWELL_DAYS[s] * SIZE_SLOWER[band])[:, None], (m, n))
        dwell = rng.geometric(1 / mean)
        here = (stage == s)[:, None]
        total = np.where(here, age[:, None] + dwell, dwell)
        p = ADVANCE[s] * SIZE_WIN[band][:, None] * np.where(total > STALE_DAYS, STALE_FACTOR, 1.0)
        moves_on = rng.random((m, n)) < p
        active = (stage <= s)[:, None]
        elapsed = np.where(active, elapsed + dwell, elapsed)
        alive = np.where(active, alive & moves_on, alive)
    return {h: (alive & (elapsed <= h)).mean(axis=1) for h in horizons}


@pytest.fixture(scope="module")
def replay():
    # no market factor: the truth of a deal is then a function of its stage, age and band alone
    process = dataclasses.replace(PROCESSES["steady"], name="calibration", rate_per_day=4.0, market_sigma=0.0)
    history = draw(process, 1)
    data = known_at(history, DATA_DAY)
    hist = build_history(data, today=DATA_DAY)

    # the same photographs with their deal ids, to count distinct deals behind each cell
    anchor, start = pd.Timestamp("1970-01-05"), data.deals["created_on"].min()
    first = anchor + pd.Timedelta(days=7 * ((start - anchor).days // 7))
    obs = reconstruct(data, pd.date_range(first, DATA_DAY, freq="7D"), open_only=True, today=DATA_DAY)
    obs = obs[obs["status"] == "open"]
    assert (obs["as_of"].to_numpy("datetime64[ns]") == hist.ref).all()
    photo_deal = obs["deal_id"].to_numpy()

    stage_of_code = {code: FUNNEL.index(name) for name, code in hist.stage_codes.items()}
    rng = np.random.default_rng(0)
    rows, cells = [], {}
    for as_of in AS_OF:
        deals = data.deals
        open_ = ((deals["created_on"] <= as_of) & (deals["closed_on"].isna() | (deals["closed_on"] > as_of))).to_numpy()
        sh = data.stage_history[data.stage_history["entered_on"] <= as_of]
        last = sh.sort_values("entered_on", kind="stable").groupby("deal_id").last()
        live = deals[open_]
        stage = last.loc[live["deal_id"], "stage"].to_numpy()
        age = (as_of - last.loc[live["deal_id"], "entered_on"]).dt.days.to_numpy()
        amount = live["amount"].to_numpy(float)
        s_index = np.array([FUNNEL.index(s) for s in stage])
        band = size_band(process, amount)
        truth = truth_won_within(s_index, age, band, HORIZONS, rng)
        frame = pd.DataFrame({"as_of": as_of, "stage": s_index, "age": age, "band": band, "amount": amount,
                              "age_band": age_band(age.astype(float))})
        for h in HORIZONS:
            p, _ = win_probability(hist, as_of, h, pd.Series(stage), age.astype(float), amount)
            frame[f"p{h}"], frame[f"truth{h}"] = p, truth[h]
            if as_of == AS_OF[0]:
                # distinct deals per calibration cell in the smallest training set
                m = hist.ref <= np.datetime64(as_of, "ns") - h * np.timedelta64(1, "D")
                amt = hist.amount[m]
                edges = np.quantile(amt[~np.isnan(amt)], [1 / 3, 2 / 3])
                train = pd.DataFrame({"stage": [stage_of_code.get(c, -1) for c in hist.stage[m]],
                                      "age_band": age_band(hist.age[m]), "tercile": tercile(amt, edges),
                                      "deal": photo_deal[m]})
                cells[h] = (train.groupby(["stage", "age_band", "tercile"])["deal"].nunique(), edges)
        rows.append(frame)
    live = pd.concat(rows, ignore_index=True)
    for h in HORIZONS:
        live[f"tercile{h}"] = tercile(live["amount"].to_numpy(float), cells[h][1])
    return live, {h: cells[h][0] for h in HORIZONS}


def group_check(live, n_deals, mask, h, model_col, truth_col):
    """Mean model and truth of a group of live deals and its tolerance (module docstring)."""
    g = live[mask].copy()
    key = ["stage", "age_band", f"tercile{h}"]
    # pooled truth of each deal's cell (all live deals of the cell on that as-of date)
    pooled = live.groupby(["as_of"] + key)[truth_col].transform("mean")[mask]
    by_cell = g.groupby(key)[truth_col]
    w = by_cell.size() / len(g)
    p_c, sd_c, m_c = by_cell.mean(), by_cell.std(ddof=0), by_cell.size()
    n_c = n_deals.reindex(w.index.set_names(["stage", "age_band", "tercile"])).fillna(0).to_numpy()
    # One deal's outcome is counted in every cell it was photographed in along its path (its stages,
    # its ages), so within a size tercile the cells' errors are taken as fully correlated (added
    # linearly); a deal's amount puts it in one tercile only, so the terciles add in quadrature.
    sd_learned = w * np.sqrt(p_c * (1 - p_c) / np.maximum(n_c, 1))
    learned = float((sd_learned.groupby(level=f"tercile{h}").sum() ** 2).sum())
    composition = float((w ** 2 * sd_c ** 2 / m_c).sum())
    se = float(np.sqrt(learned + composition))
    gap = float(pooled.mean() - g[truth_col].mean())
    return float(g[model_col].mean()), float(g[truth_col].mean()), Z * se + abs(gap)


@pytest.mark.parametrize("h", HORIZONS)
def test_each_stage_is_recovered_and_later_stages_win_more(replay, h):
    live, cells = replay
    model, truth = [], []
    for s in range(len(FUNNEL)):
        mp, tp, tol = group_check(live, cells[h], live["stage"] == s, h, f"p{h}", f"truth{h}")
        assert abs(mp - tp) <= tol, (FUNNEL[s], mp, tp, tol)
        model.append(mp)
        truth.append(tp)
    assert np.all(np.diff(truth) > 0)
    assert np.all(np.diff(model) > 0), model


@pytest.mark.parametrize("h", HORIZONS)
def test_each_age_band_is_recovered_and_a_stale_deal_wins_less(replay, h):
    live, cells = replay
    for a in sorted(live["age_band"].unique()):
        mp, tp, tol = group_check(live, cells[h], live["age_band"] == a, h, f"p{h}", f"truth{h}")
        assert abs(mp - tp) <= tol, (a, mp, tp, tol)
    # within a stage, young (under 15 days) against old (31 days and more, where the generator's
    # staleness at STALE_DAYS bites): the direction is asserted where the truth's gap exceeds the
    # tolerance of a difference (the two tolerances in quadrature; the young and old cells share
    # deals photographed at both ages, positively correlated, which only narrows the difference),
    # so that a real effect is demanded and noise is not
    checked = 0
    for s in range(len(FUNNEL)):
        young = (live["stage"] == s) & (live["age_band"] == 0)
        old = (live["stage"] == s) & (live["age_band"] >= 2)
        my, ty, toly = group_check(live, cells[h], young, h, f"p{h}", f"truth{h}")
        mo, to, tolo = group_check(live, cells[h], old, h, f"p{h}", f"truth{h}")
        assert ty > to
        if ty - to > np.hypot(toly, tolo):
            assert my > mo, (FUNNEL[s], my, mo)
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("h", HORIZONS)
def test_each_size_band_is_recovered_and_large_deals_win_less(replay, h):
    live, cells = replay
    model, truth = [], []
    for b in range(3):
        mp, tp, tol = group_check(live, cells[h], live["band"] == b, h, f"p{h}", f"truth{h}")
        assert abs(mp - tp) <= tol, (b, mp, tp, tol)
        model.append(mp)
        truth.append(tp)
    assert np.all(np.diff(truth) < 0)
    assert np.all(np.diff(model) < 0), model


def test_large_deals_win_later(replay):
    # the wins between day 30 and day 91 (a Bernoulli of their own, learned from the 91-day cells)
    live, cells = replay
    live = live.assign(p_late=live["p91"] - live["p30"], truth_late=live["truth91"] - live["truth30"])
    late_share_model, late_share_truth = [], []
    for b in range(3):
        mask = live["band"] == b
        mp, tp, tol = group_check(live, cells[91], mask, 91, "p_late", "truth_late")
        assert abs(mp - tp) <= tol, (b, mp, tp, tol)
        late_share_model.append(mp / live.loc[mask, "p91"].mean())
        late_share_truth.append(tp / live.loc[mask, "truth91"].mean())
    # a larger share of a large deal's 91-day wins comes after day 30
    assert late_share_truth[2] > late_share_truth[0]
    assert late_share_model[2] > late_share_model[0], late_share_model
