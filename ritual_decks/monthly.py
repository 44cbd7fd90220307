"""The monthly executive review (revue mensuelle, for the executive committee).

Slides: revenue vs target (month and year to date); the five KPIs over 12
months; the KPI tree and the driver decomposition of the gap from last month,
then against target; attainment by team and rep; the quarter forecast with its
range and the history of forecast accuracy (backtest); co-visit scores beside
conversion; top wins and losses; open actions and decisions.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pptx.util import Pt

from kpicore.metrics.covisits import covisit_table
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.forecasting import METHOD_LABELS_FR, prepare
from kpicore.forecast.shown import backtest_of, forecast
from kpicore.metrics.dictionary import UP
from kpicore.metrics.tree import RESIDUAL_LABEL, Decomposition, decompose_periods, decompose_vs_target
from kpicore.metrics.kpis import KpiEngine, fiscal_start_month_of
from kpicore.model.roster import Scope
from kpicore.model.periods import FISCAL_YEAR, MONTH, QUARTER, Period, parse_period
from kpicore.metrics.targets import ON_TARGET
from kpicore.model.roster import REP, TEAM
from kpicore.text import formats as F
from ritual_decks.blocks import (DOWN_SIGN, TARGET_SIGN, UP_SIGN, actions_slide, company_name, decisions_slide,
                                 forecast_slide, halves)
from ritual_decks.charts import Box, Series, Step, bar_chart, line_chart, waterfall_chart
from ritual_decks.formats import CHART_PCT, days
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para
from ritual_decks.text_fit import shorten

FIVE_KPIS = (
    ("qualified_meetings_per_week", "RDV qualifiés / semaine", F.NUMBER_CODE),
    ("proposals_per_month", "Propositions / mois", F.NUMBER_CODE),
    ("proposal_conversion", "Transformation proposition → commande (%)", CHART_PCT),
    ("average_deal_size", "Panier moyen", F.MONEY_CODE),
    ("sales_cycle_days", "Cycle de vente médian (jours)", F.COUNT_CODE),
)
DRIVER_SHORT = {"qualified_meetings": "RDV qualifiés", "apparent_meeting_to_proposal": "Propositions / RDV",
                "apparent_proposal_to_won": "Gagnées / proposition", "average_deal_size": "Panier moyen"}
TOP_N = 5
COVISIT_MONTHS = 3  # a month holds too few co-visits per rep to read a score


def review_month(data: PipelineData, as_of: date, period: Period | str | None = None) -> Period:
    """The month reviewed: ``period`` if given (a month), else the last month over on ``as_of``."""
    if period is not None:
        p = parse_period(period, fiscal_start_month_of(data))
        if p.kind != MONTH:
            from kpicore.model.errors import UsageError

            raise UsageError(f"la revue mensuelle porte sur un mois : « {period} » n'en est pas un (écrivez 2026-10).")
        return p
    current = Period.containing(MONTH, as_of)
    return current if current.end <= as_of else current.previous()


def _pct_value(x: float | None) -> float | None:
    return None if x is None else round(x * 100, 1)


class MonthlyDeck:
    def __init__(self, data: PipelineData, as_of: date, period: Period, writer: DeckWriter, n_sims: int) -> None:
        self.data, self.as_of, self.period, self.w, self.n_sims = data, as_of, period, writer, n_sims
        self.engine = KpiEngine(data, as_of)
        fy = Period.containing(FISCAL_YEAR, period.start, self.engine.fiscal_start_month)
        self.ytd_months = tuple(m for m in fy.months() if m.start <= period.start)
        self.months12 = period.trailing(12)
        self.shown: list[SlideShown] = []

    def build(self) -> list[SlideShown]:
        w = self.w
        w.title_slide(f"Revue mensuelle commerciale · {self.period.label}",
                      f"{company_name(self.data)} · comité de direction · données au {F.date(self.as_of)}")
        for make in (self.revenue, self.five_kpis, self.tree_vs_previous, self.tree_vs_target, self.attainment,
                     self.quarter_forecast, self.accuracy, self.covisits, self.wins_losses):
            shown = make()
            if shown is not None:
                self.shown.append(shown)
        self.shown.append(actions_slide(w, "actions", self.data, self.as_of))
        self.shown.append(decisions_slide(w, "decisions", "monthly"))
        return self.shown

    def _rev(self, period: Period, scope: Scope = Scope.company()) -> tuple[float, float | None]:
        e = self.engine
        return float(e.table(period).loc[scope.key, "revenue_won"]), e.target("revenue_won", period, scope)

    def _due(self, months: tuple[Period, ...], scope: Scope = Scope.company()) -> float | None:
        """The revenue target due at the as-of date over ``months``, summed over the months that have one."""
        dues = [self.engine.targets.due("revenue_won", m, self.as_of, scope.level, scope.key[1]) for m in months]
        present = [d for d in dues if d is not None]
        return sum(present) if present else None

    def _status(self, revenue: float, due: float | None) -> str | None:
        return self.engine.targets.status("revenue_won", revenue, due)

    # -- revenue vs target ------------------------------------------------------------
    def revenue(self) -> SlideShown:
        w = self.w
        actual = [self._rev(m) for m in self.months12]
        month_rev, month_target = actual[-1]
        ytd = [self._rev(m) for m in self.ytd_months]
        ytd_rev = sum(r for r, _ in ytd)
        ytd_targets = [t for _, t in ytd if t is not None]
        ytd_target = sum(ytd_targets) if ytd_targets else None
        if month_target:
            title = (f"{self.period.label.capitalize()} : {F.money(month_rev)} signés, {F.percent(month_rev / month_target)} "
                     f"de l'objectif ; cumul annuel {F.percent(ytd_rev / ytd_target) if ytd_target else F.DASH}")
        else:
            title = f"{self.period.label.capitalize()} : {F.money(month_rev)} signés"
        slide = w.slide(title, footer="CA signé : montants des affaires gagnées dans le mois (date de signature) · "
                                      "objectifs de la feuille Objectifs")
        chart_box = Box(w.content.x, w.content.y, w.content.w * 0.68, w.content.h)
        side = Box(chart_box.x + chart_box.w + 18, w.content.y, w.content.w - chart_box.w - 18, w.content.h)
        cats = [m.short_label for m in self.months12]
        series = [Series("CA signé", tuple(round(r, 2) for r, _ in actual), w.palette.actual)]
        if any(t is not None for _, t in actual):
            series.append(Series("Objectif", tuple(None if t is None else round(t, 2) for _, t in actual),
                                 w.palette.target))
        bar_chart(slide, chart_box, cats, series, labels=False, gap_width=50)

        def block(label: str, rev: float, target: float | None, due: float | None) -> list[Para]:
            att = rev / target if target else None
            status = self._status(rev, due) if att is not None else None
            colour = w.palette.ink if status is None else w.palette.status(status)
            sign = "" if status is None else f"{TARGET_SIGN[status]} "
            return [Para(label, 13, True, w.palette.ink), Para(F.money(rev), 24, True, w.palette.actual),
                    Para(f"objectif {F.money(target)}", 12, False, w.palette.muted),
                    Para(f"{sign}{F.percent(att)} de l'objectif" if att is not None else "sans objectif", 14, True,
                         colour), Para("", 8)]

        last = self.ytd_months[-1]
        w.text(slide, side, block(self.period.label.capitalize(), month_rev, month_target, self._due((self.period,)))
               + block(f"Cumul {self.ytd_months[0].short_label} – {last.short_label}", ytd_rev, ytd_target,
                       self._due(self.ytd_months)))
        numbers = {"month_revenue": month_rev, "month_target": month_target, "ytd_revenue": ytd_rev,
                   "ytd_target": ytd_target}
        for m, (r, t) in zip(self.months12, actual):
            numbers[f"revenue|{m.code}"] = r
            numbers[f"target|{m.code}"] = t
        return SlideShown("revenue", title, numbers)

    # -- the five KPIs over 12 months ---------------------------------------------------
    def five_kpis(self) -> SlideShown:
        w, e = self.w, self.engine
        company = Scope.company()
        cats = [m.short_label for m in self.months12]
        gap = 14.0
        cw, ch = (w.content.w - 2 * gap) / 3, (w.content.h - gap) / 2
        numbers: dict[str, float | None] = {}
        worse = []
        slide = None
        boxes = [Box(w.content.x + (i % 3) * (cw + gap), w.content.y + (i // 3) * (ch + gap), cw, ch) for i in range(6)]
        charts = []
        for kpi, label, fmt in FIVE_KPIS:
            values = [_none(e.table(m).loc[company.key, kpi]) for m in self.months12]
            targets = [e.target(kpi, m, company) for m in self.months12]
            pct = fmt == CHART_PCT
            shown_v = [(_pct_value(v) if pct else (None if v is None else round(v, 2))) for v in values]
            shown_t = [(_pct_value(t) if pct else (None if t is None else round(t, 2))) for t in targets]
            charts.append((kpi, label, fmt, shown_v, shown_t))
            for m, v in zip(self.months12, values):
                numbers[f"{kpi}|{m.code}"] = v
            last, before = values[-1], values[-2]
            if last is not None and before is not None and last != before:
                better = (last > before) == (e.dictionary[kpi].direction == UP)
                if not better:
                    worse.append(label.split(" (")[0].lower())
        title = (f"Les cinq indicateurs sur 12 mois : {len(worse)} en recul en {self.period.label}"
                 if worse else f"Les cinq indicateurs sur 12 mois : aucun en recul en {self.period.label}")
        slide = w.slide(title, footer="Deux indicateurs d'activité (avance de 60 à 90 jours sur le CA) et trois de "
                                      "résultat · pointillés : objectif")
        for box, (kpi, label, fmt, values, targets) in zip(boxes, charts):
            w.text(slide, Box(box.x, box.y, box.w, 22), [Para(label, 11, True, w.palette.ink)])
            series = [Series("Réalisé", tuple(values), w.palette.actual)]
            if any(t is not None for t in targets):
                series.append(Series("Objectif", tuple(targets), w.palette.target))
            chart = line_chart(slide, Box(box.x, box.y + 22, box.w, box.h - 22), cats, series, number_format=fmt,
                               legend=False, dashed=(1,))
            chart.category_axis.tick_labels.font.size = Pt(8)
        note = [Para("À retenir", 12, True, w.palette.ink)]
        for kpi, label, fmt, values, _ in charts:
            v, b = numbers[f"{kpi}|{self.months12[-1].code}"], numbers[f"{kpi}|{self.months12[-2].code}"]
            f = _fmt_for(kpi)
            note.append(Para(f"{label.split(' (')[0]} : {f(v)} (mois précédent {f(b)})", 11, False, w.palette.ink))
        w.text(slide, boxes[5], note)
        numbers["worse"] = len(worse)
        return SlideShown("five_kpis", title, numbers)

    # -- the KPI tree and the decomposition of the gap ------------------------------------
    def _tree_slide(self, key: str, d: Decomposition, base_label: str, compared_label: str, title: str,
                    footer: str) -> SlideShown:
        w = self.w
        slide = w.slide(title, footer=footer)
        left = Box(w.content.x, w.content.y, w.content.w * 0.36, w.content.h)
        right = Box(left.x + left.w + 18, w.content.y, w.content.w - left.w - 18, w.content.h)
        # the tree, as a picture of boxes: revenue = meetings × rate × rate × deal size
        rows = [("CA signé", F.money(d.base.revenue), F.money(d.compared.revenue))]
        fmts = (lambda x: F.number(x, 0), lambda x: F.number(x, 2), lambda x: F.number(x, 2), F.money)
        for c, f in zip(d.drivers, fmts):
            rows.append(("× " + DRIVER_SHORT.get(c.driver, c.label), f(c.base), f(c.compared)))
        w.text(slide, Box(left.x, left.y, left.w, 24), [Para("L'arbre des indicateurs", 13, True, w.palette.ink)])
        table = w.table(slide, Box(left.x, left.y + 28, left.w, left.h - 28), ["", base_label, compared_label], rows,
                        [0.46, 0.27, 0.27], right=(1, 2), bold_rows=(0,))
        below = 28 + sum(r.height for r in table.rows) / 12700 + 12
        w.text(slide, Box(left.x, left.y + below, left.w, left.h - below),
               [Para("CA = RDV qualifiés × propositions par RDV × affaires gagnées par proposition × panier moyen, "
                     "chaque compte pris dans la même période (taux apparents, distincts de la transformation "
                     "proposition → commande).", 10, False, w.palette.muted),
                Para("Chaque barre est la contribution exacte d'un facteur (valeurs de Shapley) : leur somme est "
                     "l'écart.", 10, False, w.palette.muted)])
        steps = [Step(shorten(base_label, 120, 9), d.base.revenue, total=True)]
        steps += [Step(DRIVER_SHORT.get(c.driver, c.label), c.contribution) for c in d.drivers]
        if d.residual != 0:
            steps.append(Step("Hors arbre", d.residual))
        steps.append(Step(shorten(compared_label, 120, 9), d.compared.revenue, total=True))
        waterfall_chart(slide, right, steps, up=w.palette.up, down=w.palette.down, total=w.palette.total)
        numbers = {"base": d.base.revenue, "compared": d.compared.revenue, "gap": d.gap, "residual": d.residual}
        for c in d.drivers:
            numbers[c.driver] = c.contribution
        return SlideShown(key, title, numbers, tuple(rows))

    def tree_vs_previous(self) -> SlideShown:
        d = decompose_periods(self.engine, self.period)
        prev = self.period.previous()
        main = max(d.drivers, key=lambda c: abs(c.contribution))
        title = (f"De {prev.label} à {self.period.label} : {F.money(d.gap, signed=True)} de CA, surtout "
                 f"{DRIVER_SHORT.get(main.driver, main.label).lower()} ({F.money(main.contribution, signed=True)})")
        return self._tree_slide("tree_previous", d, prev.short_label.capitalize(),
                                self.period.short_label.capitalize(), title,
                                f"Écart de CA entre {prev.label} et {self.period.label}, réparti entre les facteurs"
                                + (f" · {RESIDUAL_LABEL.lower()} : {F.money(d.residual, signed=True)}"
                                   if d.residual else ""))

    def tree_vs_target(self) -> SlideShown | None:
        d = decompose_vs_target(self.engine, self.period)
        if d is None:
            return None
        main = max(d.drivers, key=lambda c: abs(c.contribution))
        title = (f"{self.period.label.capitalize()} contre objectif : {F.money(d.gap, signed=True)}, surtout "
                 f"{DRIVER_SHORT.get(main.driver, main.label).lower()} ({F.money(main.contribution, signed=True)})")
        return self._tree_slide("tree_target", d, "Objectif", self.period.short_label.capitalize(), title,
                                "Arbre de l'objectif : objectifs de RDV, de propositions et de panier de la feuille "
                                "Objectifs ; le taux de gain est celui qui donne l'objectif de CA")

    # -- attainment by team and rep -------------------------------------------------------
    def attainment(self) -> SlideShown:
        w, e = self.w, self.engine
        scopes = [Scope(TEAM, t) for t in e.teams] + [Scope(REP, r) for r in e.reps]
        records = []
        for s in scopes:
            rev, target = self._rev(self.period, s)
            ytd = [self._rev(m, s) for m in self.ytd_months]
            y_rev = sum(r for r, _ in ytd)
            y_targets = [t for _, t in ytd if t is not None]
            y_target = sum(y_targets) if y_targets else None
            status = self._status(rev, self._due((self.period,), s)) if target else None
            y_status = self._status(y_rev, self._due(self.ytd_months, s)) if y_target else None
            records.append((s, rev, target, y_rev, y_target, status, y_status))
        limit = w.max_rows(w.content)
        teams = [r for r in records if r[0].level == TEAM]
        reps = sorted([r for r in records if r[0].level == REP],
                      key=lambda r: (r[2] is None, (r[1] / r[2]) if r[2] else 0.0))
        keep = teams + reps[: max(0, limit - len(teams))]
        cut = len(records) - len(keep)
        rows, colours, bold, numbers = [], {}, [], {}
        for i, (s, rev, target, y_rev, y_target, status, y_status) in enumerate(keep):
            att = rev / target if target else None
            y_att = y_rev / y_target if y_target else None
            for j, st in ((3, status), (6, y_status)):
                if st is not None:
                    colours[(i, j)] = w.palette.status(st)
            mark = lambda a, st: F.DASH if a is None else f"{TARGET_SIGN[st]} {F.percent(a)}"  # noqa: E731
            rows.append((s.label if s.level == TEAM else f"   {s.name}", F.money(rev), F.money(target), mark(att, status),
                         F.money(y_rev), F.money(y_target), mark(y_att, y_status)))
            if s.level == TEAM:
                bold.append(i)
            numbers[f"{s.code}|revenue"], numbers[f"{s.code}|target"] = rev, target
            numbers[f"{s.code}|ytd_revenue"], numbers[f"{s.code}|ytd_target"] = y_rev, y_target
        below = sum(1 for s, *_, status, _y in records if s.level == REP and status is not None and status != ON_TARGET)
        n_reps = sum(1 for r in records if r[0].level == REP)
        title = (f"Atteinte de l'objectif en {self.period.label} : {below} commerciaux sur {n_reps} "
                 "ne l'ont pas atteint")
        footer = "Équipes en gras, puis les commerciaux du moins au plus avancé"
        if cut:
            footer += f" · {cut} commerciaux les plus avancés non affichés"
        slide = w.slide(title, footer=footer)
        w.table(slide, w.content, ["Périmètre", "CA du mois", "Objectif", "Atteinte", "CA cumulé", "Obj. cumulé",
                                   "Att. cumulée"], rows, [0.25, 0.12, 0.12, 0.11, 0.14, 0.13, 0.13],
                right=(1, 2, 3, 4, 5, 6), colours=colours, bold_rows=bold)
        numbers["below"] = below
        return SlideShown("attainment", title, numbers, tuple(rows))

    # -- quarter forecast and forecast accuracy ------------------------------------------------
    def quarter_forecast(self) -> SlideShown:
        self.quarter = Period.containing(QUARTER, self.as_of)
        # the cockpit's path: the backtest chooses the method shown and widens the range; the same
        # backtest, kept in the context, gives the accuracy history
        context = prepare(self.data)
        self.fc = forecast(self.data, self.quarter, as_of=self.as_of, n_sims=self.n_sims, context=context)
        self.bt = backtest_of(context, self.as_of)
        return forecast_slide(self.w, "forecast", self.fc, self.fc.method_reason, self.quarter.label)

    def accuracy(self) -> SlideShown:
        w = self.w
        rows = self.bt.rows
        method = self.fc.method_shown
        q = rows[(rows["granularity"] == QUARTER) & rows["error"].notna()]
        if len(q) == 0:
            title = "Précision des prévisions : pas encore de trimestre mesurable"
            slide = w.slide(title)
            w.empty_note(slide, w.content, "Historique trop court : aucun trimestre passé ne peut encore être rejoué.")
            return SlideShown("accuracy", title, {}, empty=True)
        methods = [method] + [m for m in ("run_rate",) if m != method]
        periods = sorted(q["period"].unique())
        by = q.assign(ape=q["error"].abs()).groupby(["period", "method"])["ape"].mean()
        series, numbers = [], {}
        colours = [w.palette.forecast, w.palette.target]
        for m, colour in zip(methods, colours):
            vals = tuple(round(float(by.get((p, m), np.nan)) * 100, 1) for p in periods)
            series.append(Series(METHOD_LABELS_FR.get(m, m).split(" (")[0], vals, colour))
            for p, v in zip(periods, vals):
                numbers[f"{m}|{p}"] = v
        shown_q = q[q["method"] == method]
        inside = float(((shown_q["actual"] >= shown_q["p10"]) & (shown_q["actual"] <= shown_q["p90"])).mean())
        mape = float(shown_q["error"].abs().mean())
        title = (f"Précision des prévisions trimestrielles : erreur moyenne {F.percent(mape)}, réalisé dans la "
                 f"fourchette P10–P90 {F.percent(inside)} du temps")
        slide = w.slide(title, footer=f"Backtest : {len(self.bt.as_of_dates)} dates rejouées, pipeline reconstitué "
                                      "à chaque date · erreur absolue moyenne en % du réalisé, par trimestre")
        cats = [Period.containing(QUARTER, parse_period(p).start).label for p in periods]
        bar_chart(slide, w.content, cats, series, number_format=CHART_PCT, legend=True)
        numbers.update(mape=mape, inside_p10_p90=inside)
        return SlideShown("accuracy", title, numbers)

    # -- co-visits beside conversion --------------------------------------------------------------
    def covisits(self) -> SlideShown:
        w, e = self.w, self.engine
        window = Period.between(self.period.shift(-(COVISIT_MONTHS - 1)).start, self.period.end)
        cv = covisit_table(self.data, window, self.as_of, e.rep_team)
        conv = e.table(window)
        numbers: dict[str, float | None] = {}
        threshold = 0.25
        for r in e.reps:
            key = (REP, r)
            has = key in cv.index
            numbers[f"{r}|conversion"] = _none(conv.loc[key, "proposal_conversion"]) if key in conv.index else None
            numbers[f"{r}|count"] = int(cv.loc[key, "count"]) if has else 0
            for col, name in (("discovery_quality", "discovery"), ("proposal_relevance", "relevance"),
                              ("customer_satisfaction", "satisfaction")):
                numbers[f"{r}|{name}"] = _none(cv.loc[key, col]) if has else None
        # weakest conversion first: the reps the slide is about are never the ones cut off
        reps = sorted(e.reps, key=lambda r: (numbers[f"{r}|conversion"] is None, numbers[f"{r}|conversion"] or 0.0, r))
        rows, colours = [], {}
        for i, r in enumerate(reps):
            c, d = numbers[f"{r}|conversion"], numbers[f"{r}|discovery"]
            if c is not None and c < threshold:
                colours[(i, 1)] = w.palette.bad
            if d is not None and d < 3:
                colours[(i, 3)] = w.palette.bad
            flag = f"{DOWN_SIGN} " if c is not None and c < threshold else ""
            rows.append((r, flag + F.percent(c), str(numbers[f"{r}|count"]),
                         *(F.number(numbers[f"{r}|{k}"], 1) for k in ("discovery", "relevance", "satisfaction"))))
        low = [r for r in reps if numbers[f"{r}|conversion"] is not None and numbers[f"{r}|conversion"] < threshold]
        if low:
            worst = min(low, key=lambda r: numbers[f"{r}|conversion"])
            d = numbers[f"{worst}|discovery"]
            who = shorten(worst, 300, 24, True)
            title = (f"{who} : transformation à {F.percent(numbers[f'{worst}|conversion'])}, découverte notée "
                     f"{F.number(d, 1)}/5 en co-visite" if d is not None else
                     f"{who} : transformation à {F.percent(numbers[f'{worst}|conversion'])}, sans co-visite")
        else:
            title = "Transformation et co-visites : aucun commercial sous 25 %"
        slide = w.slide(title, footer=f"{COVISIT_MONTHS} derniers mois ({F.date(window.start)} – {F.date(window.end)}) · "
                                      "du plus faible taux de transformation au plus fort · notes de 1 à 5 · "
                                      "en couleur : transformation < 25 %, découverte < 3")
        table = w.table(slide, w.content, ["Commercial", "Transformation", "Co-visites", "Découverte", "Pertinence",
                                           "Satisfaction"], rows, [0.3, 0.15, 0.12, 0.14, 0.14, 0.15],
                        right=(1, 2, 3, 4, 5), colours=colours)
        return SlideShown("covisits", title, numbers, tuple(rows[: len(table.rows) - 1]))

    # -- top wins and losses ------------------------------------------------------------------------
    def wins_losses(self) -> SlideShown:
        w = self.w
        d = self.data.deals
        end = min(pd.Timestamp(self.period.end), pd.Timestamp(self.as_of))
        in_month = d["closed_on"].between(pd.Timestamp(self.period.start), end).fillna(False)
        won = d[in_month & (d["status"] == "won").fillna(False)].sort_values(["amount", "deal_id"],
                                                                            ascending=[False, True])
        lost = d[in_month & (d["status"] == "lost").fillna(False)].sort_values(["amount", "deal_id"],
                                                                              ascending=[False, True])
        title = (f"{F.number(len(won))} affaires gagnées ({F.money(won['amount'].sum())}), {F.number(len(lost))} perdues "
                 f"({F.money(lost['amount'].sum())}) en {self.period.label}")
        slide = w.slide(title, footer=f"Les {TOP_N} plus gros montants de chaque côté")
        left, right = halves(w)
        rows_w, rows_l = [], []
        w.text(slide, Box(left.x, left.y, left.w, 26), [Para(f"{UP_SIGN} Plus grosses signatures", 14, True,
                                                              w.palette.up)])
        w.text(slide, Box(right.x, right.y, right.w, 26), [Para(f"{DOWN_SIGN} Plus grosses pertes", 14, True,
                                                                w.palette.down)])
        bl, br = Box(left.x, left.y + 30, left.w, left.h - 30), Box(right.x, right.y + 30, right.w, right.h - 30)
        for t in won.head(TOP_N).itertuples(index=False):
            rows_w.append((str(t.account), str(t.owner), F.money(t.amount)))
        for t in lost.head(TOP_N).itertuples(index=False):
            rows_l.append((str(t.account), str(t.owner), "" if pd.isna(t.lost_reason) else str(t.lost_reason),
                           F.money(t.amount)))
        if rows_w:
            w.table(slide, bl, ["Affaire", "Commercial", "Montant"], rows_w, [0.45, 0.33, 0.22], right=(2,))
        else:
            w.empty_note(slide, bl, "Aucune affaire gagnée ce mois-ci.")
        if rows_l:
            w.table(slide, br, ["Affaire", "Commercial", "Motif", "Montant"], rows_l, [0.3, 0.25, 0.27, 0.18],
                    right=(3,))
        else:
            w.empty_note(slide, br, "Aucune affaire perdue ce mois-ci.")
        numbers = {"won_count": len(won), "won_amount": float(won["amount"].sum()), "lost_count": len(lost),
                   "lost_amount": float(lost["amount"].sum())}
        return SlideShown("wins_losses", title, numbers, tuple(rows_w) + tuple(rows_l))


def _none(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _fmt_for(kpi: str):
    return {"proposal_conversion": F.percent, "average_deal_size": F.money, "sales_cycle_days": days}.get(
        kpi, lambda x: F.number(x, 1))
