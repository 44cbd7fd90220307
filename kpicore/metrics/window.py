"""The canonical frames as the KPIs count them, and one period's window of them.

``KpiFrames`` prepares a company's frames once: every scope (the company, each
team, each rep), a rep code per deal and per activity, day numbers, rows sorted
by date so that a period is found by binary search, each deal's weight in the
weighted pipeline.  ``Window`` is what those frames hold for one period up to the
as-of date: the rows dated in it, and ways to count them for every scope at once.

A KPI (``kpicore.metrics.definitions``) is a function of a window that returns
one value per scope, in the order of ``KpiFrames.index``.  Additive parts are
counted per rep with ``numpy.bincount``; a team's count is the sum of its reps',
the company's the sum of every rep's plus the rows without a rep (a deal without
an owner, an activity without a rep count for the company only).  Medians and
means are taken per scope over the rows themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from kpicore.model.periods import Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import COMPANY, REP, TEAM
from kpicore.model.schema import ACTIVITY_TYPES

_NAT = np.iinfo(np.int64).min
_FAR = np.iinfo(np.int64).max
_EPOCH = date(1970, 1, 1)


def _days(series: pd.Series) -> np.ndarray:
    """Day numbers since 1970-01-01 (int64); NaT -> the smallest int64."""
    return series.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype("datetime64[D]") \
        .astype("int64")


def day_number(d: date) -> int:
    """The day number of a date, as ``KpiFrames`` counts days."""
    return (d - _EPOCH).days


class KpiFrames:
    """A company's frames prepared once for every window; never changes ``data``.

    Deal arrays are indexed by deal position (the row of ``data.deals``):
    ``owner`` (rep code; ``nrep`` for a deal without a known owner), ``won``,
    ``lost``, ``amount`` (missing amounts count 0), day numbers ``created``,
    ``closed``, ``expected``, ``created_known``, ``had_proposal`` (a
    ``proposal_on`` date or a proposal activity), ``weighted_amount`` (amount ×
    its weight in the weighted pipeline).
    """

    def __init__(self, data: PipelineData) -> None:
        deals, acts = data.deals, data.activities

        # Scopes: the one roster (the Reps sheet's reps, every owner, activity rep and rep target)
        rep_team = data.rep_team()
        self.reps: list[str] = sorted(str(r) for r in rep_team.index)
        teams_of = [str(rep_team[r]) for r in self.reps]
        self.teams: list[str] = sorted(set(teams_of))
        self.rep_team = pd.Series(teams_of, index=self.reps, dtype=object)
        self.team_code = np.array([self.teams.index(t) for t in teams_of], dtype=np.int64)
        self.nrep, self.nteam = len(self.reps), len(self.teams)
        self.index = pd.MultiIndex.from_tuples(
            [(COMPANY, "")] + [(TEAM, t) for t in self.teams] + [(REP, r) for r in self.reps],
            names=["level", "name"])

        def codes(col: pd.Series) -> np.ndarray:
            c = pd.Categorical(col, categories=self.reps).codes
            return np.where(c < 0, self.nrep, c).astype(np.int64)  # unknown -> company-only bucket

        # Activities, sorted by date: a window is a slice found by binary search.
        a_day = _days(acts["date"])
        order = np.argsort(a_day, kind="stable")
        self.activity_day = a_day[order]
        a_type = pd.Categorical(acts["type"], categories=list(ACTIVITY_TYPES)).codes.astype(np.int64)
        a_type = np.where(a_type < 0, ACTIVITY_TYPES.index("other"), a_type)
        self.ntype = len(ACTIVITY_TYPES)
        self.activity_key = (codes(acts["rep"]) * self.ntype + a_type)[order]  # rep code × types + type

        # Deals.
        status = deals["status"].astype(object)
        self.won = (status == "won").to_numpy(dtype=bool, na_value=False)
        self.lost = (status == "lost").to_numpy(dtype=bool, na_value=False)
        open_ = (status == "open").to_numpy(dtype=bool, na_value=False)
        self.owner = codes(deals["owner"])
        self.amount = np.nan_to_num(deals["amount"].to_numpy(dtype="float64", na_value=np.nan), nan=0.0)
        self.created = _days(deals["created_on"])
        self.created_known = self.created != _NAT
        self.closed = _days(deals["closed_on"])
        # Open at day d: created <= d and (still open, or closed after d).  A won/lost deal
        # without a close date cannot be placed in time and is never counted open.
        self.closed_after = np.where(open_, _FAR, np.where(self.closed == _NAT, _NAT, self.closed))
        self.expected = _days(deals["expected_close_on"])
        prop_ids = acts.loc[(acts["type"] == "proposal").fillna(False), "deal_id"].dropna().unique()
        has_prop_activity = deals["deal_id"].isin(prop_ids).fillna(False).to_numpy(dtype=bool)
        proposal_on = _days(deals["proposal_on"])
        self.had_proposal = has_prop_activity | (proposal_on != _NAT)
        # Deals whose proposal_on stands in for a missing proposal activity, sorted by that date.
        stand_in = np.flatnonzero(~has_prop_activity & (proposal_on != _NAT))
        self.stand_in = stand_in[np.argsort(proposal_on[stand_in], kind="stable")]
        self.stand_in_day = proposal_on[self.stand_in]
        # Deals decided (won or lost with a date), sorted by close date.
        decided = np.flatnonzero((self.won | self.lost) & (self.closed != _NAT))
        self.decided = decided[np.argsort(self.closed[decided], kind="stable")]
        self.decided_day = self.closed[self.decided]
        # Weights of the weighted pipeline: the declared probability, else the stage's default; a deal
        # closed since (its probability now says 100 % or 0 %, not known then) or in an unknown stage
        # takes the mean default probability of the open stages.
        stages = data.stages
        is_open_stage = ~(stages["is_won"].fillna(False).astype(bool) | stages["is_lost"].fillna(False).astype(bool))
        open_probs = stages.loc[is_open_stage, "probability"].dropna()
        fallback_p = float(open_probs.mean()) if len(open_probs) else 0.0
        stage_p = dict(zip(stages.loc[is_open_stage, "stage"].astype(str), stages.loc[is_open_stage, "probability"]))
        declared = deals["probability"].to_numpy(dtype="float64", na_value=np.nan)
        by_stage = deals["stage"].astype(object).map(stage_p).to_numpy(dtype="float64", na_value=np.nan)
        p = np.where(np.isnan(declared), by_stage, declared)
        p_now = np.where(open_ & ~np.isnan(p), p, fallback_p)
        weight = np.where(self.closed_after == _FAR, p_now, fallback_p)
        self.weighted_amount = self.amount * weight

    def window(self, period: Period, as_of: date, revenue_target: np.ndarray) -> "Window":
        """What is dated from ``period.start`` to ``min(period.end, as_of)``.

        ``revenue_target``: the revenue target of ``period`` per scope (NaN where missing).
        """
        return Window(self, period, period.days_elapsed(as_of), day_number(period.start),
                      day_number(min(period.end, as_of)), revenue_target)

    # -- per scope ----------------------------------------------------------
    def expand(self, per_rep: np.ndarray) -> np.ndarray:
        """Per-rep values (+ the company-only bucket last) -> company, teams, reps."""
        team = np.bincount(self.team_code, weights=per_rep[: self.nrep], minlength=self.nteam)
        return np.concatenate([[per_rep.sum()], team, per_rep[: self.nrep]])

    def count(self, codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Rows (by rep code) counted, or ``weights`` summed, per scope."""
        return self.expand(np.bincount(codes, weights=weights, minlength=self.nrep + 1).astype("float64"))

    def group_stat(self, codes: np.ndarray, values: np.ndarray, how: str) -> np.ndarray:
        """Median or mean of ``values`` for company, each team and each rep (NaN where empty)."""
        out = np.full(1 + self.nteam + self.nrep, np.nan)
        if len(values) == 0:
            return out
        out[0] = getattr(np, how)(values)
        frame = pd.DataFrame({"rep": codes, "v": values})
        known = frame[frame["rep"] < self.nrep]
        by_rep = known.groupby("rep")["v"].agg(how)
        out[1 + self.nteam + by_rep.index.to_numpy()] = by_rep.to_numpy()
        by_team = known.assign(team=self.team_code[known["rep"].to_numpy()]).groupby("team")["v"].agg(how)
        out[1 + by_team.index.to_numpy()] = by_team.to_numpy()
        return out


@dataclass(frozen=True, eq=False)  # its arrays make a field-by-field == meaningless
class Window:
    """One period of a company's frames, up to the as-of date.

    Deal selections are arrays of deal positions (see ``KpiFrames``); ``count``,
    ``total``, ``median`` and ``mean`` turn a selection into one value per scope.
    """

    frames: KpiFrames
    period: Period
    days: int  # days measured: from the period's start to min(end, as-of), inclusive
    first_day: int  # day numbers of the window's first and last day
    last_day: int
    revenue_target: np.ndarray  # per scope, NaN where missing

    @property
    def scopes(self) -> pd.MultiIndex:
        """``(level, name)`` of each value a KPI returns."""
        return self.frames.index

    def _slice(self, days: np.ndarray) -> slice:
        return slice(np.searchsorted(days, self.first_day, "left"), np.searchsorted(days, self.last_day, "right"))

    @cached_property
    def _activity_counts(self) -> np.ndarray:
        f = self.frames
        keys = f.activity_key[self._slice(f.activity_day)]
        return np.bincount(keys, minlength=(f.nrep + 1) * f.ntype).reshape(f.nrep + 1, f.ntype)

    def activities(self, type_: str) -> np.ndarray:
        """Activities of one type dated in the window, per scope."""
        return self.frames.expand(self._activity_counts[:, ACTIVITY_TYPES.index(type_)].astype("float64"))

    @cached_property
    def decided(self) -> np.ndarray:
        """Deals won or lost with a close date in the window, by close date."""
        return self.frames.decided[self._slice(self.frames.decided_day)]

    @cached_property
    def won(self) -> np.ndarray:
        """Deals won in the window, by close date."""
        return self.decided[self.frames.won[self.decided]]

    @cached_property
    def lost(self) -> np.ndarray:
        """Deals lost in the window, by close date."""
        return self.decided[self.frames.lost[self.decided]]

    @cached_property
    def proposal_stand_ins(self) -> np.ndarray:
        """Deals without any proposal activity whose ``proposal_on`` date is in the window."""
        return self.frames.stand_in[self._slice(self.frames.stand_in_day)]

    @cached_property
    def open(self) -> np.ndarray:
        """Deals open on the window's last day: created on or before it, closed after it or still open."""
        f = self.frames
        return np.flatnonzero(f.created_known & (f.created <= self.last_day) & (f.closed_after > self.last_day))

    def expected_in_period(self, deals: np.ndarray) -> np.ndarray:
        """Which of ``deals`` are expected to close in the whole period (after the as-of date too)."""
        expected = self.frames.expected[deals]
        return (expected >= day_number(self.period.start)) & (expected <= day_number(self.period.end))

    def count(self, deals: np.ndarray) -> np.ndarray:
        """Number of ``deals`` per scope (by owner)."""
        return self.frames.count(self.frames.owner[deals])

    def total(self, deals: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Sum of a per-deal array over ``deals``, per scope (by owner)."""
        return self.frames.count(self.frames.owner[deals], values[deals])

    def median(self, deals: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Median of ``values`` (one per deal of ``deals``) per scope; NaN where a scope has none."""
        return self.frames.group_stat(self.frames.owner[deals], values, "median")

    def mean(self, deals: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` (one per deal of ``deals``) per scope; NaN where a scope has none."""
        return self.frames.group_stat(self.frames.owner[deals], values, "mean")
