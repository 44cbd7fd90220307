"""The weekly pipeline review (revue hebdomadaire du pipeline).

Slides: the executive summary (``summary``); the week in 30 seconds; the pipeline movement since the last snapshot
(a waterfall that reconciles to the cent); deals that advanced and deals that
stalled; the month forecast with its range vs target; deals at risk; activity
per rep vs target; open actions; this week's decisions.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kpicore.cockpit.summary import RATE, actual_figure, forecast_figure
from kpicore.metrics.alerts import compute_alerts
from kpicore.forecast.asof import pipeline_as_of
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.forecasting import ForecastContext
from kpicore.forecast.shown import forecast
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.roster import Scope
from kpicore.model.periods import MONTH, WEEK, Period
from kpicore.forecast.risk import deals_at_risk
from kpicore.forecast.snapshots import pipeline_movement
from kpicore.model.roster import REP, TEAM
from kpicore.text import formats as F
from ritual_decks.blocks import (DOWN_SIGN, UP_SIGN, actions_slide, company_name, decisions_slide, forecast_slide,
                                 halves, target_status, waterfall_names)
from ritual_decks.charts import Box, Series, Step, bar_chart, waterfall_chart
from ritual_decks.formats import Voice, upper_first
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para
from ritual_decks.summary import summary_slide

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


REASON_FIGURES = {  # the figure each short reason says, from the row of kpicore.forecast.risk
    "close_date_passed": lambda row, v: {"days": v.days((row.as_of - row.expected_close_on).days)},
    "no_activity": lambda row, v: {"days": v.days(int(row.days_since_activity))},
    "stuck_in_stage": lambda row, v: {"days": v.days(int(row.days_in_stage))},
    "close_date_pushed": lambda row, v: {"n": int(row.pushes)},
    "amount_cut": lambda row, v: {"cut": row.cut},
    "no_next_step": lambda row, v: {},
}


def _reasons_short(row, v: Voice) -> str:
    """The risk reasons in a few words each (the full sentences are in the cockpit)."""
    parts = [v(f"reason.{code}", **REASON_FIGURES[code](row, v)) for code in row.reasons if code in REASON_FIGURES]
    return upper_first(v("reason.separator").join(parts))


class WeeklyDeck:
    def __init__(self, data: PipelineData, as_of: date, writer: DeckWriter, n_sims: int,
                 context: ForecastContext | None = None) -> None:
        self.data, self.as_of, self.w, self.n_sims, self.context = data, as_of, writer, n_sims, context
        self.v = writer.voice
        self.engine = KpiEngine(data, as_of)
        self.week = Period.containing(WEEK, as_of)
        self.month = Period.containing(MONTH, as_of)
        self.shown: list[SlideShown] = []

    def build(self) -> list[SlideShown]:
        w = self.w
        self.fc = forecast(self.data, self.month, as_of=self.as_of, n_sims=self.n_sims, context=self.context)
        for make in (self.week_kpis, self.movement, self.advanced_stalled, self.month_forecast, self.risks,
                     self.activity):
            self.shown.append(make())
        self.shown.append(actions_slide(w, "actions", self.data, self.as_of))
        self.shown.append(decisions_slide(w, "decisions", "weekly"))
        self.shown.insert(0, self.summary())
        return self.shown

    # -- the executive summary (slide 1), from what the slides below computed ------------
    def summary(self) -> SlideShown:
        v = self.v
        figures = (actual_figure("revenue", self.checks["revenue_won"], self.month),
                   forecast_figure("forecast", self.fc, self.month,
                                   tolerance=self.engine.targets.tolerance("revenue_won")),
                   actual_figure("qualified_meetings", self.checks["qualified_meetings_per_week"], self.week,
                                 unit=RATE))
        return summary_slide(self.w, "weekly", v("weekly.title"),
                             v("weekly.subtitle", company=company_name(self.data, v), week=self.week,
                               as_of=self.as_of), figures, self.as_of, risk=self.risk, alerts=self.alerts,
                             actions=self.data.actions)

    # -- the week in 30 seconds ---------------------------------------------
    def week_kpis(self) -> SlideShown:
        e, w, v = self.engine, self.w, self.v
        company = Scope.company()
        lines = [  # (kpi, period, formatter); the label is the catalogue's decks.kpi.<kpi>
            ("revenue_won", self.month, v.money),
            ("qualified_meetings_per_week", self.week, lambda x: v.number(x, 1)),
            ("proposals_per_month", self.week, lambda x: v.number(x, 1)),
            ("proposal_conversion", self.month, v.percent),
            ("average_deal_size", self.month, v.money),
            ("sales_cycle_days", self.month, v.days),
            ("coverage", self.month, v.times),
        ]
        rows, colours, numbers = [], {}, {}
        self.checks = {}  # kpi -> its TargetCheck, for the summary
        for i, (kpi, period, fmt) in enumerate(lines):
            val = e.value(kpi, period, company, with_trend=False)
            check = e.targets.check(kpi, val.value, period, self.as_of, company.level, company.key[1])
            self.checks[kpi] = check
            status = ""
            if check.status is not None:
                status = target_status(check.status, v)
                colours[(i, 3)] = w.palette.status(check.status)
            rows.append((v(f"weekly.kpi.{kpi}"), fmt(val.value),
                         fmt(check.target) if check.target is not None else F.DASH, status))
            numbers[kpi] = val.value
            numbers[f"{kpi}_target"] = check.target
            numbers[f"{kpi}_due"] = check.due
        rev, tgt, due = numbers["revenue_won"], numbers["revenue_won_target"], numbers["revenue_won_due"]
        month = upper_first(v.period(self.month))
        if tgt:
            title = v("weekly.kpis.title", month=month, won=rev, target=tgt, share=rev / tgt, as_of=self.as_of)
        else:
            title = v("weekly.kpis.title_no_target", month=month, won=rev, as_of=self.as_of)
        pace = v("weekly.kpis.pace", due=due) if due is not None else ""
        slide = w.slide(title, footer=v("weekly.kpis.footer", week=self.week, start=self.week.start,
                                        end=min(self.week.end, self.as_of), pace=pace))
        left, right = Box(w.content.x, w.content.y, w.content.w * 0.6, w.content.h), None
        right = Box(left.x + left.w + 18, left.y, w.content.w - left.w - 18, w.content.h)
        w.table(slide, left, [v("head.kpi"), v("head.actual"), v("head.target"), v("head.status")], rows,
                [0.48, 0.17, 0.15, 0.2], right=(1, 2), colours=colours)
        self.alerts = compute_alerts(self.data, self.as_of, engine=e)
        alerts = self.alerts[:3]
        paras = [Para(v("weekly.alerts"), 14, True, w.palette.ink)]
        for a in alerts:
            paras.append(Para(f"{v(f'severity.{a.severity}')} · {v.render(a.title)}", 12, True,
                              w.palette.bad if a.severity == "high" else w.palette.ink))
            paras.append(Para(v.render(a.action), 11, False, w.palette.muted))
        if not alerts:
            paras.append(Para(v("weekly.no_alert"), 12, False, w.palette.muted))
        w.text(slide, right, paras)
        numbers["alerts"] = len(alerts)
        return SlideShown("week_kpis", title, numbers, tuple(rows))

    # -- pipeline movement ----------------------------------------------------
    def movement(self) -> SlideShown:
        w, v = self.w, self.v
        start, from_snapshot = movement_start(self.data, self.as_of)
        mv = pipeline_movement(self.data, start, pd.Timestamp(self.as_of), self.month)
        moves = mv.as_dict()
        steps = [Step(v("movement.at", day=start.date()), mv.start, total=True)]
        omitted = []
        for m in ADDS + SUBTRACTS:
            if round(moves[m], 2) == 0:
                omitted.append(v(f"move.{m}").lower())
                continue
            steps.append(Step(v(f"move.{m}"), moves[m] if m in ADDS else -moves[m]))
        steps.append(Step(v("movement.at", day=self.as_of), mv.end, total=True))
        title = v("movement.title", month=self.month, start=mv.start, end=mv.end, change=mv.end - mv.start,
                  since=start.date())
        origin = v("movement.from_snapshot") if from_snapshot else v("movement.rebuilt")
        still = v("movement.still", moves=v("list.separator").join(omitted)) if omitted else ""
        slide = w.slide(title, footer=v("movement.footer", origin=origin, month=self.month, still=still))
        waterfall_chart(slide, w.content, steps, up=w.palette.up, down=w.palette.down, total=w.palette.total,
                        **waterfall_names(v))
        numbers = dict(moves)
        numbers["balanced"] = float(mv.balanced)
        return SlideShown("movement", title, numbers)

    # -- deals that advanced, deals that stalled --------------------------------
    def advanced_stalled(self) -> SlideShown:
        w, v = self.w, self.v
        start, _ = movement_start(self.data, self.as_of)
        adv = advanced_deals(self.data, start, self.as_of)
        self.risk = deals_at_risk(self.data, self.as_of, probabilities=self.fc.calibrated_probabilities)
        r = self.risk.deals.assign(as_of=pd.Timestamp(self.as_of))
        stalled = r[r["reasons"].map(lambda c: "stuck_in_stage" in c or "no_activity" in c)]
        title = v("stalled.title", advanced=len(adv), since=start.date(), stalled=len(stalled))
        slide = w.slide(title, footer=v("stalled.footer", share=0.75))
        left, right = halves(w)
        head = Box(left.x, left.y, left.w, 26)
        rows_a, rows_s = [], []
        w.text(slide, head, [Para(f"{UP_SIGN} {v('stalled.advanced_head')}", 14, True, w.palette.up)])
        box_a = Box(left.x, left.y + 30, left.w, left.h - 30)
        if len(adv):
            for t in adv.head(w.max_rows(box_a)).itertuples(index=False):
                rows_a.append((str(t.account), str(t.owner), f"{t.stage_before} → {t.stage}", v.money(t.amount)))
            w.table(slide, box_a, [v("head.deal"), v("head.rep"), v("head.stages"), v("head.amount")], rows_a,
                    [0.27, 0.22, 0.36, 0.15], right=(3,), size=10)
        else:
            w.empty_note(slide, box_a, v("stalled.none_advanced"))
        w.text(slide, Box(right.x, right.y, right.w, 26),
               [Para(f"{DOWN_SIGN} {v('stalled.stalled_head')}", 14, True, w.palette.down)])
        box_s = Box(right.x, right.y + 30, right.w, right.h - 30)
        if len(stalled):
            for t in stalled.head(w.max_rows(box_s)).itertuples(index=False):
                stuck = "stuck_in_stage" in t.reasons
                days_ = v.days(int(t.days_in_stage if stuck else t.days_since_activity))
                what = v("stalled.in_stage" if stuck else "stalled.no_activity", days=days_)
                rows_s.append((str(t.account), str(t.owner), str(t.stage), what, v.money(t.amount)))
            w.table(slide, box_s, [v("head.deal"), v("head.rep"), v("head.stage"), v("head.since"),
                                   v("head.amount")], rows_s, [0.25, 0.22, 0.16, 0.21, 0.16], right=(4,))
        else:
            w.empty_note(slide, box_s, v("stalled.none_stalled"))
        return SlideShown("advanced_stalled", title, {"advanced": len(adv), "stalled": len(stalled),
                                                       "advanced_amount": float(adv["amount"].sum())},
                          tuple(rows_a) + tuple(rows_s))

    def month_forecast(self) -> SlideShown:
        return forecast_slide(self.w, "forecast", self.fc, upper_first(self.v.period(self.month)))

    # -- deals at risk --------------------------------------------------------------
    def risks(self) -> SlideShown:
        w, v = self.w, self.v
        r = self.risk.deals.assign(as_of=pd.Timestamp(self.as_of))
        if len(r) == 0:
            title = v("risks.none_title")
            slide = w.slide(title)
            w.empty_note(slide, w.content, v("risks.none"))
            return SlideShown("risks", title, {"count": 0, "value_at_risk": 0.0}, empty=True)
        shown = r.head(w.max_rows(w.content))
        total = float(r["value_at_risk"].sum())
        title = v("risks.title", n=len(r), value=total)
        slide = w.slide(title)
        rows = [(str(t.deal_id), str(t.account), str(t.owner), str(t.stage), v.money(t.amount),
                 v.money(t.value_at_risk), _reasons_short(t, v)) for t in shown.itertuples(index=False)]
        table = w.table(slide, w.content, [v("head.number"), v("head.deal"), v("head.rep"), v("head.stage"),
                                           v("head.amount"), v("head.at_stake"), v("head.reasons")],
                        rows, [0.08, 0.17, 0.14, 0.1, 0.1, 0.09, 0.32], right=(4, 5), wrap=(6,))
        rows = rows[: len(table.rows) - 1]
        w.text(slide, Box(w.content.x, w.height - 30, w.content.w, 22),
               [Para(v("risks.note", shown=len(rows), n=len(r)), 9, False, w.palette.muted)])
        return SlideShown("risks", title, {"count": len(r), "value_at_risk": total}, tuple(rows))

    # -- activity per rep vs target ----------------------------------------------------
    def activity(self) -> SlideShown:
        w, e, v = self.w, self.engine, self.v
        reps = self.data.reps  # the one roster (e.reps), less the reps the Reps sheet marks inactive
        inactive = {str(r) for r, a in zip(reps["rep"], reps["active"].fillna(True)) if not bool(a)}
        active = [r for r in e.reps if r not in inactive]
        level = REP if len(active) <= MAX_CHART_REPS else TEAM
        names = sorted(active) if level == REP else list(e.teams)
        scopes = [Scope(level, n) for n in names]
        table = e.table(self.week)
        charts, numbers = [], {}
        below = 0
        for kpi, label in (("qualified_meetings_per_week", v("weekly.kpi.qualified_meetings_per_week")),
                           ("proposals_per_month", v("activity.proposals"))):
            values = [float(table.loc[s.key, kpi]) for s in scopes]
            checks = [e.targets.check(kpi, x, self.week, self.as_of, s.level, s.key[1]) for x, s in zip(values, scopes)]
            targets = [c.target for c in checks]
            charts.append((label, values, targets))
            for n, x, t in zip(names, values, targets):
                numbers[f"{kpi}|{n}"] = x
                numbers[f"{kpi}|{n}|target"] = t
            if kpi == "qualified_meetings_per_week":
                below = sum(1 for c in checks if c.status is not None and not c.on_target)
        title = v("activity.title_reps" if level == REP else "activity.title_teams", below=below, n=len(names))
        slide = w.slide(title, footer=v("activity.footer", week=self.week, start=self.week.start,
                                        end=min(self.week.end, self.as_of)))
        from ritual_decks.text_fit import shorten

        cats = [shorten(n, 110, 9) for n in names]
        for box, (label, values, targets) in zip(halves(w), charts):
            w.text(slide, Box(box.x, box.y, box.w, 26), [Para(label, 14, True, w.palette.ink)])
            series = [Series(v("series.actual"), tuple(round(x, 2) for x in values), w.palette.actual)]
            if any(t is not None for t in targets):
                series.append(Series(v("series.target"), tuple(None if t is None else round(t, 2) for t in targets),
                                     w.palette.target))
            bar_chart(slide, Box(box.x, box.y + 28, box.w, box.h - 28), cats, series, horizontal=True,
                      number_format='0.0', gap_width=50)
        numbers["below_meetings_target"] = below
        return SlideShown("activity", title, numbers, tuple((n,) for n in cats))
