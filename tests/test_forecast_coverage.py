"""The range users see holds what it says, on documented processes (``tests/support/processes.py``).

The forecasts are those the product shows (``tests/support/replays.py``: the backtest kept over
the whole history, the shown forecast of the first working day and of mid-period of every month
and quarter of 2024-2025, through ``forecast_all`` as the cockpit, decks and ``pilotage forecast``
call it), on the tuning seeds (the scoring seeds are for ``bench/forecast_replays.py``).  Pooled
over two processes whose periods are not lumpy and two seeds each, the share of actuals inside
P10-P90 must be within 80 % ± 3σ, σ = √(0.16 / n).  (On a process where a month often wins nothing
more than its floor, a closed P10-P90 holds more than 80 % by construction; ``bench/forecast_replays.py``
prints that share beside the coverage.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.support.processes import TUNING_SEEDS
from tests.support.replays import replay

PROCESSES = ("steady", "growth_seasonal")


@pytest.fixture(scope="session")
def replayed() -> pd.DataFrame:
    return pd.concat([replay(name, seed, n_sims=2_000) for name in PROCESSES for seed in TUNING_SEEDS[:2]],
                     ignore_index=True)


@pytest.mark.parametrize("granularity", ["month", "quarter"])
def test_the_range_shown_holds_four_actuals_in_five(replayed, granularity):
    rows = replayed[replayed["granularity"] == granularity]
    n = len(rows)
    # 24 months or 8 quarters, two points each, two seeds, two processes
    assert n == {"month": 24, "quarter": 8}[granularity] * 2 * 2 * 2
    inside = float(((rows["p10"] <= rows["actual"]) & (rows["actual"] <= rows["p90"])).mean())
    sigma = np.sqrt(0.16 / n)
    assert 0.80 - 3 * sigma <= inside <= 0.80 + 3 * sigma, (inside, n)
