"""How far P(reach target) can be trusted: scored on the replay against a naive reference.

Each calibrated forecast the replay made with a target has the probability it gave of reaching it
(``prob_shown``: as the cockpit shows it, read from the past errors when the range was widened) and
what happened (``actual >= target``).  The naive reference is the share of the periods of the same
length over before that date that reached their own target (out of sample, as the forecast); it needs
``REFERENCE_MIN_PERIODS`` of them.  The probability is scored by its Brier score (Brier 1950: the mean
of (p - outcome)²), on the forecasts where the reference exists, against the reference's.  When it
does no better, the edges say so instead of showing a probability.

The words: among the past forecasts that said about as much as today's (within ``AROUND`` of it), how
many reached their target ("quand Pilotage annonçait environ 80 %, l'objectif a été atteint 7 fois sur
10"), said only with at least ``AROUND_MIN`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpicore.model.messages import Message

REFERENCE_MIN_PERIODS = 3
AROUND = 0.10
AROUND_MIN = 5


@dataclass(frozen=True)
class ReachReliability:
    """What the replay says of P(reach target) at one granularity."""

    n: int  # past forecasts scored (with a target and a reference)
    brier: float  # the probability's mean squared error on them
    brier_reference: float  # the naive reference's
    reference_share: float  # the reference today: share of past periods that reached their target
    around: float  # the probability being judged
    around_n: int  # past forecasts within AROUND of it
    around_reached: int  # of which reached their target

    @property
    def beats_reference(self) -> bool:
        return self.brier < self.brier_reference

    @property
    def said_in_words(self) -> bool:
        """Enough past forecasts said about as much to tell how often they came true."""
        return self.around_n >= AROUND_MIN


def reach_said(reliability: ReachReliability | None) -> Message | None:
    """What the edges say beside P(reach target) (``forecast.reach.*``); None when the replay could not
    score it.  Not beating the reference, it says so instead of the probability (``shown_probability``)."""
    r = reliability
    if r is None:
        return None
    if not r.beats_reference:
        return Message.of("forecast.reach.not_shown", n=r.n, reference=r.reference_share)
    if r.said_in_words:
        return Message.of("forecast.reach.came_true", around=round(r.around, 1), reached=r.around_reached,
                          n=r.around_n)
    return Message.of("forecast.reach.beats", n=r.n, brier=r.brier, brier_reference=r.brier_reference)


def shown_probability(prob: float | None, reliability: ReachReliability | None) -> float | None:
    """P(reach target) as shown: none when the replay found it no better than the naive reference."""
    if prob is None or (reliability is not None and not reliability.beats_reference):
        return None
    return prob


def period_reached(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per period of ``rows`` (calibrated rows of one granularity) with a target: its end and
    whether its actual reached it."""
    g = rows[rows["target"].notna()].drop_duplicates("period")
    return pd.DataFrame({"period_end": g["period_end"].to_numpy(),
                         "reached": (g["actual"].to_numpy(float) >= g["target"].to_numpy(float))})


def reference_at(periods: pd.DataFrame, as_of) -> float | None:
    """Share of ``periods`` (``period_reached``) over before ``as_of`` that reached their target; None
    with fewer than ``REFERENCE_MIN_PERIODS``."""
    past = periods["reached"].to_numpy(bool)[periods["period_end"].to_numpy() < np.datetime64(as_of, "ns")]
    return float(past.mean()) if len(past) >= REFERENCE_MIN_PERIODS else None


@dataclass(frozen=True)
class ReachHistory:
    """The replay's scored P(reach target) at one granularity: each probability shown and
    whether its period reached its target, and the reference's Brier score on the same forecasts."""

    probs: np.ndarray
    reached: np.ndarray
    brier_reference: float
    reference_share: float  # the reference on the day being judged (NaN without enough periods)

    def judge(self, prob: float | None) -> ReachReliability | None:
        """The reliability of ``prob``, today's probability; None without one."""
        if prob is None or not np.isfinite(prob):
            return None
        near = np.abs(self.probs - prob) <= AROUND + 1e-12
        return ReachReliability(
            n=len(self.probs), brier=float(np.mean((self.probs - self.reached) ** 2)),
            brier_reference=self.brier_reference, reference_share=self.reference_share, around=float(prob),
            around_n=int(near.sum()), around_reached=int(self.reached[near].sum()))


def reach_history(rows: pd.DataFrame, pool: pd.DataFrame, as_of) -> ReachHistory | None:
    """What the replay scored of P(reach target) for a forecast made on ``as_of``: ``pool`` holds the
    replay's calibrated rows scored for it (of its granularity, over before it), and ``rows`` every
    calibrated row of the granularity (for the reference); None when nothing can be scored yet."""
    if pool is None or pool.empty or "prob_shown" not in pool:
        return None
    periods = period_reached(rows)
    scored = pool[pool["target"].notna() & pool["prob_shown"].notna()]
    refs = np.array([reference_at(periods, d) for d in scored["as_of"]], dtype=float)
    keep = np.isfinite(refs)
    if not keep.any():
        return None
    reached = (scored["actual"].to_numpy(float) >= scored["target"].to_numpy(float))[keep].astype(float)
    today = reference_at(periods, as_of)
    return ReachHistory(probs=scored["prob_shown"].to_numpy(float)[keep], reached=reached,
                        brier_reference=float(np.mean((refs[keep] - reached) ** 2)),
                        reference_share=float("nan") if today is None else today)
