"""Every KPI of DESIGN.md ("The numbers"): its dictionary entry, and the function that computes it.

A KPI is a pure function of a ``Window`` (``kpicore.metrics.window``): the
canonical frames of one period up to the as-of date.  It returns one value per
scope (the company, each team, each rep, in the order of ``Window.scopes``);
``KpiEngine`` (``kpicore.metrics.kpis``) calls these functions for every period
it is asked and picks a scope out of them.  Above each function, ``@kpi`` holds
its entry of the KPI dictionary (label, definition, formula, unit, direction,
thresholds...): the shipped dictionary (``kpicore.metrics.dictionary``) is these
entries, in the order of ``KPIS``, and the workbook's « Dictionnaire KPI » sheet
may edit their labels and thresholds, never their computation.

Rules every function follows (tested in ``tests/test_kpis.py``):

* **Window.** A KPI of period ``P`` counts what is dated from ``P.start`` to
  ``min(P.end, as_of)``: nothing after the as-of date is known yet.  Per-week
  and per-month rates divide by the days elapsed up to the as-of date
  inclusive (``Window.days``), so a period not over is not penalised.  A period
  that has not started at the as-of date has nothing to measure: the engine
  gives None for every KPI without calling these functions.
* **Nothing to measure is NaN (None for one value), never 0**: a ratio whose
  denominator is 0 (conversion without decided deals, deal size without wins,
  cycle without wins, coverage without a target or with the target reached).
  Counts and amounts are real zeros (no meeting this week is 0 meetings).
* Deals without an owner and activities without a rep count for the company only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from kpicore.metrics.window import Window
from kpicore.model.kpi_dictionary import ACTIVITY, DOWN, LAGGING, LEADING, RESULT, UP, KpiDefinition

DAYS_PER_MONTH = 30.4375  # 365.25 / 12

_ACT = "Activities.date, Activities.rep, Activities.type"
_WON = "Deals.owner, Deals.status, Deals.amount, Deals.closed_on"


@dataclass(frozen=True)
class Kpi:
    """A KPI: its dictionary entry and the function computing it; call it on a window."""

    definition: KpiDefinition
    compute: Callable[[Window], np.ndarray]

    @property
    def id(self) -> str:
        return self.definition.id

    def __call__(self, w: Window) -> np.ndarray:
        return self.compute(w)


def kpi(label_fr: str, label_en: str, *, definition: str, formula: str, horizon: str, nature: str,
        review: tuple[str, ...], unit: str, direction: str, aggregation: str, sources: str,
        thresholds: Mapping[str, float] | None = None, core: bool = False
        ) -> Callable[[Callable[[Window], np.ndarray]], Kpi]:
    """The function below, with its dictionary entry (its id is the function's name).

    ``definition`` and ``formula`` are French, in words; ``aggregation`` says how
    targets combine (``kpicore.metrics.targets``): ``sum``, ``flow`` or ``ratio``.
    """
    def attach(compute: Callable[[Window], np.ndarray]) -> Kpi:
        return Kpi(KpiDefinition(compute.__name__, label_fr, label_en, definition, formula, horizon, nature,
                                 tuple(review), unit, direction, aggregation, sources,
                                 tuple((thresholds or {}).items()), core), compute)
    return attach


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator ÷ denominator, NaN where the denominator is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


# --------------------------------------------------------------------------- the five KPIs of the method
@kpi("RDV qualifiés / semaine", "Qualified meetings / week",
     definition="Rendez-vous qualifiés tenus dans la période, ramenés à la semaine.",
     formula="nombre d'activités « RDV qualifié » datées dans la période ÷ (jours de la période écoulés ÷ 7)",
     horizon=LEADING, nature=ACTIVITY, review=("daily", "weekly"), unit="per_week", direction=UP,
     aggregation="flow", sources=_ACT,
     thresholds={"falling_pct": 0.20, "min_count": 4, "max_p_value": 0.30}, core=True)
def qualified_meetings_per_week(w: Window) -> np.ndarray:
    """Qualified-meeting activities ÷ (days measured ÷ 7)."""
    return qualified_meetings(w) / (w.days / 7)


@kpi("Propositions envoyées / mois", "Proposals sent / month",
     definition="Propositions commerciales envoyées dans la période, ramenées au mois.",
     formula="propositions datées dans la période (activité « Proposition », sinon date de proposition de "
             "l'affaire) ÷ (jours écoulés ÷ 30,4375)",
     horizon=LEADING, nature=ACTIVITY, review=("weekly",), unit="per_month", direction=UP, aggregation="flow",
     sources=_ACT + ", Activities.deal_id, Deals.proposal_on", core=True)
def proposals_per_month(w: Window) -> np.ndarray:
    """``proposals`` ÷ (days measured ÷ 30.4375)."""
    return proposals(w) / (w.days / DAYS_PER_MONTH)


@kpi("Taux de transformation proposition → commande", "Proposal-to-order conversion",
     definition="Parmi les affaires ayant reçu une proposition et décidées (gagnées ou perdues) dans la période, "
                "la part gagnée.",
     formula="gagnées ÷ (gagnées + perdues), affaires avec proposition clôturées dans la période",
     horizon=LAGGING, nature=RESULT, review=("monthly",), unit="fraction", direction=UP, aggregation="ratio",
     sources=_WON + ", Deals.proposal_on, Activities.type",
     thresholds={"alert_below": 0.25, "min_count": 5, "max_p_value": 0.20}, core=True)
def proposal_conversion(w: Window) -> np.ndarray:
    """Deals that had a proposal (a ``proposal_on`` date or a proposal activity) and were won or lost
    in the window: won ÷ (won + lost)."""
    return _ratio(won_with_proposal(w), decided_with_proposal(w))


@kpi("Panier moyen", "Average deal size",
     definition="Montant moyen des affaires gagnées dans la période.",
     formula="somme des montants gagnés ÷ nombre d'affaires gagnées dans la période",
     horizon=LAGGING, nature=RESULT, review=("monthly",), unit="eur", direction=UP, aggregation="ratio",
     sources=_WON, thresholds={"falling_pct": 0.20, "min_count": 3, "max_p_value": 0.05}, core=True)
def average_deal_size(w: Window) -> np.ndarray:
    """Won amounts ÷ deals won in the window."""
    return _ratio(revenue_won(w), won_count(w))


@kpi("Durée du cycle de vente", "Sales cycle length",
     definition="Durée médiane entre la création et la signature des affaires gagnées dans la période.",
     formula="médiane de (date de clôture − date de création) en jours, affaires gagnées dans la période",
     horizon=LAGGING, nature=RESULT, review=("monthly",), unit="days", direction=DOWN, aggregation="ratio",
     sources=_WON + ", Deals.created_on",
     thresholds={"rising_pct": 0.25, "min_count": 3, "max_p_value": 0.05}, core=True)
def sales_cycle_days(w: Window) -> np.ndarray:
    """Median of ``closed_on − created_on`` in days over the deals won in the window (a deal won the day
    it was created has a cycle of 0 days; one without a creation date is left out)."""
    return w.median(*_won_cycles(w))


# --------------------------------------------------------------------------- beside them
@kpi("Durée moyenne du cycle", "Mean sales cycle",
     definition="Durée moyenne entre la création et la signature des affaires gagnées dans la période.",
     formula="moyenne de (date de clôture − date de création) en jours, affaires gagnées dans la période",
     horizon=LAGGING, nature=RESULT, review=("monthly",), unit="days", direction=DOWN, aggregation="ratio",
     sources=_WON + ", Deals.created_on")
def sales_cycle_days_mean(w: Window) -> np.ndarray:
    """The mean shown beside ``sales_cycle_days``, over the same deals."""
    return w.mean(*_won_cycles(w))


def _won_cycles(w: Window) -> tuple[np.ndarray, np.ndarray]:
    """The deals won in the window that have a creation date, and their cycles in days."""
    f = w.frames
    won = w.won[f.created_known[w.won]]
    return won, (f.closed[won] - f.created[won]).astype("float64")


@kpi("CA signé", "Revenue won",
     definition="Somme des montants des affaires gagnées dans la période.",
     formula="somme des montants des affaires gagnées (date de clôture dans la période)",
     horizon=LAGGING, nature=RESULT, review=("weekly", "monthly"), unit="eur", direction=UP, aggregation="sum",
     sources=_WON, thresholds={"behind_pace_pct": 0.20})
def revenue_won(w: Window) -> np.ndarray:
    """Amounts of the deals won in the window (a missing amount counts 0)."""
    return w.total(w.won, w.frames.amount)


@kpi("Affaires gagnées", "Deals won",
     definition="Nombre d'affaires gagnées dans la période.",
     formula="nombre d'affaires gagnées (date de clôture dans la période)",
     horizon=LAGGING, nature=RESULT, review=("monthly",), unit="count", direction=UP, aggregation="sum",
     sources=_WON)
def won_count(w: Window) -> np.ndarray:
    """Deals won in the window."""
    return w.count(w.won)


@kpi("Pipeline ouvert", "Open pipeline",
     definition="Montant des affaires en cours à la fin de la période (ou à la date d'arrêté).",
     formula="somme des montants des affaires créées et non clôturées à la date de référence",
     horizon=LEADING, nature=RESULT, review=("weekly",), unit="eur", direction=UP, aggregation="sum",
     sources="Deals.amount, Deals.created_on, Deals.closed_on, Deals.status")
def open_pipeline(w: Window) -> np.ndarray:
    """Amounts of the deals open at the reference date ``min(P.end, as_of)``: created on or before it
    and either still open or closed after it (a past period shows the pipeline as it stood then, with
    today's amounts)."""
    return w.total(w.open, w.frames.amount)


@kpi("Pipeline pondéré", "Weighted pipeline",
     definition="Pipeline ouvert pondéré par la probabilité déclarée, sinon celle de l'étape.",
     formula="somme de montant × probabilité (déclarée, sinon probabilité par défaut de l'étape)",
     horizon=LEADING, nature=RESULT, review=("weekly",), unit="eur", direction=UP, aggregation="sum",
     sources="Deals.amount, Deals.probability, Deals.stage, Stages.probability")
def weighted_pipeline(w: Window) -> np.ndarray:
    """The open pipeline, each deal weighted by its declared probability, else its stage's default; a
    deal closed since the reference date, or in an unknown stage, takes the mean default probability of
    the open stages (its declared probability now says 100 % or 0 %, which was not known then)."""
    return w.total(w.open, w.frames.weighted_amount)


@kpi("Couverture du pipeline", "Pipeline coverage",
     definition="Pipeline pondéré dont la signature est prévue dans la période, rapporté à l'objectif restant.",
     formula="pipeline pondéré à signer dans la période ÷ (objectif de CA − CA signé à date)",
     horizon=LEADING, nature=RESULT, review=("weekly",), unit="ratio", direction=UP, aggregation="ratio",
     sources="Deals.expected_close_on, Deals.amount, Deals.probability, Targets.value",
     thresholds={"alert_below": 1.0})
def coverage(w: Window) -> np.ndarray:
    """Weighted open pipeline whose expected close date falls in the period ÷ (revenue target of the
    period − revenue won to date); NaN without a target or with the target reached."""
    closing = w.open[w.expected_in_period(w.open)]
    return _ratio(w.total(closing, w.frames.weighted_amount), w.revenue_target - revenue_won(w))


@kpi("Taux de gain", "Win rate",
     definition="Part des affaires gagnées parmi toutes les affaires décidées dans la période.",
     formula="gagnées ÷ (gagnées + perdues), toutes affaires clôturées dans la période",
     horizon=LAGGING, nature=RESULT, review=("monthly",), unit="fraction", direction=UP, aggregation="ratio",
     sources="Deals.status, Deals.closed_on")
def win_rate(w: Window) -> np.ndarray:
    """Won ÷ (won + lost) over every deal decided in the window, with or without a proposal."""
    return _ratio(won_count(w), decided_count(w))


@kpi("Taux RDV qualifié → proposition (apparent)", "Meeting-to-proposal rate (apparent)",
     definition="Propositions de la période rapportées aux RDV qualifiés de la même période "
                "(peut dépasser 100 %).",
     formula="propositions ÷ RDV qualifiés, comptés dans la même période",
     horizon=LEADING, nature=ACTIVITY, review=("weekly", "monthly"), unit="fraction", direction=UP,
     aggregation="ratio", sources=_ACT + ", Deals.proposal_on",
     thresholds={"below_team_share": 0.5, "min_count": 6})
def meeting_to_proposal_rate(w: Window) -> np.ndarray:
    """Proposals ÷ qualified meetings of the same window: an *apparent* rate (the proposals need not come
    from those meetings), so it may exceed 1; it is not ``proposal_conversion``."""
    return _ratio(proposals(w), qualified_meetings(w))


@kpi("RDV qualifiés", "Qualified meetings",
     definition="Nombre de RDV qualifiés dans la période.",
     formula="nombre d'activités « RDV qualifié » datées dans la période",
     horizon=LEADING, nature=ACTIVITY, review=("weekly",), unit="count", direction=UP, aggregation="sum",
     sources=_ACT)
def qualified_meetings(w: Window) -> np.ndarray:
    """Qualified-meeting activities dated in the window."""
    return w.activities("qualified_meeting")


@kpi("Propositions", "Proposals",
     definition="Nombre de propositions envoyées dans la période.",
     formula="activités « Proposition » datées dans la période, plus la date de proposition des affaires "
             "sans aucune activité « Proposition »",
     horizon=LEADING, nature=ACTIVITY, review=("weekly",), unit="count", direction=UP, aggregation="sum",
     sources=_ACT + ", Deals.proposal_on")
def proposals(w: Window) -> np.ndarray:
    """Proposal activities dated in the window; for a deal that has no proposal activity at all, its
    ``proposal_on`` date counts instead (for the deal's owner), so a team that records proposals only as
    a date on the deal is counted too, without counting a deal twice."""
    return w.activities("proposal") + w.count(w.proposal_stand_ins)


def _activity_count(type_: str, label_fr: str) -> Kpi:
    def count(w: Window) -> np.ndarray:
        return w.activities(type_)

    count.__name__ = count.__qualname__ = f"activities_{type_}"
    count.__doc__ = f"Activities of type {type_} dated in the window."
    return kpi(f"Activités : {label_fr}", f"Activities: {type_.replace('_', ' ')}",
               definition=f"Nombre d'activités de type « {label_fr} » dans la période.",
               formula=f"nombre d'activités « {label_fr} » datées dans la période",
               horizon=LEADING, nature=ACTIVITY, review=("weekly",), unit="count", direction=UP,
               aggregation="sum", sources=_ACT)(count)


# One per activity type of kpicore.model.schema.ACTIVITY_TYPES.
activities_call = _activity_count("call", "Appel")
activities_meeting = _activity_count("meeting", "RDV")
activities_qualified_meeting = _activity_count("qualified_meeting", "RDV qualifié")
activities_proposal = _activity_count("proposal", "Proposition")
activities_follow_up = _activity_count("follow_up", "Relance")
activities_co_visit = _activity_count("co_visit", "Co-visite")
activities_other = _activity_count("other", "Autre")


# --------------------------------------------------------------------------- counts behind the ratios
# Not KPIs: the engine adds them to a period table so that a rule can tell how many
# observations a ratio stands on (kpicore.metrics.alerts).

def won_with_proposal(w: Window) -> np.ndarray:
    """Deals won in the window that had a proposal: the numerator of ``proposal_conversion``."""
    return w.count(w.won[w.frames.had_proposal[w.won]])


def decided_with_proposal(w: Window) -> np.ndarray:
    """Deals won or lost in the window that had a proposal: the denominator of ``proposal_conversion``."""
    return won_with_proposal(w) + w.count(w.lost[w.frames.had_proposal[w.lost]])


def lost_count(w: Window) -> np.ndarray:
    """Deals lost in the window."""
    return w.count(w.lost)


def decided_count(w: Window) -> np.ndarray:
    """Deals won or lost in the window."""
    return won_count(w) + lost_count(w)


def days_measured(w: Window) -> np.ndarray:
    """The days the window measures, for every scope."""
    return np.full(len(w.scopes), float(w.days))


# --------------------------------------------------------------------------- the dictionary's order
KPIS: tuple[Kpi, ...] = (
    qualified_meetings_per_week, proposals_per_month, proposal_conversion, average_deal_size, sales_cycle_days,
    sales_cycle_days_mean, revenue_won, won_count, open_pipeline, weighted_pipeline, coverage, win_rate,
    meeting_to_proposal_rate, qualified_meetings, proposals,
    activities_call, activities_meeting, activities_qualified_meeting, activities_proposal, activities_follow_up,
    activities_co_visit, activities_other,
)
KPI_BY_ID: dict[str, Kpi] = {k.id: k for k in KPIS}
DEFINITIONS: tuple[KpiDefinition, ...] = tuple(k.definition for k in KPIS)
