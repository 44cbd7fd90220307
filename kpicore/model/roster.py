"""Scopes and the roster: who sells, in which team, and which deals a scope (company, team, rep) holds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kpicore.model.errors import UsageError
from kpicore.model.pipeline_data import PipelineData

COMPANY, TEAM, REP = "company", "team", "rep"  # the levels of a scope
COMPANY_SCOPE: tuple[str, str] = (COMPANY, "")
COMPANY_LABEL = "Entreprise"


@dataclass(frozen=True)
class Scope:
    """Company, a team (from Reps.team) or a rep."""

    level: str  # COMPANY, TEAM or REP
    name: str = ""

    def __post_init__(self) -> None:
        if self.level not in (COMPANY, TEAM, REP):
            raise UsageError(f"niveau « {self.level} » inconnu : company, team ou rep.")

    @classmethod
    def company(cls) -> "Scope":
        return cls(COMPANY, "")

    @classmethod
    def team(cls, name: str) -> "Scope":
        return cls(TEAM, name)

    @classmethod
    def rep(cls, name: str) -> "Scope":
        return cls(REP, name)

    @property
    def key(self) -> tuple[str, str]:
        return (self.level, self.name if self.level != COMPANY else "")

    @property
    def label(self) -> str:
        if self.level == COMPANY:
            return COMPANY_LABEL
        return f"Équipe {self.name}" if self.level == TEAM else self.name

    @property
    def code(self) -> str:
        return "company" if self.level == COMPANY else f"{self.level}:{self.name}"

    def __str__(self) -> str:
        return self.code


_LEVEL_WORDS = {"company": COMPANY, "entreprise": COMPANY, "team": TEAM, "équipe": TEAM, "equipe": TEAM,
                "rep": REP, "commercial": REP}


def parse_scope(text: str | Scope | None) -> Scope:
    """``company`` (or empty), ``team:NAME``, ``rep:NAME`` (French words accepted)."""
    if isinstance(text, Scope):
        return text
    if text is None or str(text).strip() == "":
        return Scope.company()
    level, _, name = str(text).partition(":")
    level = _LEVEL_WORDS.get(level.strip().lower())
    if level is None or (level != COMPANY and not name.strip()):
        raise UsageError(f"périmètre « {text} » illisible : écrivez company, team:NOM ou rep:NOM.")
    return Scope(level, name.strip() if level != COMPANY else "")



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


def roster(data: PipelineData) -> pd.Series:
    """The one roster: rep -> team, used by every scope (KPIs, forecast, cockpit, decks, exports).

    Reps: the Reps table's, then every deal owner, activity rep and rep of a rep target not in it (an
    owner missing from Reps still sells).  Team: the Reps table's, else the one a team column of the
    deals (then of the activities) gives the rep most often, else :data:`NO_TEAM`.
    """
    reps = data.reps.dropna(subset=["rep"]).drop_duplicates("rep")
    listed = pd.Series(reps["team"].astype(object).to_numpy(), index=reps["rep"].astype(str).to_numpy(), dtype=object)
    targets = data.targets
    rep_targets = targets.loc[targets["scope_type"] == "rep", "scope_name"] if len(targets) else targets["scope_name"]
    others = pd.unique(pd.concat([_named(data.deals["owner"]), _named(data.activities["rep"]), _named(rep_targets)],
                                 ignore_index=True))
    names = list(listed.index) + sorted(set(others) - set(listed.index))
    team = listed.reindex(names)
    for frame, person in ((data.deals, "owner"), (data.activities, "rep")):
        team = team.fillna(_team_of_people(frame, person).reindex(names))
    return team.where(team.notna() & (team.astype(str).str.strip() != ""), NO_TEAM).astype(object)


def scopes(data: PipelineData) -> list[tuple[str, str]]:
    """Company, then every team, then every rep, from the one roster."""
    rep_team = rep_team_of(data)
    teams = sorted(set(rep_team.values()))
    return [COMPANY_SCOPE, *(("team", t) for t in teams), *(("rep", r) for r in sorted(rep_team))]


def rep_team_of(data: PipelineData) -> dict[str, str]:
    """rep -> team of the one roster (:func:`roster`), as a dict."""
    return {str(r): str(t) for r, t in data.rep_team().items()}


def owners_of(scope: tuple[str, str], rep_team: dict[str, str]) -> frozenset[str] | None:
    """The deal owners a scope holds; None for the company (every deal, owned or not)."""
    kind, name = scope
    if kind == "company":
        return None
    if kind == "rep":
        return frozenset([name])
    if kind == "team":
        return frozenset(r for r, t in rep_team.items() if t == name)
    raise UsageError(f"niveau « {kind} » inconnu : company, team ou rep.")
