"""The quarterly review (revue trimestrielle, for the executive committee).

Slides: the executive summary (``ritual_decks.summary``); the quarter against target (quarter and fiscal year to date) over eight quarters;
the five KPIs over eight quarters; attainment by team and rep with the share of reps at
target; the quarter's forecast accuracy (Day-One and mid-quarter, in the range or not); the
method's results table measured on the client's own history (forecast precision before and
now, the warning the risk rules gave before a slip or a loss, reps at target this quarter and
a year before); the lost and slipped deals with the week each was flagged; next quarter's
forecast with its range and P(reach target); open actions and decisions.

Every figure is kpicore's (``kpicore.forecast.results`` for the results table): where the
history is too short for one, the slide says so instead of showing a number.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kpicore.forecast.forecasting import ForecastContext, prepare
from kpicore.forecast.results import (LOST, MIN_QUARTERS, Precision, RepsAtTarget, RiskWarnings, forecast_precision,
                                      quarter_accuracy, reps_at_target, risk_warnings)
from kpicore.forecast.risk import reason_label
from kpicore.forecast.shown import backtest_of, forecast
from kpicore.metrics.kpis import KpiEngine
from kpicore.metrics.targets import TargetCheck
from kpicore.model.periods import FISCAL_YEAR, QUARTER, Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import REP, TEAM, Scope
from kpicore.text import formats as F
from ritual_decks.blocks import (actions_slide, attainment_rows, company_name, decisions_slide, five_kpis_slide,
                                 forecast_slide, method_label, revenue_and_target, revenue_block)
from ritual_decks.charts import Box, Series, bar_chart
from ritual_decks.formats import upper_first
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para
from ritual_decks.summary import review_summary

N_QUARTERS = 8
TOP_WARNINGS = 12


class QuarterlyDeck:
    def __init__(self, data: PipelineData, as_of: date, quarter: Period, writer: DeckWriter, n_sims: int,
                 context: ForecastContext | None = None) -> None:
        self.data, self.as_of, self.quarter, self.w, self.n_sims = data, as_of, quarter, writer, n_sims
        self.v = writer.voice
        self.engine = KpiEngine(data, as_of)
        # the cockpit's path: one replay chooses the method, widens the range and gives the accuracy
        self.context = context if context is not None else prepare(data)
        self.bt = backtest_of(self.context, as_of)
        fy = Period.containing(FISCAL_YEAR, quarter.start, self.engine.fiscal_start_month)
        self.ytd_months = tuple(m for m in fy.months() if m.start <= quarter.end)
        self.quarters = quarter.trailing(N_QUARTERS)
        self.next_quarter = Period.containing(QUARTER, as_of)
        if self.next_quarter.start <= quarter.start:
            self.next_quarter = quarter.next()
        self.shown: list[SlideShown] = []

    def build(self) -> list[SlideShown]:
        w = self.w
        for make in (self.revenue, self.five_kpis, self.attainment, self.accuracy, self.results, self.warnings,
                     self.next_forecast):
            self.shown.append(make())
        self.shown.append(actions_slide(w, "actions", self.data, self.as_of))
        self.shown.append(decisions_slide(w, "decisions", "quarterly"))
        self.shown.insert(0, self.summary())
        return self.shown

    # -- the executive summary (slide 1), from what the slides below computed ------------
    def summary(self) -> SlideShown:
        v = self.v
        # the deals at risk valued with next quarter's probabilities, as its forecast slide
        return review_summary(self.w, "quarterly", v("quarterly.title", quarter=self.quarter),
                              v("quarterly.subtitle", company=company_name(self.data, v), as_of=self.as_of),
                              self.data, self.as_of, self.engine, (self.quarter, self.quarter_check),
                              self.ytd_months, self.ytd_check, self.fc, self.next_quarter)

    # -- figures ----------------------------------------------------------------------------
    def _rev(self, period: Period, scope: Scope = Scope.company()) -> tuple[float, float | None]:
        return revenue_and_target(self.engine, period, scope)

    def _months_rev(self, months: tuple[Period, ...], scope: Scope = Scope.company()) -> tuple[float, float | None]:
        got = [self._rev(m, scope) for m in months]
        targets = [t for _, t in got]
        # a target summed over months only when every month has one (kpicore.metrics.targets: never partial)
        return sum(r for r, _ in got), (sum(targets) if all(t is not None for t in targets) else None)

    def _status(self, revenue: float, target: float | None) -> str | None:
        # the quarter and the year to date reviewed are over: the whole target is due
        return None if target is None else self.engine.targets.status("revenue_won", revenue, target)

    # -- the quarter against target ------------------------------------------------------------
    def revenue(self) -> SlideShown:
        w, v = self.w, self.v
        actual = [self._rev(q) for q in self.quarters]
        q_rev, q_target = actual[-1]
        ytd_rev, ytd_target = self._months_rev(self.ytd_months)
        name = upper_first(v.period(self.quarter))
        if q_target:
            title = v("quarterly.revenue.title", quarter=name, won=q_rev, share=q_rev / q_target,
                      ytd=v.percent(ytd_rev / ytd_target) if ytd_target else F.DASH)
        else:
            title = v("quarterly.revenue.title_no_target", quarter=name, won=q_rev)
        slide = w.slide(title, footer=v("quarterly.revenue.footer"))
        chart_box = Box(w.content.x, w.content.y, w.content.w * 0.68, w.content.h)
        side = Box(chart_box.x + chart_box.w + 18, w.content.y, w.content.w - chart_box.w - 18, w.content.h)
        cats = [v.period(q) for q in self.quarters]
        # no bar for a quarter before the company's history: unknown, not zero
        series = [Series(v("monthly.revenue.series"),
                         tuple(round(r, 2) if self.engine.recorded(q) else None for q, (r, _) in zip(self.quarters, actual)),
                         w.palette.actual)]
        if any(t is not None for _, t in actual):
            series.append(Series(v("series.target"), tuple(None if t is None else round(t, 2) for _, t in actual),
                                 w.palette.target))
        bar_chart(slide, chart_box, cats, series, labels=False, gap_width=50)

        ytd_label = v("quarterly.revenue.ytd", first=v.period(self.ytd_months[0], short=True),
                      last=v.period(self.ytd_months[-1], short=True))
        # both periods are over: the whole target is due; kept for the executive summary, which shows these
        # two numbers again
        self.quarter_check = TargetCheck(q_rev, q_target, q_target, self._status(q_rev, q_target))
        self.ytd_check = TargetCheck(ytd_rev, ytd_target, ytd_target, self._status(ytd_rev, ytd_target))
        w.text(slide, side, revenue_block(w, name, self.quarter_check) + revenue_block(w, ytd_label, self.ytd_check))
        numbers = {"quarter_revenue": q_rev, "quarter_target": q_target, "ytd_revenue": ytd_rev,
                   "ytd_target": ytd_target}
        for q, (r, t) in zip(self.quarters, actual):
            numbers[f"revenue|{q.code}"] = r
            numbers[f"target|{q.code}"] = t
        return SlideShown("revenue", title, numbers)

    # -- the five KPIs over eight quarters ----------------------------------------------------------
    def five_kpis(self) -> SlideShown:
        v = self.v
        return five_kpis_slide(self.w, self.engine, self.quarters,
                               lambda worse: (v("quarterly.five.title", worse=worse, quarter=self.quarter) if worse
                                              else v("quarterly.five.title_none", quarter=self.quarter)),
                               "quarterly.five.line")

    # -- attainment by team and rep -------------------------------------------------------------------
    def attainment(self) -> SlideShown:
        w, e, v = self.w, self.engine, self.v
        records = []
        for s in [Scope(TEAM, t) for t in e.teams] + [Scope(REP, r) for r in e.reps]:
            rev, target = self._rev(self.quarter, s)
            y_rev, y_target = self._months_rev(self.ytd_months, s)
            records.append((s, rev, target, y_rev, y_target, self._status(rev, target),
                            self._status(y_rev, y_target)))
        rows, colours, bold, numbers, cut = attainment_rows(w, records)
        self.reps_now = reps_at_target(e, self.quarter)
        self.reps_before = reps_at_target(e, self.quarter.shift(-4))
        at = self.reps_now
        if at.share is not None:
            title = v("quarterly.attainment.title", quarter=self.quarter, at=at.n_at_target, n=at.n_reps,
                      share=at.share)
        else:
            title = v("quarterly.attainment.title_no_target", quarter=self.quarter)
        footer = v("monthly.attainment.footer") + (v("monthly.attainment.cut", cut=cut) if cut else "")
        slide = w.slide(title, footer=footer)
        w.table(slide, w.content, [v("head.scope"), v("quarterly.head.quarter_revenue"), v("head.target"),
                                   v("head.attainment"), v("head.ytd_revenue"), v("head.ytd_target"),
                                   v("head.ytd_attainment")],
                rows, [0.25, 0.12, 0.12, 0.11, 0.14, 0.13, 0.13], right=(1, 2, 3, 4, 5, 6), colours=colours,
                bold_rows=bold)
        numbers.update(reps_at_target=at.n_at_target, reps_with_target=at.n_reps, share_at_target=at.share)
        return SlideShown("attainment", title, numbers, tuple(rows))

    # -- the quarter's forecast accuracy ------------------------------------------------------------------
    def accuracy(self) -> SlideShown:
        w, v = self.w, self.v
        acc = quarter_accuracy(self.bt, self.quarter)
        self.acc = acc
        name = upper_first(v.period(self.quarter))
        if acc.actual is None or acc.day_one is None or acc.day_one.error is None:
            title = v("quarterly.accuracy.none_title", quarter=self.quarter)
            slide = w.slide(title)
            w.empty_note(slide, w.content, v("quarterly.accuracy.none", quarter=self.quarter))
            return SlideShown("accuracy", title, {}, empty=True)
        d1, mid = acc.day_one, acc.mid
        if mid is not None and mid.error is not None:
            title = v("quarterly.accuracy.title", quarter=name, day_one=d1.predicted, day_one_error=d1.error,
                      mid=mid.predicted, mid_error=mid.error, actual=acc.actual)
        else:
            title = v("quarterly.accuracy.title_day_one", quarter=name, day_one=d1.predicted,
                      day_one_error=d1.error, actual=acc.actual)
        method = method_label(acc.method, v)
        slide = w.slide(title, footer=v("quarterly.accuracy.footer", method=method.split(" (")[0].lower()))
        chart_box = Box(w.content.x, w.content.y, w.content.w * 0.6, w.content.h)
        side = Box(chart_box.x + chart_box.w + 18, w.content.y, w.content.w - chart_box.w - 18, w.content.h)
        history = [quarter_accuracy(self.bt, q, acc.method) for q in self.quarters]
        history = [(q, a) for q, a in zip(self.quarters, history) if a.day_one is not None and a.day_one.error is not None]
        cats = [v.period(q) for q, _ in history]

        def ape(point) -> float | None:
            return None if point is None or point.error is None else round(abs(point.error) * 100, 1)

        series = [Series(v("quarterly.accuracy.series_day_one"), tuple(ape(a.day_one) for _, a in history),
                         w.palette.forecast),
                  Series(v("quarterly.accuracy.series_mid"), tuple(ape(a.mid) for _, a in history), w.palette.actual)]
        bar_chart(slide, chart_box, cats, series, number_format=v.chart_percent, legend=True)

        def block(label_code: str, point) -> list[Para]:
            if point is None:
                return [Para(v(label_code, as_of=self.quarter.start), 13, True, w.palette.ink),
                        Para(v("quarterly.accuracy.missing"), 12, False, w.palette.muted), Para("", 8)]
            inside = point.inside
            return [Para(v(label_code, as_of=point.as_of), 13, True, w.palette.ink),
                    Para(v("quarterly.accuracy.figure", predicted=point.predicted, error=point.error), 15, True,
                         w.palette.forecast),
                    Para(v("quarterly.accuracy.range", p10=point.p10, p90=point.p90), 11, False, w.palette.muted),
                    Para(v("quarterly.accuracy.inside" if inside else "quarterly.accuracy.outside"), 12, True,
                         w.palette.good if inside else w.palette.bad), Para("", 8)]

        w.text(slide, side, [Para(v("quarterly.accuracy.actual", actual=acc.actual), 16, True, w.palette.ink),
                             Para("", 8)] + block("quarterly.accuracy.day_one", d1)
               + block("quarterly.accuracy.mid", mid))
        numbers: dict[str, float | None] = {"actual": acc.actual, "day_one": d1.predicted, "day_one_error": d1.error,
                                            "day_one_inside": float(d1.inside)}
        if mid is not None:
            numbers.update(mid=mid.predicted, mid_error=mid.error, mid_inside=float(mid.inside))
        for q, a in history:
            numbers[f"day_one_ape|{q.code}"] = ape(a.day_one)
            numbers[f"mid_ape|{q.code}"] = ape(a.mid)
        return SlideShown("accuracy", title, numbers)

    # -- the results table --------------------------------------------------------------------------------
    def results(self) -> SlideShown:
        w, v = self.w, self.v
        precision: Precision = forecast_precision(self.bt, self.quarter)
        self.warned: RiskWarnings = risk_warnings(self.data, self.quarter)
        before_q, now_q = self.quarter.shift(-4), self.quarter
        reps_before: RepsAtTarget = self.reps_before
        reps_now: RepsAtTarget = self.reps_now
        numbers: dict[str, float | None] = {}
        rows = []
        if precision.measurable:
            rows.append((v("quarterly.results.precision"),
                         v("quarterly.results.precision_before", error=precision.before),
                         v("quarterly.results.precision_now", error=precision.now,
                           method=method_label(precision.method_now, v).split(" (")[0].lower()),
                         v("quarterly.results.precision_basis", quarters=precision.n_quarters,
                           n=precision.n_forecasts)))
            numbers.update(precision_before=precision.before, precision_now=precision.now)
        else:
            short = v("quarterly.results.precision_short", quarters=precision.n_quarters, needed=MIN_QUARTERS)
            rows.append((v("quarterly.results.precision"), short, short, F.DASH))
            numbers.update(precision_before=None, precision_now=None)
        numbers["precision_quarters"] = precision.n_quarters
        wr = self.warned
        if wr.n:
            now = (v("quarterly.results.warning_now", flagged=wr.n_flagged, n=wr.n, weeks=wr.median_weeks)
                   if wr.n_flagged else v("quarterly.results.warning_none_flagged", n=wr.n))
            rows.append((v("quarterly.results.warning"), v("quarterly.results.warning_before"), now,
                         v("quarterly.results.warning_basis", quarter=self.quarter, weeks=len(wr.weeks))))
        else:
            empty = v("quarterly.results.warning_empty", quarter=self.quarter)
            rows.append((v("quarterly.results.warning"), empty, empty, F.DASH))
        numbers.update(lost_or_slipped=wr.n, flagged=wr.n_flagged, median_weeks=wr.median_weeks)

        def reps_cell(q: Period, r: RepsAtTarget) -> str:
            if r.share is None:
                return v("quarterly.results.reps_none", quarter=q)
            return v("quarterly.results.reps_figure", quarter=q, share=r.share, at=r.n_at_target, n=r.n_reps)

        rows.append((v("quarterly.results.reps"), reps_cell(before_q, reps_before), reps_cell(now_q, reps_now),
                     v("quarterly.results.reps_basis")))
        numbers.update(share_at_target_before=reps_before.share, share_at_target_now=reps_now.share)
        if precision.measurable:
            title = v("quarterly.results.title", now=precision.now, before=precision.before)
        else:
            title = v("quarterly.results.title_short")
        slide = w.slide(title, footer=v("quarterly.results.footer"))
        w.table(slide, w.content, [v(f"quarterly.results.head.{h}") for h in ("result", "before", "now", "basis")],
                rows, [0.27, 0.24, 0.25, 0.24], wrap=(0, 1, 2, 3), max_lines=3, min_row_height=84, size=16)
        return SlideShown("results", title, numbers, tuple(rows))

    # -- lost and slipped deals, and when they were flagged ------------------------------------------------
    def warnings(self) -> SlideShown:
        w, v = self.w, self.v
        wr = self.warned
        numbers = {"n": wr.n, "flagged": wr.n_flagged, "median_weeks": wr.median_weeks, "amount": wr.amount}
        if wr.n == 0:
            title = v("quarterly.warnings.none_title", quarter=self.quarter)
            slide = w.slide(title)
            w.empty_note(slide, w.content, v("quarterly.warnings.none"))
            return SlideShown("warnings", title, numbers, empty=True)
        if wr.n_flagged:
            title = v("quarterly.warnings.title", flagged=wr.n_flagged, n=wr.n, weeks=wr.median_weeks)
        else:
            title = v("quarterly.warnings.title_none_flagged", n=wr.n)
        slide = w.slide(title, footer=v("quarterly.warnings.footer"))
        rows = []
        for r in wr.deals.head(TOP_WARNINGS).itertuples(index=False):
            flagged = pd.notna(r.flagged_on)
            rows.append((str(r.account) if pd.notna(r.account) else str(r.deal_id),
                         "" if pd.isna(r.owner) else str(r.owner), v.money(r.amount),
                         v("quarterly.warnings.lost" if r.outcome == LOST else "quarterly.warnings.slipped"),
                         v.date(r.event_on), v.date(r.flagged_on) if flagged else v("quarterly.warnings.not_flagged"),
                         v.number(r.weeks_before, 1) if flagged else F.DASH,
                         upper_first(v.render(reason_label(r.reasons[0]))) if flagged else F.DASH))
        colours = {(i, 5): w.palette.bad for i, row in enumerate(rows) if row[6] == F.DASH}
        table = w.table(slide, w.content, [v("head.deal"), v("head.rep"), v("head.amount"),
                                           v("quarterly.head.outcome"), v("quarterly.head.event_on"),
                                           v("quarterly.head.flagged_on"), v("quarterly.head.weeks_before"),
                                           v("quarterly.head.first_reason")],
                        rows, [0.15, 0.13, 0.09, 0.07, 0.09, 0.1, 0.12, 0.25], right=(2, 6), colours=colours)
        return SlideShown("warnings", title, numbers, tuple(rows[: len(table.rows) - 1]))

    # -- next quarter's forecast ----------------------------------------------------------------------------
    def next_forecast(self) -> SlideShown:
        v = self.v
        self.fc = forecast(self.data, self.next_quarter, as_of=self.as_of, n_sims=self.n_sims, context=self.context)
        return forecast_slide(self.w, "forecast", self.fc, v("quarterly.next", quarter=v.period(self.next_quarter)))

