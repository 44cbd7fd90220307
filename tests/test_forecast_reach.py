"""P(reach target) scored against the naive reference (``kpicore.forecast.reach``; DESIGN.md, "The forecast").

Small replays built by hand: five months with a target of 100, one forecast on the first of each,
the Brier scores and the reference's worked out below in the comments, independently of the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpicore.forecast.backtest import reach_from_errors
from kpicore.forecast.reach import ReachReliability, reach_history, reach_said, shown_probability

MONTH_ENDS = ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31"]
ACTUALS = [120.0, 80.0, 110.0, 130.0, 90.0]  # reached: yes, no, yes, yes, no


def _rows(probs) -> pd.DataFrame:
    """One calibrated month forecast per period, made on its first day, with the probability shown."""
    ends = pd.to_datetime(MONTH_ENDS)
    return pd.DataFrame({"as_of": ends.to_period("M").to_timestamp(), "period": [e.strftime("%Y-%m") for e in ends],
                         "period_end": ends, "actual": ACTUALS, "target": 100.0, "prob_shown": probs})


def test_the_probability_is_scored_where_the_reference_exists():
    rows = _rows([0.7, 0.4, 0.8, 0.75, 0.3])
    h = reach_history(rows, rows, pd.Timestamp("2025-06-02"))
    # the reference needs three periods over: on 1 April Jan, Feb, Mar are (2 of 3 reached), on 1 May
    # Apr too (3 of 4); January to March's forecasts have none and are not scored
    assert list(h.probs) == [0.75, 0.3] and list(h.reached) == [1.0, 0.0]
    assert h.brier_reference == pytest.approx(((2 / 3 - 1) ** 2 + (3 / 4) ** 2) / 2)  # 0.3368
    assert h.reference_share == pytest.approx(3 / 5)  # on 2 June, five months over, three reached
    r = h.judge(0.7)
    assert r.n == 2 and r.brier == pytest.approx((0.25 ** 2 + 0.3 ** 2) / 2)  # 0.07625
    assert r.beats_reference
    assert (r.around_n, r.around_reached) == (1, 1)  # only 0.75 said within ten points of 0.70
    assert not r.said_in_words  # one forecast is too few to say how often "about 70 %" came true


def test_a_probability_no_better_than_the_reference_is_not_shown():
    rows = _rows([0.7, 0.4, 0.8, 0.1, 0.9])  # April said 10 % and was reached, May 90 % and was not
    r = reach_history(rows, rows, pd.Timestamp("2025-06-02")).judge(0.6)
    assert r.brier == pytest.approx((0.9 ** 2 + 0.9 ** 2) / 2)  # 0.81 against the reference's 0.3368
    assert not r.beats_reference
    assert shown_probability(0.6, r) is None and shown_probability(0.6, None) == 0.6
    said = reach_said(r)
    assert said.code == "forecast.reach.not_shown" and said.figure("reference") == pytest.approx(0.6)


def test_how_often_about_as_much_came_true():
    r = ReachReliability(n=40, brier=0.12, brier_reference=0.24, reference_share=0.5, around=0.78,
                         around_n=10, around_reached=7)
    said = reach_said(r)
    assert said.code == "forecast.reach.came_true"
    assert (said.figure("around"), said.figure("reached"), said.figure("n")) == (0.8, 7, 10)
    from kpicore.text.catalogue import render

    assert render(said, "fr") == ("Fiabilité mesurée : quand Pilotage annonçait environ 80\xa0%, l'objectif a été "
                                  "atteint 7 fois sur 10.")


def test_only_periods_over_before_the_day_are_scored():
    rows = _rows([0.7, 0.4, 0.8, 0.75, 0.3])
    pool = rows[rows["period_end"] < pd.Timestamp("2025-05-15")]  # May not over yet
    h = reach_history(rows, pool, pd.Timestamp("2025-05-15"))
    assert list(h.probs) == [0.75]
    assert h.reference_share == pytest.approx(3 / 4)  # Jan-Apr over on 15 May, three reached


def test_the_probability_read_from_past_errors():
    # today's P50 100, target 110: the past errors would have given 120, 90, 115, 105 -> two of four reach it
    errors = np.log([1.2, 0.9, 1.15, 1.05])
    assert reach_from_errors(100.0, 40.0, 110.0, errors) == 0.5
    assert reach_from_errors(100.0, 110.0, 110.0, errors) == 1.0  # already won
