"""The weekly pipeline review (revue hebdomadaire du pipeline).

Slides: the week in 30 seconds; the pipeline movement since the last snapshot
(a waterfall that reconciles to the cent); deals that advanced and deals that
stalled; the month forecast with its range vs target; deals at risk; activity
per rep vs target; open actions; this week's decisions.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kpicore.metrics.alerts import compute_alerts
from kpicore.forecast.asof import pipeline_as_of
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.shown import forecast
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.roster import Scope
from kpicore.model.periods import MONTH, WEEK, Period
from kpicore.forecast.risk import deals_at_risk
from kpicore.forecast.snapshots import MOVES_FR, pipeline_movement
from kpicore.model.roster import REP, TEAM
from kpicore.text import formats as F
from ritual_decks.blocks import (DOWN_SIGN, TARGET_STATUS_FR, UP_SIGN, actions_slide, company_name, decisions_slide,
                                 forecast_slide, halves)
from ritual_decks.charts import Box, Series, Step, bar_chart, waterfall_chart
from ritual_decks.formats import days, times
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para

ADDS = ("new", "pulled_in", "reopened", "increased")
SUBTRACTS = ("decreased", "won", "lost", "slipped_out")
MAX_CHART_REPS = 14  # beyond this a per-rep bar chart is unreadable: teams instead


def movement_start(data: PipelineData, as_of: date) -> tuple[pd.Timestamp, bool]:
    """The date of the last pipeline snapshot before ``as_of``, or a week earlier on a first run
    (the pipeline then is reconstructed); the flag says whether a snapshot was found."""
    snaps = data.pipeline_snapshots["snapshot_on"].dropna()
    before = snaps[snaps < pd.Timestamp(as_of)]
    if len(before):
        return pd.Timestamp(before.max()), True
    return pd.Timestamp(as_of) - pd.Timedelta(days=7), False


def _stage_order(data: PipelineData) -> dict[str, int]:
    s = data.stages
    return dict(zip(s["stage"].astype(str), s["order"].astype(int)))


def advanced_deals(data: PipelineData, start: pd.Timestamp, as_of: date) -> pd.DataFrame:
    """Deals whose stage moved forward (or that were won) between ``start`` and ``as_of``."""
    order = _stage_order(data)
    lost = set(data.stages.loc[data.stages["is_lost"].fillna(False).astype(bool), "stage"].astype(str))
    a = pipeline_as_of(data, start).deals
    b = pipeline_as_of(data, pd.Timestamp(as_of)).deals
    a = a[a["status"] == "open"][["deal_id", "stage"]]
    m = b.merge(a, on="deal_id", how="inner", suffixes=("", "_before"))
    o0 = m["stage_before"].astype(object).map(order)
    o1 = m["stage"].astype(object).map(order)
    keep = (o1 > o0).fillna(False) & ~m["stage"].astype(object).isin(lost) & (m["status"] != "lost")
    return m[keep.to_numpy(dtype=bool)].sort_values(["amount", "deal_id"], ascending=[False, True])


def _reasons_short(row) -> str:
    """The risk reasons in a few words each (the full sentences are in the cockpit)."""
    parts = []
    for code in row.reasons:
        if code == "close_date_passed":
            late = (row.as_of - row.expected_close_on).days
            parts.append(f"date dépassée de {days(late)}")
        elif code == "no_activity":
            parts.append(f"sans activité depuis {days(int(row.days_since_activity))}")
        elif code == "stuck_in_stage":
            parts.append(f"bloquée depuis {days(int(row.days_in_stage))}")
        elif code == "close_date_pushed":
            parts.append(f"repoussée {int(row.pushes)} fois")
        elif code == "amount_cut":
            parts.append(f"montant réduit de {F.percent(row.cut)}")
        elif code == "no_next_step":
            parts.append("pas de prochaine étape")
    text = " ; ".join(parts)
    return text[:1].upper() + text[1:]


class WeeklyDeck:
    def __init__(self, data: PipelineData, as_of: date, writer: DeckWriter, n_sims: int) -> None:
        self.data, self.as_of, self.w, self.n_sims = data, as_of, writer, n_sims
        self.engine = KpiEngine(data, as_of)
        self.week = Period.containing(WEEK, as_of)
        self.month = Period.containing(MONTH, as_of)
        self.shown: list[SlideShown] = []

    def build(self) -> list[SlideShown]:
        w = self.w
        w.title_slide("Revue hebdomadaire du pipeline",
                      f"{company_name(self.data)} · {self.week.label} · données au {F.date(self.as_of)}")
        self.fc = forecast(self.data, self.month, as_of=self.as_of, n_sims=self.n_sims)
        for make in (self.week_kpis, self.movement, self.advanced_stalled, self.month_forecast, self.risks,
                     self.activity):
            self.shown.append(make())
        self.shown.append(actions_slide(w, "actions", self.data, self.as_of))
        self.shown.append(decisions_slide(w, "decisions", "weekly"))
        return self.shown

    # -- the week in 30 seconds ---------------------------------------------
    def week_kpis(self) -> SlideShown:
        e, w = self.engine, self.w
        company = Scope.company()
        lines = [  # (label, kpi, period, formatter)
            ("CA signé du mois", "revenue_won", self.month, F.money),
            ("RDV qualifiés / semaine", "qualified_meetings_per_week", self.week, lambda x: F.number(x, 1)),
            ("Propositions / mois (semaine)", "proposals_per_month", self.week, lambda x: F.number(x, 1)),
            ("Transformation des propositions", "proposal_conversion", self.month, F.percent),
            ("Panier moyen (mois)", "average_deal_size", self.month, F.money),
            ("Cycle de vente médian (mois)", "sales_cycle_days", self.month, days),
            ("Couverture du reste à faire", "coverage", self.month, times),
        ]
        rows, colours, numbers = [], {}, {}
        for i, (label, kpi, period, fmt) in enumerate(lines):
            v = e.value(kpi, period, company, with_trend=False)
            check = e.targets.check(kpi, v.value, period, self.as_of, company.level, company.key[1])
            status = ""
            if check.status is not None:
                status = TARGET_STATUS_FR[check.status]
                colours[(i, 3)] = w.palette.status(check.status)
            rows.append((label, fmt(v.value), fmt(check.target) if check.target is not None else F.DASH, status))
            numbers[kpi] = v.value
            numbers[f"{kpi}_target"] = check.target
            numbers[f"{kpi}_due"] = check.due
        rev, tgt, due = numbers["revenue_won"], numbers["revenue_won_target"], numbers["revenue_won_due"]
        if tgt:
            title = (f"{self.month.label.capitalize()} : {F.money(rev)} signés sur {F.money(tgt)} d'objectif "
                     f"({F.percent(rev / tgt)}) au {F.date(self.as_of)}")
        else:
            title = f"{self.month.label.capitalize()} : {F.money(rev)} signés au {F.date(self.as_of)}"
        pace = (f" · état : réalisé contre l'objectif au prorata des jours écoulés (CA : {F.money(due)} à date)"
                if due is not None else "")
        slide = w.slide(title, footer=f"{self.week.label} : du {F.date(self.week.start)} au "
                                      f"{F.date(min(self.week.end, self.as_of))}{pace} · objectifs de la feuille "
                                      "Objectifs")
        left, right = Box(w.content.x, w.content.y, w.content.w * 0.6, w.content.h), None
        right = Box(left.x + left.w + 18, left.y, w.content.w - left.w - 18, w.content.h)
        w.table(slide, left, ["Indicateur", "Réalisé", "Objectif", "État"], rows, [0.48, 0.17, 0.15, 0.2],
                right=(1, 2), colours=colours)
        alerts = compute_alerts(self.data, self.as_of, engine=e)[:3]
        paras = [Para("Alertes prioritaires", 14, True, w.palette.ink)]
        for a in alerts:
            paras.append(Para(f"{a.severity_fr} · {a.title}", 12, True, w.palette.bad if a.severity == "high"
                              else w.palette.ink))
            paras.append(Para(a.action, 11, False, w.palette.muted))
        if not alerts:
            paras.append(Para("Aucune alerte cette semaine.", 12, False, w.palette.muted))
        w.text(slide, right, paras)
        numbers["alerts"] = len(alerts)
        return SlideShown("week_kpis", title, numbers, tuple(rows))

    # -- pipeline movement ----------------------------------------------------
    def movement(self) -> SlideShown:
        w = self.w
        start, from_snapshot = movement_start(self.data, self.as_of)
        mv = pipeline_movement(self.data, start, pd.Timestamp(self.as_of), self.month)
        moves = mv.as_dict()
        steps = [Step(f"Au {start:%d/%m}", mv.start, total=True)]
        omitted = []
        for m in ADDS + SUBTRACTS:
            if round(moves[m], 2) == 0:
                omitted.append(MOVES_FR[m].lower())
                continue
            steps.append(Step(MOVES_FR[m], moves[m] if m in ADDS else -moves[m]))
        steps.append(Step(f"Au {pd.Timestamp(self.as_of):%d/%m}", mv.end, total=True))
        change = mv.end - mv.start
        title = (f"Pipeline de {self.month.label} : {F.money(mv.start)} → {F.money(mv.end)} "
                 f"({F.money(change, signed=True)}) depuis le {F.date(start)}")
        origin = "dernier instantané" if from_snapshot else "pipeline reconstitué une semaine plus tôt (premier passage)"
        footer = (f"Départ : {origin} · affaires ouvertes dont la signature est prévue en {self.month.label}"
                  + (f" · sans mouvement : {', '.join(omitted)}" if omitted else ""))
        slide = w.slide(title, footer=footer)
        waterfall_chart(slide, w.content, steps, up=w.palette.up, down=w.palette.down, total=w.palette.total)
        numbers = dict(moves)
        numbers["balanced"] = float(mv.balanced)
        return SlideShown("movement", title, numbers)

    # -- deals that advanced, deals that stalled --------------------------------
    def advanced_stalled(self) -> SlideShown:
        w = self.w
        start, _ = movement_start(self.data, self.as_of)
        adv = advanced_deals(self.data, start, self.as_of)
        self.risk = deals_at_risk(self.data, self.as_of,
                                  probabilities=self.fc.deals.set_index("deal_id")["p_calibrated"]
                                  if len(self.fc.deals) else None)
        r = self.risk.deals.assign(as_of=pd.Timestamp(self.as_of))
        stalled = r[r["reasons"].map(lambda c: "stuck_in_stage" in c or "no_activity" in c)]
        verb = "ont" if len(adv) > 1 else "a"
        title = (f"{F.number(len(adv))} affaire{'s' if len(adv) > 1 else ''} {verb} avancé depuis le {F.date(start)}, "
                 f"{F.number(len(stalled))} {'sont' if len(stalled) > 1 else 'est'} à l'arrêt")
        slide = w.slide(title, footer="Avancée : étape plus loin qu'au départ (gagnée comprise) · à l'arrêt : "
                                      "bloquée dans l'étape ou sans activité plus longtemps que 75 % des affaires")
        left, right = halves(w)
        head = Box(left.x, left.y, left.w, 26)
        rows_a, rows_s = [], []
        w.text(slide, head, [Para(f"{UP_SIGN} Ont avancé", 14, True, w.palette.up)])
        box_a = Box(left.x, left.y + 30, left.w, left.h - 30)
        if len(adv):
            for t in adv.head(w.max_rows(box_a)).itertuples(index=False):
                rows_a.append((str(t.account), str(t.owner), f"{t.stage_before} → {t.stage}", F.money(t.amount)))
            w.table(slide, box_a, ["Affaire", "Commercial", "Étapes", "Montant"], rows_a, [0.27, 0.22, 0.36, 0.15],
                    right=(3,), size=10)
        else:
            w.empty_note(slide, box_a, "Aucune affaire n'a avancé.")
        w.text(slide, Box(right.x, right.y, right.w, 26), [Para(f"{DOWN_SIGN} À l'arrêt", 14, True, w.palette.down)])
        box_s = Box(right.x, right.y + 30, right.w, right.h - 30)
        if len(stalled):
            for t in stalled.head(w.max_rows(box_s)).itertuples(index=False):
                days_ = t.days_in_stage if "stuck_in_stage" in t.reasons else t.days_since_activity
                what = "dans l'étape" if "stuck_in_stage" in t.reasons else "sans activité"
                rows_s.append((str(t.account), str(t.owner), str(t.stage), f"{days(int(days_))} {what}",
                               F.money(t.amount)))
            w.table(slide, box_s, ["Affaire", "Commercial", "Étape", "Depuis", "Montant"], rows_s,
                    [0.25, 0.22, 0.16, 0.21, 0.16], right=(4,))
        else:
            w.empty_note(slide, box_s, "Aucune affaire à l'arrêt.")
        return SlideShown("advanced_stalled", title, {"advanced": len(adv), "stalled": len(stalled),
                                                       "advanced_amount": float(adv["amount"].sum())},
                          tuple(rows_a) + tuple(rows_s))

    def month_forecast(self) -> SlideShown:
        return forecast_slide(self.w, "forecast", self.fc, self.fc.method_reason,
                              self.month.label.capitalize())

    # -- deals at risk --------------------------------------------------------------
    def risks(self) -> SlideShown:
        w = self.w
        r = self.risk.deals.assign(as_of=pd.Timestamp(self.as_of))
        if len(r) == 0:
            title = "Aucune affaire à risque cette semaine"
            slide = w.slide(title)
            w.empty_note(slide, w.content, "Aucune affaire ouverte ne présente de signal de risque.")
            return SlideShown("risks", title, {"count": 0, "value_at_risk": 0.0}, empty=True)
        shown = r.head(w.max_rows(w.content))
        total = float(r["value_at_risk"].sum())
        title = (f"{F.number(len(r))} affaire{'s' if len(r) > 1 else ''} à risque : {F.money(total)} de valeur pondérée "
                 "en jeu")
        slide = w.slide(title)
        rows = [(str(t.deal_id), str(t.account), str(t.owner), str(t.stage), F.money(t.amount), F.money(t.value_at_risk),
                 _reasons_short(t)) for t in shown.itertuples(index=False)]
        table = w.table(slide, w.content, ["N°", "Affaire", "Commercial", "Étape", "Montant", "En jeu", "Raisons"],
                        rows, [0.08, 0.17, 0.14, 0.1, 0.1, 0.09, 0.32], right=(4, 5), wrap=(6,))
        rows = rows[: len(table.rows) - 1]
        w.text(slide, Box(w.content.x, w.height - 30, w.content.w, 22),
               [Para(f"Classées par valeur en jeu (montant × probabilité calibrée) · {len(rows)} premières sur "
                     f"{F.number(len(r))}", 9, False, w.palette.muted)])
        return SlideShown("risks", title, {"count": len(r), "value_at_risk": total}, tuple(rows))

    # -- activity per rep vs target ----------------------------------------------------
    def activity(self) -> SlideShown:
        w, e = self.w, self.engine
        reps = self.data.reps
        active = [str(r) for r, a in zip(reps["rep"], reps["active"].fillna(True)) if bool(a)] or list(e.reps)
        active = [r for r in active if r in e.reps]
        level = REP if len(active) <= MAX_CHART_REPS else TEAM
        names = sorted(active) if level == REP else list(e.teams)
        scopes = [Scope(level, n) for n in names]
        table = e.table(self.week)
        charts, numbers = [], {}
        below = 0
        for kpi, label in (("qualified_meetings_per_week", "RDV qualifiés / semaine"),
                           ("proposals_per_month", "Propositions / mois")):
            values = [float(table.loc[s.key, kpi]) for s in scopes]
            checks = [e.targets.check(kpi, v, self.week, self.as_of, s.level, s.key[1]) for v, s in zip(values, scopes)]
            targets = [c.target for c in checks]
            charts.append((label, values, targets))
            for n, v, t in zip(names, values, targets):
                numbers[f"{kpi}|{n}"] = v
                numbers[f"{kpi}|{n}|target"] = t
            if kpi == "qualified_meetings_per_week":
                below = sum(1 for c in checks if c.status is not None and not c.on_target)
        who = "commerciaux" if level == REP else "équipes"
        title = f"Activité de la semaine : {below} {who} sur {len(names)} sous l'objectif de RDV qualifiés"
        slide = w.slide(title, footer=f"{self.week.label}, du {F.date(self.week.start)} au "
                                      f"{F.date(min(self.week.end, self.as_of))} : rythmes ramenés à la semaine et au "
                                      "mois sur les jours écoulés")
        from ritual_decks.text_fit import shorten

        cats = [shorten(n, 110, 9) for n in names]
        for box, (label, values, targets) in zip(halves(w), charts):
            w.text(slide, Box(box.x, box.y, box.w, 26), [Para(label, 14, True, w.palette.ink)])
            series = [Series("Réalisé", tuple(round(v, 2) for v in values), w.palette.actual)]
            if any(t is not None for t in targets):
                series.append(Series("Objectif", tuple(None if t is None else round(t, 2) for t in targets),
                                     w.palette.target))
            bar_chart(slide, Box(box.x, box.y + 28, box.w, box.h - 28), cats, series, horizontal=True,
                      number_format='0.0', gap_width=50)
        numbers["below_meetings_target"] = below
        return SlideShown("activity", title, numbers, tuple((n,) for n in cats))
