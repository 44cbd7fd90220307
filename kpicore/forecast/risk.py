"""Deals at risk this week: each open deal checked against the company's own history.

Reasons (codes; each deal also carries one ``Message`` per reason, with its figures, that the
edges render in the reader's language: ``risk.detail.<code>`` in ``kpicore.text``):

``close_date_passed``  the expected close date is before the as-of date;
``no_activity``        no activity for longer than 75 % of the gaps between two
                       activities of a deal in this stage, in the company's
                       history (company-wide when the stage has fewer than
                       ``MIN_SAMPLE`` gaps; ``DEFAULT_ACTIVITY_DAYS`` when there
                       is no history).  The last activity is the latest of the
                       deal's ``last_activity_on`` and its activities; a deal
                       with neither counts from the day it entered its stage;
``stuck_in_stage``     in its stage for longer than 75 % of the completed stays in
                       that stage (StageHistory; skipped without it);
``close_date_pushed``  the expected close date moved later ``MIN_PUSHES`` times or
                       more across the pipeline snapshots (one push is routine, the
                       second one is the signal);
``amount_cut``         the amount is ``MIN_CUT`` or more below the highest amount a
                       snapshot recorded for the deal;
``no_next_step``       no next step written, checked only when the company fills
                       that column for some deals (otherwise every deal would be
                       flagged).

Deals with at least one reason are ranked by value at risk: amount × calibrated
probability when the caller gives one (a forecast's ``deals`` table), else
the amount.  Only what was known on the as-of date is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from typing import Callable

from kpicore.forecast.asof import data_today, pipeline_as_of, to_day
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.json_schemas import envelope

PERCENTILE = 75
MIN_SAMPLE = 20
DEFAULT_ACTIVITY_DAYS = 30
MIN_PUSHES = 2
MIN_CUT = 0.10

REASONS = ("close_date_passed", "no_activity", "stuck_in_stage", "close_date_pushed", "amount_cut",
           "no_next_step")


def reason_label(code: str) -> Message:
    """The short name of a reason (``risk.reason.stuck_in_stage``: « Bloquée dans l'étape »)."""
    return Message.of(f"risk.reason.{code}")


@dataclass(frozen=True)
class RiskReport:
    """Open deals with at least one risk reason, by value at risk (largest first).

    ``deals`` columns: deal_id, account, owner, stage, amount, probability,
    value_at_risk, n_reasons, reasons (tuple of codes), reason_messages (one ``Message``
    per reason, with its figures), reasons_message (one ``Message``: every reason, joined the way
    the reader's language joins them), expected_close_on, days_since_activity,
    days_in_stage, pushes, cut.  ``thresholds`` holds the day limits used, per stage.
    """

    as_of: pd.Timestamp
    deals: pd.DataFrame = field(compare=False, repr=False)
    activity_days: dict[str, float] = field(default_factory=dict, compare=False)
    stage_days: dict[str, float] = field(default_factory=dict, compare=False)
    n_open: int = 0


def _p75(values: pd.Series, groups: pd.Series) -> tuple[dict[str, float], float | None]:
    """Per-group 75th percentile (groups with MIN_SAMPLE values or more) and the overall one."""
    ok = values.notna()
    values, groups = values[ok], groups[ok]
    overall = float(np.percentile(values, PERCENTILE)) if len(values) else None
    counts = groups.value_counts()
    per = {str(g): float(np.percentile(values[groups == g], PERCENTILE))
           for g in counts[counts >= MIN_SAMPLE].index if pd.notna(g)}
    return per, overall


def _stage_at(history: pd.DataFrame, ids: pd.Series, when: pd.Series) -> pd.Series:
    """The stage of each (deal, date), from StageHistory (NA when unknown)."""
    left = pd.DataFrame({"deal_id": ids.astype("string").reset_index(drop=True),
                         "when": when.to_numpy("datetime64[ns]"),
                         "_i": np.arange(len(ids))}).sort_values("when", kind="stable")
    right = history.dropna(subset=["deal_id", "entered_on"])[["deal_id", "stage", "entered_on"]]
    right = right.astype({"deal_id": "string"})
    right = right.sort_values("entered_on", kind="stable")
    if left.empty or right.empty:
        return pd.Series(pd.NA, index=ids.index, dtype="string")
    m = pd.merge_asof(left, right, left_on="when", right_on="entered_on", by="deal_id", direction="backward")
    return pd.Series(m.sort_values("_i")["stage"].to_numpy(), index=ids.index, dtype="string")


def activity_thresholds(data: PipelineData, as_of: pd.Timestamp) -> tuple[dict[str, float], float]:
    """Days without activity beyond which a deal of each stage is unusual (75th percentile)."""
    acts = data.activities
    acts = acts[acts["deal_id"].notna() & (acts["date"] <= as_of)][["deal_id", "date"]]
    acts = acts.drop_duplicates().sort_values(["deal_id", "date"], kind="stable")
    nxt = acts.groupby("deal_id", sort=False)["date"].shift(-1)
    gaps = (nxt - acts["date"]).dt.days
    stage = _stage_at(data.stage_history, acts["deal_id"], acts["date"])
    per, overall = _p75(gaps.astype(float), stage)
    return per, DEFAULT_ACTIVITY_DAYS if overall is None else overall


def stage_thresholds(data: PipelineData, as_of: pd.Timestamp) -> tuple[dict[str, float], float | None]:
    """Days in a stage beyond which a deal is unusual (75th percentile of completed stays)."""
    h = data.stage_history.dropna(subset=["deal_id", "entered_on"])
    h = h[h["entered_on"] <= as_of].sort_values(["deal_id", "entered_on"], kind="stable")
    left = h.groupby("deal_id", sort=False)["entered_on"].shift(-1)
    stays = (left - h["entered_on"]).dt.days.astype(float)
    return _p75(stays, h["stage"])


def _snapshot_moves(data: PipelineData, as_of: pd.Timestamp, current: pd.DataFrame) -> pd.DataFrame:
    """Per deal: number of pushes of the expected close date and the highest amount recorded."""
    s = data.pipeline_snapshots
    s = s[s["snapshot_on"] <= as_of][["deal_id", "snapshot_on", "expected_close_on", "amount"]]
    # the deal as it stands on as_of closes the series
    now = current[["deal_id", "expected_close_on", "amount"]].assign(snapshot_on=as_of)
    s = pd.concat([s, now[s.columns]], ignore_index=True).sort_values(["deal_id", "snapshot_on"], kind="stable")
    s = s.drop_duplicates(["deal_id", "snapshot_on"], keep="last")
    prev = s.groupby("deal_id", sort=False)["expected_close_on"].shift(1)
    s["push"] = (s["expected_close_on"] > prev).fillna(False).astype(int)
    return s.groupby("deal_id").agg(pushes=("push", "sum"), max_amount=("amount", "max"))


def deals_at_risk(data: PipelineData, as_of=None, *, owners: frozenset[str] | None = None,
                  probabilities: pd.Series | None = None, limit: int | None = None) -> RiskReport:
    """The open deals at risk on ``as_of`` (default: the date of the data), ranked by value at risk.

    ``owners`` restricts to some reps (a rep's own view); ``probabilities`` maps
    deal_id -> calibrated probability (``Forecast.calibrated_probabilities``).
    """
    as_of = data_today(data) if as_of is None else to_day(as_of)
    pipe = pipeline_as_of(data, as_of)
    d = pipe.open.copy()
    if owners is not None:
        d = d[d["owner"].isin(list(owners))]
    d = d.reset_index(drop=True)

    acts = data.activities
    acts = acts[acts["deal_id"].notna() & (acts["date"] <= as_of)]
    last_act = acts.groupby("deal_id")["date"].max()
    # reindex rather than map: pandas fails to map strings through an empty datetime series
    # (no activity linked to any deal)
    mapped = pd.Series(last_act.reindex(d["deal_id"].to_numpy()).to_numpy(dtype="datetime64[ns]"),
                       index=d.index, dtype="datetime64[ns]")
    last = pd.concat([d["last_activity_on"], mapped], axis=1).max(axis=1)
    has_activity_data = len(acts) > 0 or data.deals["last_activity_on"].notna().any()
    since = (as_of - last.fillna(d["stage_entered_on"])).dt.days.astype(float)
    act_per, act_all = activity_thresholds(data, as_of)
    act_limit = d["stage"].map(lambda s: act_per.get(s, act_all) if isinstance(s, str) else act_all).astype(float)

    stage_per, stage_all = stage_thresholds(data, as_of)
    in_stage = (as_of - d["stage_entered_on"]).dt.days.astype(float)
    known = d["stage_known"].to_numpy(dtype=bool) & (len(data.stage_history) > 0)
    stage_limit = d["stage"].map(lambda s: stage_per.get(s, stage_all) if isinstance(s, str) else None)
    stage_limit = pd.to_numeric(stage_limit, errors="coerce").astype(float)

    moves = _snapshot_moves(data, as_of, d)
    pushes = d["deal_id"].map(moves["pushes"]).fillna(0).astype(int)
    max_amount = d["deal_id"].map(moves["max_amount"]).astype(float)
    cut = (1 - d["amount"] / max_amount).where(max_amount > 0).fillna(0.0).clip(lower=0.0)
    late = (as_of - d["expected_close_on"]).dt.days
    fills_next_step = data.deals["next_step"].notna().any()

    flags = {
        "close_date_passed": (late > 0).fillna(False).to_numpy(dtype=bool),
        "no_activity": (since > act_limit).to_numpy(dtype=bool) & has_activity_data,
        "stuck_in_stage": ((in_stage > stage_limit).fillna(False).to_numpy(dtype=bool) & known),
        "close_date_pushed": (pushes >= MIN_PUSHES).to_numpy(dtype=bool),
        "amount_cut": (cut >= MIN_CUT).to_numpy(dtype=bool),
        "no_next_step": (d["next_step"].fillna("").str.strip() == "").to_numpy(dtype=bool) & fills_next_step,
    }
    said: list[list[Message]] = [[] for _ in range(len(d))]
    codes: list[list[str]] = [[] for _ in range(len(d))]
    share = PERCENTILE / 100
    for i in range(len(d)):
        stage = d.at[i, "stage"]
        where = Message.of("risk.stage.named", name=stage) if isinstance(stage, str) else Message.of(
            "risk.stage.unknown")
        if flags["close_date_passed"][i]:
            said[i].append(Message.of("risk.detail.close_date_passed", days=int(late[i])))
        if flags["no_activity"][i]:
            said[i].append(Message.of("risk.detail.no_activity", days=int(since[i]), stage=where,
                                      limit=float(act_limit[i]), share=share))
        if flags["stuck_in_stage"][i]:
            said[i].append(Message.of("risk.detail.stuck_in_stage", stage=where, days=int(in_stage[i]),
                                      share=share, limit=float(stage_limit[i])))
        if flags["close_date_pushed"][i]:
            said[i].append(Message.of("risk.detail.close_date_pushed", pushes=int(pushes[i])))
        if flags["amount_cut"][i]:
            said[i].append(Message.of("risk.detail.amount_cut", cut=float(cut[i]), before=float(max_amount[i]),
                                      after=float(d.at[i, "amount"])))
        if flags["no_next_step"][i]:
            said[i].append(Message.of("risk.detail.no_next_step"))
        codes[i] = [c for c in flags if flags[c][i]]

    amount = d["amount"].astype(float).fillna(0.0)
    if probabilities is not None:
        p = d["deal_id"].map(probabilities).astype(float)
        value = amount * p.fillna(1.0)
    else:
        p = pd.Series(np.nan, index=d.index)
        value = amount
    out = pd.DataFrame({
        "deal_id": d["deal_id"], "account": d["account"], "owner": d["owner"], "stage": d["stage"],
        "amount": amount, "probability": p, "value_at_risk": value,
        "n_reasons": [len(c) for c in codes], "reasons": [tuple(c) for c in codes],
        "reason_messages": [tuple(m) for m in said],
        "reasons_message": [chained("risk.list", m) for m in said], "expected_close_on": d["expected_close_on"],
        "days_since_activity": since, "days_in_stage": in_stage, "pushes": pushes, "cut": cut,
    })
    out = out[out["n_reasons"] > 0].sort_values(["value_at_risk", "n_reasons", "deal_id"],
                                                ascending=[False, False, True], kind="stable")
    if limit is not None:
        out = out.head(limit)
    thresholds = {"*": act_all, **act_per}
    return RiskReport(as_of=as_of, deals=out.reset_index(drop=True), activity_days=thresholds,
                      stage_days={**({"*": stage_all} if stage_all is not None else {}), **stage_per},
                      n_open=len(d))


def risks_json(report: RiskReport, *, source: str, text: Callable[[Message], str]) -> dict:
    """The report as a document valid against ``kpicore/model/json_schemas/risks.v3.json``.

    ``source``: the file the data came from (``PipelineData.source``); ``text`` renders a message in
    the reader's language (the edge gives it: ``addin.actions.reports.Report.text``)."""
    def date_or_none(x) -> str | None:
        return None if pd.isna(x) else pd.Timestamp(x).date().isoformat()

    return {
        **envelope("risks", source, report.as_of),
        "n_open": int(report.n_open),
        "deals": [
            {"deal_id": str(r.deal_id), "account": None if pd.isna(r.account) else str(r.account),
             "owner": None if pd.isna(r.owner) else str(r.owner),
             "stage": None if pd.isna(r.stage) else str(r.stage),
             "amount": round(float(r.amount), 2),
             "probability": None if pd.isna(r.probability) else round(float(r.probability), 4),
             "value_at_risk": round(float(r.value_at_risk), 2),
             "reasons": list(r.reasons), "reasons_text": text(r.reasons_message),
             "expected_close_on": date_or_none(r.expected_close_on)}
            for r in report.deals.itertuples(index=False)
        ],
    }
