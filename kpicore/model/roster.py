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



def roster(data: PipelineData) -> pd.Series:
    """The one roster: rep -> team, used by every scope (KPIs, forecast, cockpit, decks, exports);
    see :func:`kpicore.model.rep_roster.rep_roster`."""
    return data.rep_team()


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
