"""Slides both decks share: forecast vs target, open actions, this ritual's decisions,
and small helpers over kpicore results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
from pptx.enum.chart import XL_LABEL_POSITION
from pptx.util import Pt

from kpicore.cockpit.summary import open_actions
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.backtest import method_label as named_method
from kpicore.forecast.forecasting import METHODS, Forecast
from kpicore.metrics.dictionary import UP
from kpicore.metrics.kpis import KpiEngine, fiscal_start_month_of
from kpicore.metrics.targets import BELOW_TARGET, NEAR_TARGET, ON_TARGET, TargetCheck
from kpicore.model.errors import UsageError
from kpicore.model.periods import Period, parse_period
from kpicore.model.roster import TEAM, Scope
from kpicore.text import formats as F
from kpicore.text.catalogue import has, say
from ritual_decks.charts import Box, Series, bar_chart, line_chart
from ritual_decks.formats import Voice, upper_first
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para

UP_SIGN, NEAR_SIGN, DOWN_SIGN = "▲", "●", "▼"
# A value against its target (kpicore.metrics.targets.target_status): the sign, and the sign with words.
TARGET_SIGN = {ON_TARGET: UP_SIGN, NEAR_TARGET: NEAR_SIGN, BELOW_TARGET: DOWN_SIGN}


def target_status(status: str, v: Voice) -> str:
    """« ▲ atteint », « ● proche », « ▼ en dessous » (``on_target``, ``near_target``, ``below_target``)."""
    return f"{TARGET_SIGN[status]} {v(f'status.{status}')}"


def waterfall_names(v: Voice) -> dict[str, str]:
    """The series names and the language of a waterfall chart (``charts.waterfall_chart``)."""
    return {"base_name": v("waterfall.base"), "up_name": v("waterfall.up"), "down_name": v("waterfall.down"),
            "total_name": v("waterfall.total"), "language": v.language}


def company_name(data: PipelineData, v: Voice) -> str:
    for key in ("company_name", "company", "entreprise"):
        value = data.setting(key)
        if value:
            return value
    return v.scope(Scope.company())


def halves(w: DeckWriter, gap: float = 18.0) -> tuple[Box, Box]:
    c = w.content
    half = (c.w - gap) / 2
    return Box(c.x, c.y, half, c.h), Box(c.x + half + gap, c.y, half, c.h)


def method_label(method: str, v: Voice) -> str:
    """The name of a forecast method (``calibrated``, ``run_rate``...), its code if the catalogue has none."""
    return v.render(named_method(method)) if method in METHODS else method


def method_reason(fc: Forecast, v: Voice) -> str:
    """Why the method shown was chosen (``fc.method_reason``, a ``Message``), in the deck's language."""
    return v.render(fc.method_reason)


def forecast_slide(w: DeckWriter, key: str, fc: Forecast, what: str) -> SlideShown:
    """Won to date, the P10-P90 range and the forecast shown against the target of the period."""
    v = w.voice
    target = fc.target
    if target:
        title = v("forecast.title", what=what, shown=fc.shown, p10=fc.p10, p90=fc.p90, target=target)
    else:
        title = v("forecast.title_no_target", what=what, shown=fc.shown, p10=fc.p10, p90=fc.p90)
    slide = w.slide(title, footer=v("forecast.footer", as_of=fc.as_of, n=fc.n_sims))
    left = Box(w.content.x, w.content.y, w.content.w * 0.62, w.content.h)
    right = Box(left.x + left.w + 18, w.content.y, w.content.w - left.w - 18, w.content.h)
    cats = [v("forecast.won_to_date"), "P10", v("forecast.shown"), "P90"] + ([v("series.target")] if target else [])
    values = [fc.won_to_date, fc.p10, fc.shown, fc.p90] + ([target] if target else [])
    chart = bar_chart(slide, left, cats, [Series(v("series.amount"), tuple(round(x, 2) for x in values),
                                                 w.palette.actual)], legend=False)
    colours = [w.palette.actual, w.palette.forecast, w.palette.forecast, w.palette.forecast, w.palette.target]
    for i, colour in enumerate(colours[: len(values)]):
        point = chart.plots[0].series[0].points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = colour
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    shown_prob = (v.percent(fc.prob_reach_shown) if fc.prob_reach_shown is not None
                  else v("forecast.no_target") if fc.prob_reach_target is None else v("forecast.probability_not_shown"))
    paras = [Para(v("forecast.probability"), 12, False, w.palette.muted), Para(shown_prob, 28, True, w.palette.ink)]
    if fc.reach_said is not None:
        paras.append(Para(v.render(fc.reach_said), 10, False, w.palette.muted))
    if target:
        gap = fc.shown - target
        paras += [Para("", 6), Para(v("forecast.gap"), 12, False, w.palette.muted),
                  Para(v.money(gap, signed=True), 20, True, w.palette.bad if gap < 0 else w.palette.good)]
    paras += [Para("", 6), Para(v("forecast.method"), 12, False, w.palette.muted),
              Para(method_label(fc.method_shown, v), 13, True, w.palette.ink),
              Para(method_reason(fc, v), 11, False, w.palette.muted)]
    w.text(slide, right, paras)
    numbers = {"won_to_date": fc.won_to_date, "p10": fc.p10, "shown": fc.shown, "p50": fc.p50, "p90": fc.p90,
               "target": target, "prob_reach_target": fc.prob_reach_shown}
    return SlideShown(key, title, numbers)




# the five KPIs of the method, each with the chart number format of its values (None: a rate, in %)
FIVE_KPIS = (
    ("qualified_meetings_per_week", F.NUMBER_CODE),
    ("proposals_per_month", F.NUMBER_CODE),
    ("proposal_conversion", None),
    ("average_deal_size", F.MONEY_CODE),
    ("sales_cycle_days", F.COUNT_CODE),
)


def reviewed_period(kind: str, not_of_kind: str, data: PipelineData, as_of: date, period: Period | str | None,
                    language: str) -> Period:
    """The period a review deck reviews: ``period`` if given (of ``kind``: MONTH, QUARTER), else the last one of
    that kind over on ``as_of``; ``not_of_kind`` is the catalogue code refusing a period of another kind."""
    if period is not None:
        p = parse_period(period, fiscal_start_month_of(data))
        if p.kind != kind:
            raise UsageError(say(not_of_kind, language, period=str(period)))
        return p
    current = Period.containing(kind, as_of)
    return current if current.end <= as_of else current.previous()


def revenue_and_target(engine: KpiEngine, period: Period, scope: Scope = Scope.company()) -> tuple[float, float | None]:
    """The revenue won over ``period`` by ``scope`` and its revenue target (None without one)."""
    return float(engine.table(period).loc[scope.key, "revenue_won"]), engine.target("revenue_won", period, scope)


def number_or_none(x: object) -> float | None:
    """A KPI value as a float, None where there is nothing to measure (None, NaN, NA)."""
    return None if x is None or pd.isna(x) else float(x)


def kpi_format(kpi: str, v: Voice) -> Callable[[float | None], str]:
    """How a KPI's value is written in a sentence (a rate in %, money, days, else one decimal)."""
    return {"proposal_conversion": v.percent, "average_deal_size": v.money, "sales_cycle_days": v.days}.get(
        kpi, lambda x: v.number(x, 1))


def five_kpis_slide(w: DeckWriter, engine: KpiEngine, periods: tuple[Period, ...],
                    title_of: Callable[[int], str], line_code: str) -> SlideShown:
    """The five KPIs of the company over ``periods`` (months or quarters), one small line chart each against
    its target (blank before the company's history begins), and a note of each one's last period against the one before.  ``title_of`` gives the title
    from how many KPIs moved the wrong way last period; ``line_code`` is the catalogue's line of the note."""
    v = w.voice
    company = Scope.company()
    cats = [v.period(p, short=True) for p in periods]
    gap = 14.0
    cw, ch = (w.content.w - 2 * gap) / 3, (w.content.h - gap) / 2
    boxes = [Box(w.content.x + (i % 3) * (cw + gap), w.content.y + (i // 3) * (ch + gap), cw, ch) for i in range(6)]
    numbers: dict[str, float | None] = {}
    worse, charts = [], []
    for kpi, code in FIVE_KPIS:
        values = [number_or_none(engine.table(p).loc[company.key, kpi]) if engine.recorded(p) else None
                  for p in periods]
        targets = [engine.target(kpi, p, company) for p in periods]

        def shown(x: float | None) -> float | None:  # a rate drawn in %, anything else to the cent
            return None if x is None else round(x * 100, 1) if code is None else round(x, 2)

        charts.append((v(f"monthly.kpi.{kpi}"), code or v.chart_percent, [shown(x) for x in values],
                       [shown(t) for t in targets]))
        for p, x in zip(periods, values):
            numbers[f"{kpi}|{p.code}"] = x
        last, before = values[-1], values[-2]
        if last is not None and before is not None and last != before:
            if (last > before) != (engine.dictionary[kpi].direction == UP):
                worse.append(kpi)
    title = title_of(len(worse))
    slide = w.slide(title, footer=v("monthly.five.footer"))
    for box, (label, fmt, values, targets) in zip(boxes, charts):
        w.text(slide, Box(box.x, box.y, box.w, 22), [Para(label, 11, True, w.palette.ink)])
        series = [Series(v("series.actual"), tuple(values), w.palette.actual)]
        if any(t is not None for t in targets):
            series.append(Series(v("series.target"), tuple(targets), w.palette.target))
        chart = line_chart(slide, Box(box.x, box.y + 22, box.w, box.h - 22), cats, series, number_format=fmt,
                           legend=False, dashed=(1,))
        chart.category_axis.tick_labels.font.size = Pt(8)
    note = [Para(v("monthly.five.note"), 12, True, w.palette.ink)]
    last, before = periods[-1].code, periods[-2].code
    for kpi, _code in FIVE_KPIS:
        f = kpi_format(kpi, v)
        note.append(Para(v(line_code, kpi=upper_first(v(f"monthly.kpi_name.{kpi}")), now=f(numbers[f"{kpi}|{last}"]),
                           before=f(numbers[f"{kpi}|{before}"])), 11, False, w.palette.ink))
    w.text(slide, boxes[5], note)
    numbers["worse"] = len(worse)
    return SlideShown("five_kpis", title, numbers)


def revenue_block(w: DeckWriter, label: str, check: TargetCheck) -> list[Para]:
    """Revenue won beside its chart: the label, the amount, its target and the share reached, coloured by
    the check's status."""
    v = w.voice
    att = check.value / check.target if check.target else None
    colour = w.palette.ink if check.status is None else w.palette.status(check.status)
    sign = "" if check.status is None else f"{TARGET_SIGN[check.status]} "
    return [Para(label, 13, True, w.palette.ink), Para(v.money(check.value), 24, True, w.palette.actual),
            Para(v("monthly.revenue.target", target=check.target), 12, False, w.palette.muted),
            Para(sign + v("monthly.revenue.share", share=att) if att is not None else v("forecast.no_target"),
                 14, True, colour), Para("", 8)]


AttainmentRecord = tuple  # (scope, revenue, target, ytd revenue, ytd target, status, ytd status)


def attainment_rows(w: DeckWriter, records: list[AttainmentRecord]
                    ) -> tuple[list[tuple], dict, list[int], dict[str, float | None], int]:
    """The attainment table's rows: every team, then the reps furthest below target first, as many as the
    slide holds.  Returns the rows, their cell colours, the bold (team) rows, the numbers shown and how
    many scopes were cut."""
    v = w.voice
    limit = w.max_rows(w.content)
    teams = [r for r in records if r[0].level == TEAM]
    reps = sorted([r for r in records if r[0].level != TEAM],
                  key=lambda r: (r[2] is None, (r[1] / r[2]) if r[2] else 0.0))
    keep = teams + reps[: max(0, limit - len(teams))]
    rows, colours, bold, numbers = [], {}, [], {}

    def mark(a: float | None, st: str | None) -> str:
        return F.DASH if a is None or st is None else f"{TARGET_SIGN[st]} {v.percent(a)}"

    for i, (s, rev, target, y_rev, y_target, status, y_status) in enumerate(keep):
        for j, st in ((3, status), (6, y_status)):
            if st is not None:
                colours[(i, j)] = w.palette.status(st)
        rows.append((v.scope(s) if s.level == TEAM else f"   {s.name}", v.money(rev), v.money(target),
                     mark(rev / target if target else None, status), v.money(y_rev), v.money(y_target),
                     mark(y_rev / y_target if y_target else None, y_status)))
        if s.level == TEAM:
            bold.append(i)
        numbers[f"{s.code}|revenue"], numbers[f"{s.code}|target"] = rev, target
        numbers[f"{s.code}|ytd_revenue"], numbers[f"{s.code}|ytd_target"] = y_rev, y_target
    return rows, colours, bold, numbers, len(records) - len(keep)


def actions_slide(w: DeckWriter, key: str, data: PipelineData, as_of: date) -> SlideShown:
    """The decisions still open from earlier rituals, overdue ones first in colour and with a sign."""
    v = w.voice
    acts = open_actions(data.actions)
    late = acts["due_on"].notna() & (acts["due_on"] < pd.Timestamp(as_of))
    n, k = len(acts), int(late.sum())
    title = (v("actions.title", n=n, late=k) if k else v("actions.title_none_late", n=n)) if n \
        else v("actions.none_title")
    slide = w.slide(title, footer=v("actions.footer"))
    if n == 0:
        w.empty_note(slide, w.content, v("actions.none"))
        return SlideShown(key, title, {"open": 0, "late": 0}, empty=True)
    limit = w.max_rows(w.content)
    rows, colours = [], {}

    def ritual(name: object) -> str:
        # a ritual the product knows is named in the deck's language; another as the client typed it
        text = "" if pd.isna(name) else str(name)
        return v(f"ritual.{text}") if has(f"decks.ritual.{text}", v.language) else text

    def day(x) -> str:
        return v.date(x) if pd.notna(x) else F.DASH

    for i, (r, is_late) in enumerate(zip(acts.head(limit).itertuples(index=False), late.head(limit))):
        rows.append((day(r.date), ritual(r.ritual), str(r.decision), "" if pd.isna(r.owner) else str(r.owner),
                     day(r.due_on), f"{DOWN_SIGN} {v('actions.late')}" if is_late else v("actions.due")))
        if is_late:
            colours[(i, 4)] = colours[(i, 5)] = w.palette.bad
    table = w.table(slide, w.content, [v("head.decided_on"), v("head.ritual"), v("head.decision"), v("head.owner"),
                                       v("head.due"), v("head.status")], rows,
                    [0.10, 0.08, 0.46, 0.14, 0.10, 0.12], colours=colours, wrap=(2,))
    return SlideShown(key, title, {"open": n, "late": k}, tuple(rows[: len(table.rows) - 1]))


def decisions_slide(w: DeckWriter, key: str, ritual: str, n_rows: int = 6) -> SlideShown:
    v = w.voice
    title = v("decisions.title")
    slide = w.slide(title, footer=v("decisions.footer", ritual=ritual))
    rows = [("", "", "")] * n_rows
    w.table(slide, Box(w.content.x, w.content.y, w.content.w, w.content.h),
            [v("head.decision"), v("head.owner"), v("head.due")], rows, [0.64, 0.2, 0.16], size=18, min_row_height=44)
    return SlideShown(key, title, {"rows": n_rows})
