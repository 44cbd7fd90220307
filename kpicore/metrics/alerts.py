"""Alerts: what the method watches (DESIGN.md, "Alerts"), each with its numbers and a suggested action.

Every rule reads its threshold from the KPI dictionary (``kpicore.metrics.dictionary``)
and its numbers from ``KpiEngine`` tables over rolling windows ending at the
as-of date ``A`` (both ends included):

=========================  ==========================================================  =====================
alert                      rule                                                        scopes
=========================  ==========================================================  =====================
``low_conversion``         proposal → order conversion of the last 91 days below       rep, team, company
                           ``alert_below`` (25 %), with at least ``min_count``
                           decided deals; co-visit scores of the same days beside it
``meetings_falling``       qualified meetings per week of the last 4 weeks at least    rep, team, company
                           ``falling_pct`` below the 8 weeks before; projected
                           impact = meetings lost × meeting → won yield × average
                           deal size (both over the last 365 days), landing 60 to
                           90 days after the as-of date
``few_proposals``          proposals per qualified meeting (last 91 days) below        rep
                           ``below_team_share`` × the rest of the team's, for a rep
                           with at least the team's median number of meetings
``deal_size_falling``      average deal size of the last 91 days at least              rep, team, company
                           ``falling_pct`` below the 182 days before
``cycle_lengthening``      median sales cycle of the last 91 days at least             rep, team, company
                           ``rising_pct`` above the 182 days before
``behind_target``          revenue won to date in the month (and in the quarter)       rep, team, company
                           below target by the one on-target rule
                           (``kpicore.metrics.targets``): under (1 −
                           ``behind_pace_pct``) × the target pro rata of the period
                           elapsed (each month's target × its elapsed share)
=========================  ==========================================================  =====================

Noise guards: a rep makes one or two qualified meetings a week and signs a
few deals a month, so a 4-week or 3-month comparison swings widely by chance.
An alert also needs the deviation to be unlikely from noise alone, below the
dictionary's ``max_p_value``: a binomial test for meetings (the last 4 weeks
should hold a third of the 12 weeks' meetings) and for conversion (so few wins
at a true rate of ``alert_below``), a one-sided rank test (Mann-Whitney) for
deal sizes and cycles.  Measured on the large demo company (120 reps): the
guards remove most alerts on steady reps and keep those on the reps built to be
found (see ``tests/test_alerts_demo.py``).

Inactive reps (``Reps.active`` false) get no alert.  Severity is ``high`` when
the deviation is twice the threshold's (or the pace below half), else
``medium``.  Alerts are sorted most important first: severity, then euros at
stake, then company before teams before reps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from kpicore.metrics.covisits import covisit_table
from kpicore.model.pipeline_data import PipelineData
from kpicore.metrics.dictionary import KpiDictionary
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.roster import Scope
from kpicore.model.periods import FISCAL_QUARTER, MONTH, QUARTER, DateLike, Period, to_date
from kpicore.metrics.targets import BELOW_TARGET, near_tolerance, target_status
from kpicore.model.roster import COMPANY, REP, TEAM
from kpicore.text import formats

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_FR = {HIGH: "Haute", MEDIUM: "Moyenne", LOW: "Faible"}
_RANK = {HIGH: 0, MEDIUM: 1, LOW: 2}
_LEVEL_RANK = {COMPANY: 0, TEAM: 1, REP: 2}


@dataclass(frozen=True)
class Alert:
    kind: str
    severity: str  # HIGH, MEDIUM or LOW
    scope: Scope
    title: str  # French, one line
    detail: str  # French: the numbers behind the alert, in words
    action: str  # French: what to do
    kpi: str
    numbers: tuple[tuple[str, float | None], ...] = ()
    impact_eur: float | None = None  # euros at stake (lost or missing), positive
    lands_from: date | None = None  # when a projected impact reaches revenue
    lands_to: date | None = None

    @property
    def severity_fr(self) -> str:
        return SEVERITY_FR[self.severity]

    def sort_key(self) -> tuple:
        return (_RANK[self.severity], -(self.impact_eur or 0.0), _LEVEL_RANK[self.scope.level],
                self.scope.name, self.kind)


def _ok(x: float) -> bool:
    return x is not None and bool(np.isfinite(x))


class _Rules:
    def __init__(self, data: PipelineData, engine: KpiEngine, dictionary: KpiDictionary) -> None:
        self.data, self.e, self.d = data, engine, dictionary
        self.A = engine.as_of
        a = self.A
        self.recent4 = engine.table(Period.between(a - timedelta(days=27), a))
        self.base8 = engine.table(Period.between(a - timedelta(days=83), a - timedelta(days=28)))
        self.last91 = engine.table(Period.between(a - timedelta(days=90), a))
        self.prev182 = engine.table(Period.between(a - timedelta(days=272), a - timedelta(days=91)))
        self.year = engine.table(Period.between(a - timedelta(days=364), a))
        reps = data.reps.drop_duplicates("rep").set_index("rep")["active"]
        self.inactive = {str(r) for r in reps.index[~reps.fillna(True).astype(bool).to_numpy()]}
        self._won_recent = engine.won_deals(Period.between(a - timedelta(days=90), a))
        self._won_before = engine.won_deals(Period.between(a - timedelta(days=272), a - timedelta(days=91)))
        self.alerts: list[Alert] = []

    def scopes(self, levels=(COMPANY, TEAM, REP)):
        for level, name in self.e.index:
            if level in levels and not (level == REP and name in self.inactive):
                yield Scope(level, name), (level, name)

    def won(self, which: str, key: tuple[str, str], column: str) -> np.ndarray:
        """The won deals' ``column`` of one scope over the last 91 days or the 182 before."""
        frame = self._won_recent if which == "recent" else self._won_before
        if key[0] == COMPANY:
            return frame[column].to_numpy()
        return frame.loc[frame[key[0]] == key[1], column].to_numpy()

    def add(self, **kw) -> None:
        self.alerts.append(Alert(**kw))

    # -- rules --------------------------------------------------------------
    def low_conversion(self) -> None:
        kpi = "proposal_conversion"
        below = self.d.threshold(kpi, "alert_below", 0.25)
        min_n = self.d.threshold(kpi, "min_count", 5)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        t = self.last91
        start = self.A - timedelta(days=90)
        cv = covisit_table(self.data, Period.between(start, self.A), self.A, self.e.rep_team)
        for scope, key in self.scopes():
            conv, n = t.at[key, kpi], t.at[key, "_decided_with_proposal"]
            if not _ok(conv) or n < min_n or conv >= below:
                continue
            # Noise guard: so few wins must be unlikely (p < max_p_value) at a true rate of `below`.
            if binom_cdf(t.at[key, "_won_with_proposal"], n, below) >= max_p:
                continue
            size = t.at[key, "average_deal_size"]
            impact = (below - conv) * n * size if _ok(size) else None
            numbers = [("conversion", conv), ("seuil", below), ("affaires_decidees", n),
                       ("gagnees", t.at[key, "_won_with_proposal"])]
            scores = ""
            if key in cv.index and cv.at[key, "count"] > 0:
                row = cv.loc[key]
                numbers += [("covisites", float(row["count"])), ("decouverte", row["discovery_quality"]),
                            ("pertinence", row["proposal_relevance"]), ("satisfaction", row["customer_satisfaction"])]
                if _ok(row["discovery_quality"]):
                    scores = (f" Co-visites : découverte {formats.number(row['discovery_quality'], 1)}/5, "
                              f"pertinence {formats.number(row['proposal_relevance'], 1)}/5 "
                              f"({int(row['count'])} co-visite(s)).")
            self.add(kind="low_conversion", severity=HIGH if conv < below * 0.6 else MEDIUM, scope=scope, kpi=kpi,
                     title=f"{scope.label} : transformation des propositions à {formats.percent(conv)}",
                     detail=(f"{int(t.at[key, '_won_with_proposal'])} gagnée(s) sur {int(n)} proposition(s) décidée(s) "
                             f"depuis le {formats.date(start)}, sous le seuil de {formats.percent(below)}.{scores}"),
                     action=("Revoir le ciblage et la proposition de valeur : relire les dernières propositions "
                             "perdues avec le commercial et planifier une co-visite sur la prochaine."),
                     numbers=tuple(numbers), impact_eur=impact)

    def meetings_falling(self) -> None:
        kpi = "qualified_meetings_per_week"
        falling = self.d.threshold(kpi, "falling_pct", 0.20)
        min_n = self.d.threshold(kpi, "min_count", 4)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        r, b, y = self.recent4, self.base8, self.year
        for scope, key in self.scopes():
            now, before = r.at[key, kpi], b.at[key, kpi]
            if not (_ok(now) and _ok(before)) or b.at[key, "qualified_meetings"] < min_n:
                continue
            drop = 1 - now / before
            # Noise guard: with the same weekly rate in the 12 weeks, the last 4 would hold a third of
            # the meetings; a count this low must be unlikely (p < max_p_value) to be called a fall.
            recent_n, base_n = r.at[key, "qualified_meetings"], b.at[key, "qualified_meetings"]
            if drop < falling or binom_cdf(recent_n, recent_n + base_n, 1 / 3) >= max_p:
                continue
            lost = (before - now) * 4
            meetings, won, size = y.at[key, "qualified_meetings"], y.at[key, "won_count"], y.at[key, "average_deal_size"]
            yield_ = won / meetings if meetings > 0 else np.nan
            impact = lost * yield_ * size if _ok(yield_) and _ok(size) else None
            lands_from, lands_to = self.A + timedelta(days=60), self.A + timedelta(days=90)
            money = (f" Impact projeté : {formats.money(impact)} de CA en moins entre le {formats.date(lands_from)} "
                     f"et le {formats.date(lands_to)}." if impact is not None else "")
            self.add(kind="meetings_falling", severity=HIGH if drop >= 2 * falling else MEDIUM, scope=scope, kpi=kpi,
                     title=f"{scope.label} : RDV qualifiés en baisse de {formats.percent(drop)}",
                     detail=(f"{formats.number(now, 1)} RDV qualifiés par semaine sur les 4 dernières semaines "
                             f"contre {formats.number(before, 1)} sur les 8 précédentes, soit environ "
                             f"{formats.number(lost, 0)} RDV perdus."
                             + money),
                     action=("Relancer la prospection cette semaine : fixer un objectif de RDV qualifiés par jour, "
                             "bloquer des créneaux de prospection et suivre le rythme au point hebdo."),
                     numbers=(("rdv_semaine_4s", now), ("rdv_semaine_8s_avant", before), ("baisse", drop),
                              ("rdv_perdus", lost), ("rendement_rdv_gagnee", _none(yield_)),
                              ("panier_moyen", _none(size))),
                     impact_eur=impact, lands_from=lands_from, lands_to=lands_to)

    def few_proposals(self) -> None:
        kpi = "meeting_to_proposal_rate"
        share = self.d.threshold(kpi, "below_team_share", 0.5)
        min_n = self.d.threshold(kpi, "min_count", 6)
        t = self.last91
        reps = t.loc[REP]
        team_of = self.e.rep_team
        median_meetings = reps["qualified_meetings"].groupby(team_of.reindex(reps.index).to_numpy()).median()
        for scope, key in self.scopes((REP,)):
            team = team_of[scope.name]
            meetings, props = t.at[key, "qualified_meetings"], t.at[key, "proposals"]
            if meetings < max(min_n, median_meetings.get(team, 0)):
                continue
            rest_m = t.at[(TEAM, team), "qualified_meetings"] - meetings
            rest_p = t.at[(TEAM, team), "proposals"] - props
            where = f"l'équipe {team}"
            if rest_m <= 0:
                rest_m, rest_p = t.at[(COMPANY, ""), "qualified_meetings"] - meetings, \
                    t.at[(COMPANY, ""), "proposals"] - props
                where = "l'entreprise"
            if rest_m <= 0:
                continue
            mine, theirs = props / meetings, rest_p / rest_m
            if theirs <= 0 or mine >= share * theirs:
                continue
            missing = meetings * theirs - props
            won_per_prop = (t.at[(COMPANY, ""), "won_count"] / t.at[(COMPANY, ""), "proposals"]
                            if t.at[(COMPANY, ""), "proposals"] > 0 else np.nan)
            size = t.at[(COMPANY, ""), "average_deal_size"]
            impact = missing * won_per_prop * size if _ok(won_per_prop) and _ok(size) else None
            self.add(kind="few_proposals", severity=HIGH if mine < share * theirs / 2 else MEDIUM, scope=scope,
                     kpi=kpi, title=f"{scope.label} : beaucoup de RDV, peu de propositions",
                     detail=(f"{int(meetings)} RDV qualifiés et {int(props)} proposition(s) sur 91 jours : "
                             f"{formats.number(mine, 2)} proposition par RDV contre {formats.number(theirs, 2)} pour "
                             f"le reste de {where}."),
                     action=("Vérifier la qualification des RDV (besoin, budget, décideur, échéance) et "
                             "accompagner le commercial en co-visite sur la conclusion des RDV."),
                     numbers=(("rdv_qualifies", meetings), ("propositions", props), ("ratio", mine),
                              ("ratio_reference", theirs), ("propositions_manquantes", missing)),
                     impact_eur=impact)

    def deal_size_falling(self) -> None:
        kpi = "average_deal_size"
        falling = self.d.threshold(kpi, "falling_pct", 0.20)
        min_n = self.d.threshold(kpi, "min_count", 3)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        r, b = self.last91, self.prev182
        for scope, key in self.scopes():
            now, before = r.at[key, kpi], b.at[key, kpi]
            if not (_ok(now) and _ok(before)) or r.at[key, "won_count"] < min_n or b.at[key, "won_count"] < min_n:
                continue
            drop = 1 - now / before
            if drop < falling or rank_test_greater(self.won("before", key, "amount"),
                                                   self.won("recent", key, "amount")) >= max_p:
                continue
            impact = (before - now) * r.at[key, "won_count"]
            self.add(kind="deal_size_falling", severity=HIGH if drop >= 2 * falling else MEDIUM, scope=scope,
                     kpi=kpi, title=f"{scope.label} : panier moyen en baisse de {formats.percent(drop)}",
                     detail=(f"{formats.money(now)} sur les 3 derniers mois ({int(r.at[key, 'won_count'])} affaires) "
                             f"contre {formats.money(before)} sur les 6 mois précédents."),
                     action=("Chercher une guerre des prix : revoir les remises accordées et les affaires "
                             "perdues sur le prix, défendre la valeur plutôt que baisser le prix."),
                     numbers=(("panier_3m", now), ("panier_6m_avant", before), ("baisse", drop)),
                     impact_eur=impact)

    def cycle_lengthening(self) -> None:
        kpi = "sales_cycle_days"
        rising = self.d.threshold(kpi, "rising_pct", 0.25)
        min_n = self.d.threshold(kpi, "min_count", 3)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        r, b = self.last91, self.prev182
        for scope, key in self.scopes():
            now, before = r.at[key, kpi], b.at[key, kpi]
            if not (_ok(now) and _ok(before)) or before <= 0 or r.at[key, "won_count"] < min_n \
                    or b.at[key, "won_count"] < min_n:
                continue
            rise = now / before - 1
            if rise < rising or rank_test_greater(self.won("recent", key, "cycle_days"),
                                                  self.won("before", key, "cycle_days")) >= max_p:
                continue
            self.add(kind="cycle_lengthening", severity=HIGH if rise >= 2 * rising else MEDIUM, scope=scope,
                     kpi=kpi, title=f"{scope.label} : cycle de vente allongé de {formats.percent(rise)}",
                     detail=(f"Durée médiane de {formats.number(now, 0)} jours sur les 3 derniers mois contre "
                             f"{formats.number(before, 0)} jours sur les 6 mois précédents."),
                     action=("Revoir la qualification et le suivi : fixer une prochaine étape datée à chaque "
                             "affaire et relancer celles sans activité récente."),
                     numbers=(("cycle_3m", now), ("cycle_6m_avant", before), ("hausse", rise)))

    def behind_target(self) -> None:
        kpi = "revenue_won"
        book, tolerance = self.e.targets, near_tolerance(kpi, self.d)
        fsm = self.e.fiscal_start_month
        for period in (Period.containing(MONTH, self.A),
                       Period.containing(FISCAL_QUARTER if fsm != 1 else QUARTER, self.A, fsm)):
            elapsed = period.days_elapsed(self.A)
            if elapsed < 7:  # too early in the period to judge a pace
                continue
            share = elapsed / period.days
            t = self.e.table(period)
            for scope, key in self.scopes():
                # the target due is each month's target × its elapsed share, so a quarter whose
                # last month carries more (year-end push) is not judged linearly
                target = book.value(kpi, period, scope.level, scope.key[1])
                if target is None or target <= 0:
                    continue
                won, pace = float(t.at[key, kpi]), book.due(kpi, period, self.A, scope.level, scope.key[1])
                if target_status(won, pace, tolerance=tolerance) != BELOW_TARGET:
                    continue
                self.add(kind="behind_target", severity=HIGH if won < 0.5 * pace else MEDIUM, scope=scope, kpi=kpi,
                         title=f"{scope.label} : en retard sur l'objectif de {period.label}",
                         detail=(f"{formats.money(won)} signés au {formats.date(self.A)} pour un objectif de "
                                 f"{formats.money(target)} : le rythme demandait {formats.money(pace)} "
                                 f"({formats.percent(share)} de la période écoulée)."),
                         action=("Revoir le pipeline à signer dans la période avec le commercial : prioriser les "
                                 "affaires en négociation et avancer les prochaines étapes."),
                         numbers=(("signe", won), ("objectif", target), ("rythme", pace), ("part_ecoulee", share)),
                         impact_eur=pace - won)


def binom_cdf(k: float, n: float, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p): exact below 1,000 trials, normal approximation above."""
    k, n = int(round(k)), int(round(n))
    if k >= n:
        return 1.0
    if k < 0:
        return 0.0
    if n >= 1000:
        sd = math.sqrt(n * p * (1 - p))
        return 0.5 * math.erfc(-(k + 0.5 - n * p) / (sd * math.sqrt(2))) if sd > 0 else float(k >= n * p)
    if p <= 0:
        return 1.0
    if p >= 1:
        return 0.0
    log = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p)
           + (n - i) * math.log1p(-p) for i in range(k + 1)]
    return min(1.0, sum(math.exp(v) for v in log))


def rank_test_greater(x: np.ndarray, y: np.ndarray) -> float:
    """One-sided p-value that ``x`` tends to be larger than ``y`` (Mann-Whitney U, normal approximation).

    Used as a noise guard, not as science: with few deals it only keeps alerts whose
    shift is visible in the whole distribution, not in one median.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        return 1.0
    u = float((x[:, None] > y[None, :]).sum() + 0.5 * (x[:, None] == y[None, :]).sum())
    sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (u - n1 * n2 / 2 - 0.5) / sd  # continuity correction
    return 0.5 * math.erfc(z / math.sqrt(2))


def _none(x: float) -> float | None:
    return float(x) if _ok(x) else None


def compute_alerts(data: PipelineData, as_of: DateLike, dictionary: KpiDictionary | None = None,
                   engine: KpiEngine | None = None) -> list[Alert]:
    """Every alert as of a date, most important first (see the module docstring).

    ``dictionary`` defaults to the engine's, else the workbook's own or the shipped one
    (``kpicore.metrics.dictionary.dictionary_of``)."""
    engine = engine or KpiEngine(data, to_date(as_of), dictionary)
    rules = _Rules(data, engine, dictionary if dictionary is not None else engine.dictionary)
    for rule in (rules.low_conversion, rules.meetings_falling, rules.few_proposals, rules.deal_size_falling,
                 rules.cycle_lengthening, rules.behind_target):
        rule()
    return sorted(rules.alerts, key=Alert.sort_key)
