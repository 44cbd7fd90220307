"""Small hand-built canonical frames for the KPI engine tests (no demo data, no files)."""

from __future__ import annotations

import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData

_STAGE_OF = {"won": "Gagnée", "lost": "Perdue", "open": "Proposition"}


def ts(text: str | None) -> pd.Timestamp:
    return pd.NaT if text is None else pd.Timestamp(text)


def deal(deal_id: str, owner: str, status: str, amount: float, created: str, closed: str | None = None,
         proposal: str | None = None, expected: str | None = None, probability: float | None = None,
         stage: str | None = None) -> dict:
    return {"deal_id": deal_id, "owner": owner, "status": status, "stage": stage or _STAGE_OF[status],
            "amount": float(amount), "created_on": ts(created), "closed_on": ts(closed),
            "proposal_on": ts(proposal), "expected_close_on": ts(expected),
            "probability": float("nan") if probability is None else probability}


def act(day: str, rep: str, type_: str, deal_id: str | None = None) -> dict:
    return {"date": ts(day), "rep": rep, "type": type_, "deal_id": deal_id}


def target(period: str, scope_type: str, scope_name: str | None, value: float, metric: str = "revenue") -> dict:
    return {"period": period, "scope_type": scope_type, "scope_name": scope_name, "metric": metric, "value": value}


def frame(rows: list[dict], table: schema.Table) -> pd.DataFrame:
    if not rows:
        return table.empty()
    return schema.conform(pd.DataFrame(rows), table)


def make_data(deals: list[dict] = (), activities: list[dict] = (), reps: dict[str, str] | None = None,
              targets: list[dict] = (), co_visits: list[dict] = (), settings: dict[str, str] | None = None,
              inactive: tuple[str, ...] = ()) -> PipelineData:
    """``reps`` maps rep -> team."""
    rep_rows = [{"rep": r, "team": t, "active": r not in inactive} for r, t in (reps or {}).items()]
    setting_rows = [{"key": k, "value": v} for k, v in (settings or {}).items()]
    return PipelineData(
        deals=frame(list(deals), schema.DEALS),
        activities=frame(list(activities), schema.ACTIVITIES),
        reps=frame(rep_rows, schema.REPS),
        targets=frame(list(targets), schema.TARGETS),
        co_visits=frame(list(co_visits), schema.CO_VISITS),
        settings=frame(setting_rows, schema.SETTINGS),
    )
