"""Co-visit scores (co-visites terrain) per scope and period.

A manager who visits a customer with a rep scores discovery quality, proposal
relevance and customer satisfaction from 1 to 5.  The scores are shown beside
the KPI they explain (a falling ``proposal_conversion`` next to weak discovery
scores), so they come out per rep, per team and for the company like the KPIs.
A score is the mean of the scores given in the window (blank cells and values
outside 1-5 are left out); ``overall`` is the mean of the three means available.
No co-visit: every score is None (nothing to measure), ``count`` is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpicore.model.pipeline_data import PipelineData
from kpicore.model.periods import DateLike, Period, to_date
from kpicore.model.rep_roster import NO_TEAM
from kpicore.model.roster import COMPANY, REP, TEAM

SCORES: tuple[tuple[str, str], ...] = (
    ("discovery_quality", "Qualité de la découverte"),
    ("proposal_relevance", "Pertinence de la proposition"),
    ("customer_satisfaction", "Satisfaction client"),
)


@dataclass(frozen=True)
class CovisitScores:
    count: int
    discovery_quality: float | None
    proposal_relevance: float | None
    customer_satisfaction: float | None

    @property
    def overall(self) -> float | None:
        present = [v for v in (self.discovery_quality, self.proposal_relevance, self.customer_satisfaction)
                   if v is not None]
        return sum(present) / len(present) if present else None


def covisit_table(data: PipelineData, period: Period, as_of: DateLike,
                  rep_team: pd.Series | None = None) -> pd.DataFrame:
    """Count and mean scores for the company, each team and each rep over ``[start, min(end, as_of)]``.

    Rows are indexed ``(level, name)`` like ``KpiEngine.table``; a scope with no
    co-visit has count 0 and NaN scores.
    """
    rep_team = data.rep_team() if rep_team is None else rep_team
    cv = data.co_visits
    end = min(period.end, to_date(as_of))
    day = cv["date"]
    window = cv[(day >= period.start_ts) & (day <= pd.Timestamp(end))]
    scores = pd.DataFrame({c: pd.to_numeric(window[c], errors="coerce").astype("float64") for c, _ in SCORES})
    scores = scores.where((scores >= 1) & (scores <= 5))
    scores["rep"] = window["rep"].astype(object).to_numpy()
    scores["team"] = scores["rep"].map(lambda r: rep_team.get(r, NO_TEAM) if isinstance(r, str) else None)
    cols = [c for c, _ in SCORES]

    rows = {}
    rows[(COMPANY, "")] = [len(scores)] + list(scores[cols].mean()) if len(scores) else [0] + [np.nan] * 3
    for key, level in (("team", TEAM), ("rep", REP)):
        grouped = scores.dropna(subset=[key]).groupby(key)
        counts, means = grouped.size(), grouped[cols].mean()
        for name in counts.index:
            rows[(level, str(name))] = [int(counts[name])] + list(means.loc[name])
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["count"] + cols)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["level", "name"])
    frame["count"] = frame["count"].astype("int64")
    frame["overall"] = frame[cols].mean(axis=1)
    return frame


def covisit_scores(data: PipelineData, period: Period, as_of: DateLike, level: str = COMPANY,
                   name: str = "") -> CovisitScores:
    """The co-visit scores of one scope (see ``covisit_table``)."""
    table = covisit_table(data, period, as_of)
    key = (level, name if level != COMPANY else "")
    if key not in table.index:
        return CovisitScores(0, None, None, None)
    row = table.loc[key]

    def opt(v: float) -> float | None:
        return None if pd.isna(v) else float(v)

    return CovisitScores(int(row["count"]), opt(row["discovery_quality"]), opt(row["proposal_relevance"]),
                         opt(row["customer_satisfaction"]))
