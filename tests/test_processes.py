"""The documented processes of the forecast's replays draw what their docstring says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.support.processes import (ADVANCE, DWELL_DAYS, PROCESSES, SIZE_SLOWER, SIZE_WIN, STALE_DAYS, STALE_FACTOR,
                                     draw, known_at)


def win_probability_by_hand(band: int) -> float:
    """Four decisions, each passed with ADVANCE × SIZE_WIN, times STALE_FACTOR when the geometric dwell
    (mean DWELL_DAYS × SIZE_SLOWER) exceeded STALE_DAYS: P(dwell > k) = (1 - 1/mean) ** k."""
    p = 1.0
    for s in range(4):
        stale = (1 - 1 / (DWELL_DAYS[s] * SIZE_SLOWER[band])) ** STALE_DAYS
        p *= ADVANCE[s] * SIZE_WIN[band] * (1 - stale + STALE_FACTOR * stale)
    return p


@pytest.fixture(scope="module")
def steady_deals():
    return pd.concat([draw(PROCESSES["steady"], seed).deals for seed in range(6)], ignore_index=True)


@pytest.mark.parametrize("band", [0, 1, 2])
def test_each_size_band_is_won_as_the_funnel_says(steady_deals, band):
    # the market factor has mean 1 and stays far from the cap at 1: the share won is the product
    won = steady_deals.loc[steady_deals["band"] == band, "won"]
    expected = win_probability_by_hand(band)
    se = np.sqrt(expected * (1 - expected) / len(won))
    assert abs(won.mean() - expected) < 4 * se + 0.01


def test_large_deals_take_longer_to_win(steady_deals):
    won = steady_deals[steady_deals["won"]]
    cycle = (won["closed_on"] - won["created_on"]).dt.days.groupby(won["band"]).mean()
    # four geometric dwells: mean cycle = Σ DWELL_DAYS × SIZE_SLOWER (winners are those not stale, a bit quicker)
    assert cycle[2] > cycle[1] > cycle[0]
    assert cycle[1] == pytest.approx(DWELL_DAYS.sum() * SIZE_SLOWER[1], rel=0.2)


def test_the_workbook_of_a_date_shows_nothing_later():
    history = draw(PROCESSES["small"], 3)
    data = known_at(history, "2024-03-31")
    day = pd.Timestamp("2024-03-31")
    assert data.deals["created_on"].max() <= day
    assert data.stage_history["entered_on"].max() <= day
    open_ = data.deals[data.deals["status"] == "open"]
    truth = history.deals.set_index("deal_id").loc[open_["deal_id"]]
    assert (truth["closed_on"] > day).all()
    closed = data.deals[data.deals["status"] != "open"].set_index("deal_id")
    assert ((closed["status"] == "won") == history.deals.set_index("deal_id").loc[closed.index, "won"]).all()
    # each deal's stage is the last it entered by that day
    last = data.stage_history.sort_values("entered_on", kind="stable").groupby("deal_id")["stage"].last()
    assert (data.deals.set_index("deal_id")["stage"] == last.reindex(data.deals["deal_id"])).all()


def test_the_same_seed_draws_the_same_history():
    a, b = draw(PROCESSES["few_large"], 7), draw(PROCESSES["few_large"], 7)
    pd.testing.assert_frame_equal(a.deals, b.deals)
    assert not a.deals.equals(draw(PROCESSES["few_large"], 8).deals)
