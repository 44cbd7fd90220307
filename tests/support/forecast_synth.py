"""A pipeline drawn from a process whose answers are known by construction.

Deals are created at ``rate`` per day (Poisson count per day).  Each is won
with probability ``q`` (else lost), independently of everything else, and is
closed ``T`` days after creation, ``T`` geometric on 1, 2, ... with daily
hazard ``theta`` (memoryless: an open deal's remaining time does not depend on
its age).  Amounts are drawn from ``AMOUNTS`` uniformly.

Hence, for any deal open on a day, P(won within the next h days) is exactly
``q * (1 - (1 - theta) ** h)`` whatever its age and size, and a deal created
``d`` days before the period end is won by then with probability
``q * (1 - (1 - theta) ** d)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData

AMOUNTS = np.array([5_000.0, 10_000.0, 20_000.0, 40_000.0])


def true_p(q: float, theta: float, h: int) -> float:
    return q * (1 - (1 - theta) ** h)


def draw(seed: int, start: str, end: str, *, rate: float, q: float, theta: float,
         owners: tuple[str, ...] = ("Alice", "Bruno")) -> pd.DataFrame:
    """Every deal created from ``start`` to ``end`` with its (future) outcome: created_on, close_day, won."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end)
    counts = rng.poisson(rate, len(days))
    created = np.repeat(days.to_numpy("datetime64[ns]"), counts)
    n = len(created)
    t = rng.geometric(theta, n)
    return pd.DataFrame({
        "deal_id": [f"D{i:05d}" for i in range(n)],
        "owner": rng.choice(owners, n),
        "amount": rng.choice(AMOUNTS, n),
        "created_on": created,
        "close_day": created + t.astype("timedelta64[D]"),
        "won": rng.random(n) < q,
    })


def known_at(truth: pd.DataFrame, as_of: str, *, stage_history: bool = False) -> PipelineData:
    """The data as the company's workbook showed it on ``as_of`` (nothing later).

    ``stage_history``: every deal enters Proposition when created, Gagnée or Perdue when closed.
    """
    as_of = pd.Timestamp(as_of)
    t = truth[truth["created_on"] <= as_of]
    closed = t["close_day"] <= as_of
    status = np.where(closed, np.where(t["won"], "won", "lost"), "open")
    deals = pd.DataFrame({
        "deal_id": t["deal_id"], "owner": t["owner"],
        "stage": np.where(closed, np.where(t["won"], "Gagnée", "Perdue"), "Proposition"),
        "status": status, "amount": t["amount"], "created_on": t["created_on"],
        "closed_on": t["close_day"].where(closed),
        # the reps declare 50 % on every open deal: optimistic by construction
        "probability": np.where(closed, np.nan, 0.5),
        "expected_close_on": t["created_on"] + pd.Timedelta(days=30),
    })
    reps = pd.DataFrame({"rep": ["Alice", "Bruno"], "team": ["Nord", "Nord"]})
    history = schema.STAGE_HISTORY.empty()
    if stage_history:
        c = t[closed]
        history = schema.conform(pd.DataFrame({
            "deal_id": pd.concat([t["deal_id"], c["deal_id"]], ignore_index=True),
            "stage": ["Proposition"] * len(t) + list(np.where(c["won"], "Gagnée", "Perdue")),
            "entered_on": pd.concat([t["created_on"], c["close_day"]], ignore_index=True),
        }), schema.STAGE_HISTORY)
    return PipelineData(deals=schema.conform(deals.reset_index(drop=True), schema.DEALS),
                        reps=schema.conform(reps, schema.REPS), stage_history=history)


def actual_won(truth: pd.DataFrame, start: str, end: str) -> float:
    won = truth[truth["won"] & truth["close_day"].between(pd.Timestamp(start), pd.Timestamp(end))]
    return float(won["amount"].sum())
