"""The one roster, from the canonical frames (pure): who sells, and in which team.

Built here from the frames alone so that ``PipelineData.rep_team()`` (which every scope reads:
KPIs, forecast, cockpit, decks, rep exports) and ``kpicore.model.roster`` share it without an
import cycle.
"""

from __future__ import annotations

import pandas as pd

# The team of a rep no table gives a team.  An internal key (scopes, KPI tables and tests hold it);
# the edges show it as it is.
NO_TEAM = "Sans équipe"
# The extra column of the deals and activities holding a team (« Équipe », « Agence », « Région »:
# the ingest's helper ``team``, kept in the frame, kpicore.ingest.mapping.KEPT_HELPERS).
TEAM_COLUMN = "team"


def _named(cells: pd.Series) -> pd.Series:
    cells = cells.dropna().astype(str).str.strip()
    return cells[cells != ""]


def _team_of_people(frame: pd.DataFrame, person: str) -> pd.Series:
    """person -> the team a table's team column gives them most often (ties: first seen)."""
    if TEAM_COLUMN not in frame or person not in frame or not len(frame):
        return pd.Series(dtype=object)
    pairs = pd.DataFrame({"p": frame[person], "t": frame[TEAM_COLUMN]}).dropna()
    pairs = pairs.astype(str).apply(lambda c: c.str.strip())
    pairs = pairs[(pairs["p"] != "") & (pairs["t"] != "")]
    if not len(pairs):
        return pd.Series(dtype=object)
    counted = pairs.groupby(["p", "t"], sort=False).size().reset_index(name="n")
    counted = counted.sort_values("n", ascending=False, kind="stable")
    return counted.drop_duplicates("p").set_index("p")["t"]


def rep_roster(reps: pd.DataFrame, deals: pd.DataFrame, activities: pd.DataFrame, targets: pd.DataFrame
               ) -> pd.Series:
    """The one roster: rep -> team, used by every scope (KPIs, forecast, cockpit, decks, exports)
    through ``PipelineData.rep_team()``.

    Reps: the Reps table's, then every deal owner, activity rep and rep of a rep target not in it (an
    owner missing from Reps still sells).  Team: the Reps table's, else the one a team column of the
    deals (then of the activities) gives the rep most often, else :data:`NO_TEAM`.
    """
    reps = reps.dropna(subset=["rep"]).drop_duplicates("rep")
    listed = pd.Series(reps["team"].astype(object).to_numpy(), index=reps["rep"].astype(str).to_numpy(), dtype=object)
    rep_targets = targets.loc[targets["scope_type"] == "rep", "scope_name"] if len(targets) else targets["scope_name"]
    others = pd.unique(pd.concat([_named(deals["owner"]), _named(activities["rep"]), _named(rep_targets)],
                                 ignore_index=True))
    names = list(listed.index) + sorted(set(others) - set(listed.index))
    team = listed.reindex(names)
    for frame, person in ((deals, "owner"), (activities, "rep")):
        team = team.fillna(_team_of_people(frame, person).reindex(names))
    return team.where(team.notna() & (team.astype(str).str.strip() != ""), NO_TEAM).astype(object)
