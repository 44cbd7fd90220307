"""The monthly executive review (revue mensuelle, for the executive committee).

Slides: the executive summary (``summary``); revenue vs target (month and year to date); the five KPIs over 12
months; the KPI tree and the driver decomposition of the gap from last month,
then against target; attainment by team and rep; the quarter forecast with its
range and the history of forecast accuracy (backtest); co-visit scores beside
conversion; top wins and losses; open actions and decisions.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kpicore.metrics.covisits import covisit_table
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.backtest import WITHIN, WITHIN_CLOSE
from kpicore.forecast.forecasting import ForecastContext, prepare
from kpicore.forecast.shown import backtest_of, forecast
from kpicore.metrics.tree import Decomposition, decompose_periods, decompose_vs_target
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.roster import Scope
from kpicore.model.periods import FISCAL_YEAR, QUARTER, Period, parse_period
from kpicore.metrics.targets import ON_TARGET, TargetCheck
from kpicore.model.roster import REP, TEAM
from kpicore.text import formats as F
from kpicore.text.catalogue import has
from ritual_decks.blocks import (DOWN_SIGN, UP_SIGN, actions_slide, attainment_rows, company_name, decisions_slide,
                                 five_kpis_slide, forecast_slide, halves, method_label, number_or_none, revenue_and_target,
                                 revenue_block, waterfall_names)
from ritual_decks.charts import Box, Series, Step, bar_chart, waterfall_chart
from ritual_decks.formats import upper_first
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para
from ritual_decks.summary import review_summary
from ritual_decks.text_fit import shorten

TOP_N = 5
COVISIT_MONTHS = 3  # a month holds too few co-visits per rep to read a score


class MonthlyDeck:
    def __init__(self, data: PipelineData, as_of: date, period: Period, writer: DeckWriter, n_sims: int,
                 context: ForecastContext | None = None) -> None:
        self.data, self.as_of, self.period, self.w, self.n_sims = data, as_of, period, writer, n_sims
        self.context = context
        self.v = writer.voice
        self.engine = KpiEngine(data, as_of)
        fy = Period.containing(FISCAL_YEAR, period.start, self.engine.fiscal_start_month)
        self.ytd_months = tuple(m for m in fy.months() if m.start <= period.start)
        self.months12 = period.trailing(12)
        self.shown: list[SlideShown] = []

    def build(self) -> list[SlideShown]:
        w = self.w
        for make in (self.revenue, self.five_kpis, self.tree_vs_previous, self.tree_vs_target, self.attainment,
                     self.quarter_forecast, self.accuracy, self.covisits, self.wins_losses):
            shown = make()
            if shown is not None:
                self.shown.append(shown)
        self.shown.append(actions_slide(w, "actions", self.data, self.as_of))
        self.shown.append(decisions_slide(w, "decisions", "monthly"))
        self.shown.insert(0, self.summary())
        return self.shown

    # -- the executive summary (slide 1), from what the slides below computed ------------
    def summary(self) -> SlideShown:
        v = self.v
        # the deals at risk valued with the quarter forecast's probabilities (the weekly deck: the month's)
        return review_summary(self.w, "monthly", v("monthly.title", month=self.period),
                              v("monthly.subtitle", company=company_name(self.data, v), as_of=self.as_of),
                              self.data, self.as_of, self.engine, (self.period, self.month_check), self.ytd_months,
                              self.ytd_check, self.fc, self.quarter)

    def _rev(self, period: Period, scope: Scope = Scope.company()) -> tuple[float, float | None]:
        return revenue_and_target(self.engine, period, scope)

    def _due(self, months: tuple[Period, ...], scope: Scope = Scope.company()) -> float | None:
        """The revenue target due at the as-of date over ``months``, summed over the months that have one."""
        dues = [self.engine.targets.due("revenue_won", m, self.as_of, scope.level, scope.key[1]) for m in months]
        present = [d for d in dues if d is not None]
        return sum(present) if present else None

    def _status(self, revenue: float, due: float | None) -> str | None:
        return self.engine.targets.status("revenue_won", revenue, due)

    # -- revenue vs target ------------------------------------------------------------
    def revenue(self) -> SlideShown:
        w, v = self.w, self.v
        actual = [self._rev(m) for m in self.months12]
        month_rev, month_target = actual[-1]
        ytd = [self._rev(m) for m in self.ytd_months]
        ytd_rev = sum(r for r, _ in ytd)
        ytd_targets = [t for _, t in ytd if t is not None]
        ytd_target = sum(ytd_targets) if ytd_targets else None
        month = upper_first(v.period(self.period))
        if month_target:
            title = v("monthly.revenue.title", month=month, won=month_rev, share=month_rev / month_target,
                      ytd=v.percent(ytd_rev / ytd_target) if ytd_target else F.DASH)
        else:
            title = v("monthly.revenue.title_no_target", month=month, won=month_rev)
        slide = w.slide(title, footer=v("monthly.revenue.footer"))
        chart_box = Box(w.content.x, w.content.y, w.content.w * 0.68, w.content.h)
        side = Box(chart_box.x + chart_box.w + 18, w.content.y, w.content.w - chart_box.w - 18, w.content.h)
        cats = [v.period(m, short=True) for m in self.months12]
        series = [Series(v("monthly.revenue.series"), tuple(round(r, 2) for r, _ in actual), w.palette.actual)]
        if any(t is not None for _, t in actual):
            series.append(Series(v("series.target"), tuple(None if t is None else round(t, 2) for _, t in actual),
                                 w.palette.target))
        bar_chart(slide, chart_box, cats, series, labels=False, gap_width=50)

        def check(rev: float, target: float | None, due: float | None) -> TargetCheck:
            return TargetCheck(rev, target, due, self._status(rev, due) if target else None)

        # kept for the executive summary, which shows these two numbers again
        self.month_check = check(month_rev, month_target, self._due((self.period,)))
        self.ytd_check = check(ytd_rev, ytd_target, self._due(self.ytd_months))

        last = self.ytd_months[-1]
        w.text(slide, side, revenue_block(w, month, self.month_check)
               + revenue_block(w, v("monthly.revenue.ytd", first=v.period(self.ytd_months[0], short=True),
                                    last=v.period(last, short=True)), self.ytd_check))
        numbers = {"month_revenue": month_rev, "month_target": month_target, "ytd_revenue": ytd_rev,
                   "ytd_target": ytd_target}
        for m, (r, t) in zip(self.months12, actual):
            numbers[f"revenue|{m.code}"] = r
            numbers[f"target|{m.code}"] = t
        return SlideShown("revenue", title, numbers)

    # -- the five KPIs over 12 months ---------------------------------------------------
    def five_kpis(self) -> SlideShown:
        v = self.v
        return five_kpis_slide(self.w, self.engine, self.months12,
                               lambda worse: (v("monthly.five.title", worse=worse, month=self.period) if worse
                                              else v("monthly.five.title_none", month=self.period)),
                               "monthly.five.line")

    # -- the KPI tree and the decomposition of the gap ------------------------------------
    def _tree_slide(self, key: str, d: Decomposition, base_label: str, compared_label: str, title: str,
                    footer: str) -> SlideShown:
        w, v = self.w, self.v
        slide = w.slide(title, footer=footer)
        left = Box(w.content.x, w.content.y, w.content.w * 0.36, w.content.h)
        right = Box(left.x + left.w + 18, w.content.y, w.content.w - left.w - 18, w.content.h)
        # the tree, as a picture of boxes: revenue = meetings × rate × rate × deal size
        rows = [(v("monthly.revenue.series"), v.money(d.base.revenue), v.money(d.compared.revenue))]
        fmts = (lambda x: v.number(x, 0), lambda x: v.number(x, 2), lambda x: v.number(x, 2), v.money)
        for c, f in zip(d.drivers, fmts):
            rows.append(("× " + self._driver(c.driver), f(c.base), f(c.compared)))
        w.text(slide, Box(left.x, left.y, left.w, 24), [Para(v("monthly.tree.head"), 13, True, w.palette.ink)])
        table = w.table(slide, Box(left.x, left.y + 28, left.w, left.h - 28), ["", base_label, compared_label], rows,
                        [0.46, 0.27, 0.27], right=(1, 2), bold_rows=(0,))
        below = 28 + sum(r.height for r in table.rows) / 12700 + 12
        w.text(slide, Box(left.x, left.y + below, left.w, left.h - below),
               [Para(v("monthly.tree.formula"), 10, False, w.palette.muted),
                Para(v("monthly.tree.shapley"), 10, False, w.palette.muted)])
        steps = [Step(shorten(base_label, 120, 9), d.base.revenue, total=True)]
        steps += [Step(self._driver(c.driver), c.contribution) for c in d.drivers]
        if d.residual != 0:
            steps.append(Step(v("monthly.tree.residual_short"), d.residual))
        steps.append(Step(shorten(compared_label, 120, 9), d.compared.revenue, total=True))
        waterfall_chart(slide, right, steps, up=w.palette.up, down=w.palette.down, total=w.palette.total,
                        **waterfall_names(v))
        numbers = {"base": d.base.revenue, "compared": d.compared.revenue, "gap": d.gap, "residual": d.residual}
        for c in d.drivers:
            numbers[c.driver] = c.contribution
        return SlideShown(key, title, numbers, tuple(rows))

    def _driver(self, driver: str, *, phrase: bool = False) -> str:
        """A factor of the KPI tree in a few words (``kpicore.metrics.tree`` names the drivers), or
        as a title's sentence names it (``phrase``)."""
        code = f"monthly.{'driver_phrase' if phrase else 'driver'}.{driver}"
        return self.v(code) if has(f"decks.{code}", self.v.language) else driver

    def tree_vs_previous(self) -> SlideShown:
        v = self.v
        d = decompose_periods(self.engine, self.period)
        prev = self.period.previous()
        main = max(d.drivers, key=lambda c: abs(c.contribution))
        title = v("monthly.tree.previous_title", before=prev, month=self.period, gap=d.gap,
                  driver=self._driver(main.driver, phrase=True), contribution=main.contribution)
        residual = v("monthly.tree.residual", residual=d.residual) if d.residual else ""
        return self._tree_slide("tree_previous", d, upper_first(v.period(prev, short=True)),
                                upper_first(v.period(self.period, short=True)), title,
                                v("monthly.tree.previous_footer", before=prev, month=self.period, residual=residual))

    def tree_vs_target(self) -> SlideShown | None:
        v = self.v
        d = decompose_vs_target(self.engine, self.period)
        if d is None:
            return None
        main = max(d.drivers, key=lambda c: abs(c.contribution))
        title = v("monthly.tree.target_title", month=upper_first(v.period(self.period)), gap=d.gap,
                  driver=self._driver(main.driver, phrase=True), contribution=main.contribution)
        return self._tree_slide("tree_target", d, v("series.target"), upper_first(v.period(self.period, short=True)),
                                title, v("monthly.tree.target_footer"))

    # -- attainment by team and rep -------------------------------------------------------
    def attainment(self) -> SlideShown:
        w, e, v = self.w, self.engine, self.v
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
        rows, colours, bold, numbers, cut = attainment_rows(w, records)
        below = sum(1 for s, *_, status, _y in records if s.level == REP and status is not None and status != ON_TARGET)
        n_reps = sum(1 for r in records if r[0].level == REP)
        title = v("monthly.attainment.title", month=self.period, below=below, n=n_reps)
        footer = v("monthly.attainment.footer") + (v("monthly.attainment.cut", cut=cut) if cut else "")
        slide = w.slide(title, footer=footer)
        w.table(slide, w.content, [v(f"head.{h}") for h in ("scope", "month_revenue", "target", "attainment",
                                                              "ytd_revenue", "ytd_target", "ytd_attainment")],
                rows, [0.25, 0.12, 0.12, 0.11, 0.14, 0.13, 0.13],
                right=(1, 2, 3, 4, 5, 6), colours=colours, bold_rows=bold)
        numbers["below"] = below
        return SlideShown("attainment", title, numbers, tuple(rows))

    # -- quarter forecast and forecast accuracy ------------------------------------------------
    def quarter_forecast(self) -> SlideShown:
        self.quarter = Period.containing(QUARTER, self.as_of)
        # the cockpit's path: the backtest chooses the method shown and widens the range; the same
        # backtest, kept in the context, gives the accuracy history
        context = self.context if self.context is not None else prepare(self.data)
        self.fc = forecast(self.data, self.quarter, as_of=self.as_of, n_sims=self.n_sims, context=context)
        self.bt = backtest_of(context, self.as_of)
        return forecast_slide(self.w, "forecast", self.fc, self.v.period(self.quarter))

    def accuracy(self) -> SlideShown:
        """Each past quarter judged by its Day-One forecast (the one of its first working day), in the
        method's terms: mean error, share within ±5 % and ±10 %, bias, actual within the range."""
        w, v = self.w, self.v
        method = self.fc.method_shown
        methods = [method] + [m for m in ("run_rate",) if m != method]
        day_one = {m: self.bt.day_one(QUARTER, m) for m in methods}
        shown = day_one[method]
        scored = shown[shown["error"].notna()]
        if len(scored) == 0:
            title = v("monthly.accuracy.none_title")
            slide = w.slide(title)
            w.empty_note(slide, w.content, v("monthly.accuracy.none"))
            return SlideShown("accuracy", title, {}, empty=True)
        periods = list(scored["period"])
        series, numbers = [], {}
        colours = [w.palette.forecast, w.palette.target]
        for m, colour in zip(methods, colours):
            ape = day_one[m].set_index("period")["error"].abs()
            vals = tuple(round(float(ape.get(p, np.nan)) * 100, 1) for p in periods)
            series.append(Series(method_label(m, v).split(" (")[0], vals, colour))
            for p, x in zip(periods, vals):
                numbers[f"{m}|{p}"] = x
        ape = scored["error"].abs()
        figures = dict(mape=float(ape.mean()), within_5=float((ape <= WITHIN_CLOSE).mean()),
                       within_10=float((ape <= WITHIN).mean()), bias=float(scored["error"].mean()),
                       inside=float(shown["inside"].mean()))
        title = v("monthly.accuracy.title", **figures)
        slide = w.slide(title, footer=v("monthly.accuracy.footer", n=len(self.bt.as_of_dates), **figures))
        cats = [v.period(Period.containing(QUARTER, parse_period(p).start)) for p in periods]
        bar_chart(slide, w.content, cats, series, number_format=v.chart_percent, legend=True)
        numbers.update(figures, inside_p10_p90=figures["inside"])
        return SlideShown("accuracy", title, numbers)

    # -- co-visits beside conversion --------------------------------------------------------------
    def covisits(self) -> SlideShown:
        w, e, v = self.w, self.engine, self.v
        window = Period.between(self.period.shift(-(COVISIT_MONTHS - 1)).start, self.period.end)
        cv = covisit_table(self.data, window, self.as_of, e.rep_team)
        conv = e.table(window)
        numbers: dict[str, float | None] = {}
        threshold = 0.25
        for r in e.reps:
            key = (REP, r)
            has = key in cv.index
            numbers[f"{r}|conversion"] = number_or_none(conv.loc[key, "proposal_conversion"]) if key in conv.index else None
            numbers[f"{r}|count"] = int(cv.loc[key, "count"]) if has else 0
            for col, name in (("discovery_quality", "discovery"), ("proposal_relevance", "relevance"),
                              ("customer_satisfaction", "satisfaction")):
                numbers[f"{r}|{name}"] = number_or_none(cv.loc[key, col]) if has else None
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
            rows.append((r, flag + v.percent(c), str(numbers[f"{r}|count"]),
                         *(v.number(numbers[f"{r}|{k}"], 1) for k in ("discovery", "relevance", "satisfaction"))))
        low = [r for r in reps if numbers[f"{r}|conversion"] is not None and numbers[f"{r}|conversion"] < threshold]
        if low:
            worst = min(low, key=lambda r: numbers[f"{r}|conversion"])
            d = numbers[f"{worst}|discovery"]
            who = shorten(worst, 300, 24, True)
            conversion = numbers[f"{worst}|conversion"]
            title = (v("monthly.covisits.title", rep=who, conversion=conversion, discovery=d) if d is not None
                     else v("monthly.covisits.title_no_visit", rep=who, conversion=conversion))
        else:
            title = v("monthly.covisits.title_none", threshold=threshold)
        slide = w.slide(title, footer=v("monthly.covisits.footer", months=COVISIT_MONTHS, start=window.start,
                                        end=window.end, threshold=threshold))
        table = w.table(slide, w.content, [v(f"head.{h}") for h in ("rep", "conversion", "covisits", "discovery",
                                                                      "relevance", "satisfaction")],
                        rows, [0.3, 0.15, 0.12, 0.14, 0.14, 0.15],
                        right=(1, 2, 3, 4, 5), colours=colours)
        return SlideShown("covisits", title, numbers, tuple(rows[: len(table.rows) - 1]))

    # -- top wins and losses ------------------------------------------------------------------------
    def wins_losses(self) -> SlideShown:
        w, v = self.w, self.v
        d = self.data.deals
        end = min(pd.Timestamp(self.period.end), pd.Timestamp(self.as_of))
        in_month = d["closed_on"].between(pd.Timestamp(self.period.start), end).fillna(False)
        won = d[in_month & (d["status"] == "won").fillna(False)].sort_values(["amount", "deal_id"],
                                                                            ascending=[False, True])
        lost = d[in_month & (d["status"] == "lost").fillna(False)].sort_values(["amount", "deal_id"],
                                                                              ascending=[False, True])
        title = v("monthly.wins.title", won=len(won), won_amount=float(won["amount"].sum()), lost=len(lost),
                  lost_amount=float(lost["amount"].sum()), month=self.period)
        slide = w.slide(title, footer=v("monthly.wins.footer", n=TOP_N))
        left, right = halves(w)
        rows_w, rows_l = [], []
        w.text(slide, Box(left.x, left.y, left.w, 26), [Para(f"{UP_SIGN} {v('monthly.wins.won_head')}", 14, True,
                                                              w.palette.up)])
        w.text(slide, Box(right.x, right.y, right.w, 26), [Para(f"{DOWN_SIGN} {v('monthly.wins.lost_head')}", 14,
                                                                True, w.palette.down)])
        bl, br = Box(left.x, left.y + 30, left.w, left.h - 30), Box(right.x, right.y + 30, right.w, right.h - 30)
        for t in won.head(TOP_N).itertuples(index=False):
            rows_w.append((str(t.account), str(t.owner), v.money(t.amount)))
        for t in lost.head(TOP_N).itertuples(index=False):
            rows_l.append((str(t.account), str(t.owner), "" if pd.isna(t.lost_reason) else str(t.lost_reason),
                           v.money(t.amount)))
        if rows_w:
            w.table(slide, bl, [v("head.deal"), v("head.rep"), v("head.amount")], rows_w, [0.45, 0.33, 0.22],
                    right=(2,))
        else:
            w.empty_note(slide, bl, v("monthly.wins.none_won"))
        if rows_l:
            w.table(slide, br, [v("head.deal"), v("head.rep"), v("head.reason"), v("head.amount")], rows_l,
                    [0.3, 0.25, 0.27, 0.18], right=(3,))
        else:
            w.empty_note(slide, br, v("monthly.wins.none_lost"))
        numbers = {"won_count": len(won), "won_amount": float(won["amount"].sum()), "lost_count": len(lost),
                   "lost_amount": float(lost["amount"].sum())}
        return SlideShown("wins_losses", title, numbers, tuple(rows_w) + tuple(rows_l))




