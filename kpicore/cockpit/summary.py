"""The executive summary that opens every ritual deck: the headline, three numbers against their
targets, the main risk and the decision asked for, as codes and numbers (the decks word them).

Nothing here is computed twice: a deck hands over what its slides already computed (its target
checks, its forecast, its deals at risk, its alerts, the Actions table) and this module only chooses.

- **The three numbers** are ``Figure``: a value, its target, and the status of the on-target rule
  (``kpicore.metrics.targets``): an actual against the target due at the as-of date
  (``actual_figure``, from a ``TargetCheck``), a forecast against the whole target of its period
  (``forecast_figure``: a forecast is a whole-period value).
- **The main risk** (``main_risk``): the open deal with the largest value at risk in the deals at
  risk (``kpicore.forecast.risk``; ties: the order of that list), else the first alert
  (``compute_alerts`` ranks them), else none.
- **The decision asked for** (``decision_asked``): the ritual's open actions (the Actions table, its
  ``ritual`` column), the one due first with the number of the others; else the first alert's
  action; else none (« aucune décision demandée »).
- **The headline** (``headline``): one sentence from the first number (what was won) and the
  first forecast among the numbers (where the period is heading against its target).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import pandas as pd

from kpicore.forecast.forecasting import Forecast
from kpicore.forecast.risk import RiskReport
from kpicore.metrics.alerts import Alert
from kpicore.metrics.targets import NEAR_TOLERANCE, TargetCheck, target_status
from kpicore.model.messages import Message
from kpicore.model.periods import Period

MONEY, RATE = "money", "rate"  # how a figure reads: euros, or a rate with one decimal
ACTUAL, FORECAST = "actual", "forecast"
DEAL, ALERT, NONE = "deal", "alert", "none"  # where the main risk comes from
ACTIONS = "actions"  # the decision comes from the ritual's open actions (else ALERT, else NONE)


@dataclass(frozen=True)
class Figure:
    """One of the three numbers: ``label`` (a ``summary.figure.*`` message), its value and target."""

    label: Message
    value: float | None
    target: float | None
    due: float | None  # the target due at the as-of date (the whole target for a forecast)
    status: str | None  # ON_TARGET, NEAR_TARGET, BELOW_TARGET; None without a target
    unit: str = MONEY
    kind: str = ACTUAL
    period: Period | None = None

    @property
    def share(self) -> float | None:
        """The value as a share of the whole target (None without a value or a target)."""
        if self.value is None or not self.target:
            return None
        return self.value / self.target

    @property
    def gap(self) -> float | None:
        """Value minus the whole target (None without both)."""
        if self.value is None or self.target is None:
            return None
        return self.value - self.target


def actual_figure(code: str, check: TargetCheck, period: Period | None = None, *, unit: str = MONEY,
                  **figures: object) -> Figure:
    """A realised number as the deck checked it (``TargetBook.check``): judged against the target due.
    Its label is ``summary.figure.<code>`` with ``period`` and ``figures``."""
    return Figure(Message.of(f"summary.figure.{code}", period=period, **figures), check.value, check.target, check.due,
                  check.status, unit, ACTUAL, period)


def forecast_figure(code: str, fc: Forecast, period: Period | None = None, *, tolerance: float = NEAR_TOLERANCE,
                    **figures: object) -> Figure:
    """The forecast shown (``fc.shown``, the figure the forecast slide and the cockpit give) against the
    whole target of its period, with the tolerance of ``revenue_won`` (``near_tolerance``)."""
    status = target_status(fc.shown, fc.target, True, tolerance) if fc.target else None
    return Figure(Message.of(f"summary.figure.{code}", period=period, **figures), float(fc.shown), fc.target, fc.target,
                  status, MONEY, FORECAST, period)


@dataclass(frozen=True)
class MainRisk:
    """The deal with the most value at risk, else the first alert, else nothing (``source``)."""

    source: str  # DEAL, ALERT or NONE
    deal_id: str | None = None
    account: str | None = None
    owner: str | None = None
    stage: str | None = None
    amount: float | None = None
    value_at_risk: float | None = None
    reasons: tuple[str, ...] = ()
    said: Message | None = None  # the reasons with their figures (risk.list of risk.detail.*)
    alert: Alert | None = None
    n_deals: int = 0  # deals at risk in all
    total_at_risk: float = 0.0


def main_risk(risk: RiskReport | None, alerts: Sequence[Alert]) -> MainRisk:
    """The deal with the largest value at risk (first of the list among equals), else the first alert."""
    deals = risk.deals if risk is not None else pd.DataFrame()
    if len(deals):
        values = deals["value_at_risk"].astype(float).fillna(0.0).to_numpy()
        top = deals.iloc[int(values.argmax())]  # argmax keeps the first of equal values

        def text(x: object) -> str | None:
            return None if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)

        return MainRisk(DEAL, text(top["deal_id"]), text(top["account"]), text(top["owner"]), text(top["stage"]),
                        float(top["amount"]), float(top["value_at_risk"]), tuple(top["reasons"]),
                        top["reasons_message"], None, len(deals), float(values.sum()))
    if alerts:
        return MainRisk(ALERT, alert=alerts[0])
    return MainRisk(NONE)


@dataclass(frozen=True)
class Decision:
    """The decision asked of the ritual: an open action of it, else an alert's action, else none."""

    source: str  # ACTIONS, ALERT or NONE
    text: Message | str | None = None  # the action as the client typed it, or the alert's action message
    owner: str | None = None
    due_on: date | None = None
    late: bool = False
    others: int = 0  # the ritual's other open actions
    alert: Alert | None = None


def open_actions(actions: pd.DataFrame, ritual: str | None = None) -> pd.DataFrame:
    """The open actions (of one ritual, or of all), the one due first first (undated last, then by the
    date decided): the decks' list of open actions and the summary's decision."""
    a = actions
    keep = (a["status"] == "open").fillna(False)
    if ritual is not None:
        keep &= (a["ritual"] == ritual).fillna(False)
    return a[keep.to_numpy(dtype=bool)].sort_values(["due_on", "date"], kind="stable", na_position="last")


def decision_asked(actions: pd.DataFrame, ritual: str, as_of: date, alerts: Sequence[Alert]) -> Decision:
    """The rule of the module docstring: the ritual's open actions, else the first alert's action, else none."""
    mine = open_actions(actions, ritual)
    if len(mine):
        first = mine.iloc[0]
        due = first["due_on"]
        due_day = None if pd.isna(due) else pd.Timestamp(due).date()
        owner = None if pd.isna(first["owner"]) else str(first["owner"])
        return Decision(ACTIONS, str(first["decision"]), owner, due_day,
                        due_day is not None and due_day < as_of, len(mine) - 1)
    if alerts:
        return Decision(ALERT, alerts[0].action, alert=alerts[0])
    return Decision(NONE)


def headline(figures: Sequence[Figure]) -> Message:
    """One sentence: what the first number won (and its share of target), then where the first forecast
    among the numbers is heading against its target (``summary.headline``)."""
    lead = figures[0]
    if lead.share is not None:
        done = Message.of("summary.actual.share", period=lead.period, won=lead.value, share=lead.share)
    else:
        done = Message.of("summary.actual.no_target", period=lead.period, won=lead.value)
    outlook = next((f for f in figures if f.kind == FORECAST), None)
    if outlook is None:
        return Message.of("summary.headline.alone", actual=done)
    # the forecast of the lead's own period needs no period named again (the weekly deck's month)
    of = "" if outlook.period == lead.period else "_of"
    if outlook.gap is None:
        ahead = Message.of(f"summary.outlook.no_target{of}", period=outlook.period, forecast=outlook.value)
    elif outlook.gap < 0:
        ahead = Message.of(f"summary.outlook.short{of}", period=outlook.period, forecast=outlook.value,
                           gap=-outlook.gap)
    else:
        ahead = Message.of(f"summary.outlook.reached{of}", period=outlook.period, forecast=outlook.value,
                           gap=outlook.gap)
    return Message.of("summary.headline.both", actual=done, outlook=ahead)


@dataclass(frozen=True)
class ExecutiveSummary:
    ritual: str  # weekly, monthly, quarterly
    headline: Message
    figures: tuple[Figure, ...]
    risk: MainRisk
    decision: Decision


def executive_summary(ritual: str, figures: Sequence[Figure], as_of: date, *, risk: RiskReport | None,
                      alerts: Sequence[Alert], actions: pd.DataFrame) -> ExecutiveSummary:
    """The summary of one ritual from what its deck computed (the module docstring gives the rules)."""
    figures = tuple(figures)
    if not figures:
        raise ValueError("an executive summary needs its numbers: got none")
    return ExecutiveSummary(ritual, headline(figures), figures, main_risk(risk, alerts),
                            decision_asked(actions, ritual, as_of, alerts))
