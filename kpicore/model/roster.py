"""Scopes and the roster: who sells, in which team, and which deals a scope (company, team, rep) holds."""

from __future__ import annotations

from kpicore.model.errors import UsageError
from kpicore.model.pipeline_data import PipelineData

COMPANY_SCOPE: tuple[str, str] = ("company", "")


def scopes(data: PipelineData) -> list[tuple[str, str]]:
    """Company, then every team, then every rep (reps from Reps and from deal owners)."""
    rep_team = rep_team_of(data)
    teams = sorted(set(rep_team.values()))
    return [COMPANY_SCOPE, *(("team", t) for t in teams), *(("rep", r) for r in sorted(rep_team))]


def rep_team_of(data: PipelineData) -> dict[str, str]:
    """rep -> team, for the reps of the Reps sheet and every deal owner (an owner missing from Reps
    is in « Sans équipe »)."""
    out = {str(r): str(t) for r, t in data.rep_team().items()}
    for owner in data.deals["owner"].dropna().unique():
        out.setdefault(str(owner), "Sans équipe")
    return out


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
