"""Build the cockpit of a view as a ``CockpitSpec`` (DESIGN.md, "The cockpit sheet").

One sheet, read in 30 seconds, printed on one A4 landscape page, 12 columns
(A to L) wide:

======  =====================================================================
rows    block
======  =====================================================================
1–2     header: company, period, as-of and refresh time, data-quality badge,
        the view selector (a drop-down cell)
4–9     six KPI tiles (revenue won and the five KPIs): label, value and status
        sign, target (a formula into the Targets sheet), gap, change against
        the previous period, 12-month or 8-week sparkline
11–17   forecast of the month (left) and how to read it (right)
then    alerts, most important first (the first ``MAX_ALERTS``, then how many
        more): what is wrong, the numbers behind it and what to do, in full
then    one row per rep (manager), per team (direction) or per day (rep view)
then    deals at risk this week, by value at risk
======  =====================================================================

Live formatting: a tile's target cell is a formula into Targets, its status
sign and colours are a formula and conditional formats that compare the value
cell with that target cell; so a manager who edits a target sees the tile
change on recalculation, without a refresh.  The status follows the one
on-target rule (``kpicore.metrics.targets.target_status``): the revenue tile
sets the month's revenue won to date against the target pro rata of the month
elapsed, since a month in progress cannot have reached its full target, and a
tile is near its target within the KPI's tolerance.

Every text the cockpit writes is a ``Message`` (``kpicore.model.messages``,
codes ``cockpit.*`` of ``kpicore.text.fr.cockpit``), or the engines' own
messages (alerts, risk reasons, the forecast method's reason), or the client's
words as typed; numbers stay numbers under a number format.  The edge renders
the spec in the reader's language (``kpicore.text.sheets.rendered``) before
any writer sees it.

The rep view holds that rep's own numbers only: no colleague's name or figure
(DESIGN.md, rules: a rep's view holds only their own numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.metrics.alerts import HIGH, MEDIUM, Alert, compute_alerts
from kpicore.cockpit.spec import (
    Block,
    Cell,
    CockpitSpec,
    ConditionalRule,
    ListValidation,
    PrintSetup,
    Sparkline,
    TextFormula,
    a1,
    a1_range,
    col_letter,
)
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.forecast.backtest import method_label
from kpicore.forecast.forecasting import METHODS, N_SIMS, prepare
from kpicore.forecast.kept_backtest import KeptBacktest
from kpicore.forecast.shown import forecast_all
from kpicore.metrics.dictionary import KpiDictionary, dictionary_of
from kpicore.metrics.kpis import KpiEngine, KpiValue
from kpicore.model.roster import Scope
from kpicore.model.periods import MONTH, Period, to_date
from kpicore.forecast.risk import deals_at_risk
from kpicore.metrics.targets import target_book
from kpicore.model.messages import Message
from kpicore.model.roster import COMPANY, REP, TEAM, rep_team_of

SHEET_NAME = schema.COCKPIT_SHEET
VIEWS = ("manager", "direction", "rep")
# What the selector cell may hold, in either language (a workbook switched to English keeps
# the French word it was saved with until its next refresh): the catalogue's names of the
# views (cockpit.view.*), and the views' own codes as typed on the command line or in Settings.
VIEW_FROM_LABEL = {"manager": "manager", "direction": "direction", "executive": "direction", "rep": "rep",
                   "commercial": "rep"}

# The view selector cell (J1): the refresh reads it back (precedence: --view, this cell, Settings).
VIEW_CELL = (0, 9)
NCOLS = 12
TREND_COL = 14  # first hidden column holding the tiles' trend values (O onwards)
TILE_KPIS = ("revenue_won", "qualified_meetings_per_week", "proposals_per_month", "proposal_conversion",
             "average_deal_size", "sales_cycle_days")
STYLE_OF_UNIT = {"eur": "money", "fraction": "percent", "per_week": "number", "per_month": "number",
                 "days": "integer", "count": "integer", "ratio": "percent"}
# Alerts shown in full (then a line says how many more): what keeps the page one A4 sheet.
MAX_ALERTS = 5
MAX_RISKS = 8
REASONS_SHOWN = 62  # characters of a deal's reasons that fit its one line (`pilotage risks` gives them all)
SIGN_GOOD, SIGN_WARN, SIGN_BAD = "▲", "●", "▼"


@dataclass(frozen=True)
class TargetsLocation:
    """Where the Targets table lives in the workbook, for the tiles' live target formulas.

    Columns are letters; rows are whole columns (``$E:$E``) so that a row a
    manager adds to the table is counted without a refresh.
    """

    sheet: str = "Objectifs"
    period: str = "A"
    scope_type: str = "B"
    scope_name: str = "C"
    metric: str = "D"
    value: str = "E"

    def col(self, letter: str) -> str:
        sheet = self.sheet.replace("'", "''")
        return f"'{sheet}'!${letter}:${letter}"


def _q(text: str) -> str:
    """A string literal for a formula (client text stays inside the quotes)."""
    return '"' + str(text).replace('"', '""') + '"'


def view_label(view: str) -> Message:
    """The name of a view as the selector shows it (``cockpit.view.direction``: Direction, Executive)."""
    return Message.of(f"cockpit.view.{view}")


def resolve_view(cli_view: str | None, cell_view: str | None, settings_view: str | None) -> str:
    """Precedence: the command line, then the cockpit's selector cell, then Settings, then manager.

    The cell may hold a view's name in French or in English (Commercial, Rep, Executive...)."""
    for candidate in (cli_view, cell_view, settings_view):
        if candidate and str(candidate).strip():
            view = VIEW_FROM_LABEL.get(str(candidate).strip().lower())
            if view is None:
                raise UsageError(f"vue « {candidate} » inconnue : choisissez parmi "
                                 f"{', '.join(sorted(VIEW_FROM_LABEL))}.")
            return view
    return "manager"


class _Layout:
    """Collects blocks and rules while the builder walks down the sheet."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.rules: list[ConditionalRule] = []
        self.sparklines: list[Sparkline] = []
        self.row_heights: dict[int, float] = {}

    def block(self, name: str, row: int, col: int, cells: list[list[Cell]],
              merges: tuple[tuple[int, int, int, int], ...] = ()) -> Block:
        b = Block(name, row, col, tuple(tuple(r) for r in cells), merges)
        self.blocks.append(b)
        return b


def _num(x) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _short(text, n: int) -> str:
    """The client's text (a name, an account) cut to its column: product text is never cut."""
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _trend_text(v: KpiValue, previous: Period) -> Message | None:
    """The change against the previous period, as a sign and a percentage (survives a B&W print)."""
    if v.kpi == "revenue_won":  # a month in progress against a whole month: show the level, not a change
        if v.previous is None:
            return None
        return Message.of("cockpit.tile.previous_level", period=previous, value=v.previous)
    if v.value is None or v.previous is None or v.previous == 0:
        return None
    change = v.value / v.previous - 1
    sign = "▲" if change > 0.005 else "▼" if change < -0.005 else "="
    return Message.of("cockpit.tile.change", sign=sign, change=abs(change), period=previous)


def _said(*codes: str) -> list[Message]:
    return [Message.of(code) for code in codes]


class CockpitBuilder:
    def __init__(self, data: PipelineData, as_of: date, view: str, who: str | None,
                 refreshed_at: datetime, targets_at: TargetsLocation | None,
                 dictionary: KpiDictionary, n_sims: int, context=None, quality_sheet: str | None = None) -> None:
        self.data, self.as_of, self.view = data, as_of, view
        self.refreshed_at, self.targets_at, self.dictionary = refreshed_at, targets_at, dictionary
        self.n_sims = n_sims
        self.quality_sheet = quality_sheet
        self.context = context if context is not None else prepare(data)
        self.engine = KpiEngine(data, as_of, dictionary)
        self.book = target_book(data, dictionary)
        self.month = Period.containing(MONTH, as_of)
        self.team_of = rep_team_of(data)  # the one roster: a cockpit without a Reps sheet still lists its reps
        self.scope = self._scope(view, who)
        self.L = _Layout()
        self._alert_cache: list[Alert] | None = None

    # ------------------------------------------------------------------ scope
    def _scope(self, view: str, who: str | None) -> Scope:
        teams = sorted(set(self.team_of.values()))
        if view == "direction":
            return Scope.company()
        if view == "rep":
            reps = sorted(self.team_of)
            if not who:
                raise UsageError("la vue Commercial demande un nom : --rep NOM "
                                 f"(commerciaux : {', '.join(reps)}).")
            if who not in self.team_of:
                raise UsageError(f"commercial « {who} » inconnu : choisissez parmi {', '.join(reps)}.")
            return Scope.rep(who)
        if who:
            if who not in teams:
                raise UsageError(f"équipe « {who} » inconnue : choisissez parmi {', '.join(teams)}.")
            return Scope.team(who)
        return Scope.company()  # a manager of the whole company: every rep

    def _reps_in_scope(self) -> list[str]:
        if self.scope.level == REP:
            return [self.scope.name]
        if self.scope.level == TEAM:
            return sorted(r for r, t in self.team_of.items() if t == self.scope.name)
        return sorted(self.team_of)

    # ------------------------------------------------------------------ targets
    def _target_formula(self, metric: str, level: str, name: str) -> str | None:
        """A formula that sums the Targets rows the target of this scope is made of, or None.

        Which rows make the target (the scope's own row, else its reps' or teams'
        rows: kpicore.metrics.targets) is decided at refresh; the values stay live.
        """
        if self.targets_at is None:
            return None
        month_key = (self.month.start.year, self.month.start.month)
        sources = self.book.month_sources(metric, level, name, month_key)
        if not sources:
            return None
        t = self.targets_at
        period = self.month.code
        metric_ids = [m for m in self.book.metric_spellings(metric)]
        terms = []
        for src_level, src_name in sources:
            for m in metric_ids:
                crit = [t.col(t.period), _q(period), t.col(t.scope_type), _q(src_level), t.col(t.metric), _q(m)]
                if src_level != COMPANY:
                    crit += [t.col(t.scope_name), _q(src_name)]
                terms.append(f"SUMIFS({t.col(t.value)},{','.join(crit)})")
        return "=" + "+".join(terms)

    # ------------------------------------------------------------------ blocks
    def header(self) -> int:
        d = self.data
        company = d.setting("company") or d.setting("entreprise") or d.setting("company_name") or Scope.company()
        scope = {"manager": self.scope, "direction": Message.of("cockpit.whole_company"),
                 "rep": self.scope.name}[self.view]
        subtitle = Message.of("cockpit.subtitle", period=self.month, week=self.as_of.isocalendar()[1], scope=scope,
                              as_of=self.as_of, refreshed=self.refreshed_at.date(),
                              time=f"{self.refreshed_at:%H:%M}")
        badge = d.quality.badge()
        badge_style = "badge_ok" if not d.quality.errors else "badge_warn"
        # the badge leads to the data-quality sheet when the workbook has one
        badge_formula = (TextFormula(f'=HYPERLINK({_q("#" + chr(39) + self.quality_sheet + chr(39) + "!A1")},{{0}})',
                                     (badge,)) if self.quality_sheet else None)
        row0 = [Cell(Message.of("cockpit.title", company=company), "title")] + [Cell(None, "title")] * 7 + \
               [Cell(Message.of("cockpit.view_caption"), "label"), Cell(view_label(self.view), "input"),
                Cell(badge, badge_style, formula=badge_formula), Cell(None, badge_style)]
        row1 = [Cell(subtitle, "subtitle")] + [Cell(None, "subtitle")] * (NCOLS - 1)
        self.L.block("header", 0, 0, [row0, row1], merges=((0, 0, 0, 7), (1, 0, 1, 11), (0, 10, 0, 11)))
        self.L.row_heights[0] = 26
        return 3

    def tiles(self, top: int) -> int:
        values = {v.kpi: v for v in self.engine.values(self.month, self.scope, kpis=TILE_KPIS)}
        cells: list[list[Cell]] = [[], [], [], [], [], []]
        merges = []
        for i, kpi in enumerate(TILE_KPIS):
            v: KpiValue = values[kpi]
            c = 2 * i
            style = STYLE_OF_UNIT.get(v.unit, "number")
            value_ref, target_ref = a1(top + 1, c), a1(top + 2, c + 1)
            # the on-target rule of kpicore.metrics.targets (target_status) as live formulas:
            # against the target due (target cell × share due), near within the tolerance
            share = self.book.due_share(kpi, self.month, self.as_of)
            up = self.book.higher_is_better(kpi)
            near = 1 - self.book.tolerance(kpi) if up else 1 + self.book.tolerance(kpi)
            pace = f"{target_ref}*{share:.6f}" if share != 1 else target_ref
            label = Message.of(f"cockpit.tile.{kpi}")
            cells[0] += [Cell(label, "label"), Cell(None, "label")]
            merges.append((top, c, top, c + 1))
            good = f"{value_ref}>={pace}" if up else f"{value_ref}<={pace}"
            warn = f"{value_ref}>={pace}*{near:g}" if up else f"{value_ref}<={pace}*{near:g}"
            status = (f'=IF(OR({value_ref}="",{target_ref}=""),"",IF({good},"{SIGN_GOOD}",'
                      f'IF({warn},"{SIGN_WARN}","{SIGN_BAD}")))')
            cells[1] += [Cell(v.value, style + "_big" if style in ("money", "number", "percent") else "number_big"),
                         Cell(None, "status", formula=status)]
            target_formula = self._target_formula(kpi, self.scope.level, self.scope.key[1])
            target_word = "cockpit.tile.month_target" if kpi == "revenue_won" else "cockpit.tile.target"
            cells[2] += [Cell(Message.of(target_word), "muted"), Cell(v.target, style, formula=target_formula)]
            cells[3] += [Cell(Message.of("cockpit.tile.gap"), "muted"),
                         Cell(v.gap, style, formula=f'=IF(OR({value_ref}="",{target_ref}=""),"",'
                                                     f'{value_ref}-{target_ref})')]
            cells[4] += [Cell(_trend_text(v, self.month.previous()), "muted"), Cell(None, "muted")]
            cells[5] += [Cell(None, "text"), Cell(None, "text")]
            merges += [(top + 4, c, top + 4, c + 1), (top + 5, c, top + 5, c + 1)]
            # status colours: on the value and the sign, by formula against the live target
            rng = a1_range(top + 1, c, top + 1, c + 1)
            anchor = a1(top + 1, c, absolute=False).replace(col_letter(c), "$" + col_letter(c))
            target_abs = a1(top + 2, c + 1, absolute=True)
            pace_abs = f"{target_abs}*{share:.6f}" if share != 1 else target_abs
            blank = f'OR({anchor}="",{target_abs}="")'
            g = f"{anchor}>={pace_abs}" if up else f"{anchor}<={pace_abs}"
            w = f"{anchor}>={pace_abs}*{near:g}" if up else f"{anchor}<={pace_abs}*{near:g}"
            self.L.rules += [
                ConditionalRule(rng, "formula", formula=f"=AND(NOT({blank}),{g})", style="good", stop_if_true=True),
                ConditionalRule(rng, "formula", formula=f"=AND(NOT({blank}),{w})", style="warn", stop_if_true=True),
                ConditionalRule(rng, "formula", formula=f"=AND(NOT({blank}),NOT({w}))", style="bad"),
            ]
            # the trend, in hidden columns, drawn by a sparkline under the tile
            trend = [_num(val) for _, val in v.trend]
            if trend:
                self.L.block(f"trend_{kpi}", top + i, TREND_COL, [[Cell(x, "number") for x in trend]])
                self.L.sparklines.append(Sparkline(a1(top + 5, c),
                                                   a1_range(top + i, TREND_COL, top + i, TREND_COL + len(trend) - 1)))
        self.L.block("tiles", top, 0, cells, merges=tuple(merges))
        self.L.row_heights[top + 1] = 24
        self.L.row_heights[top + 5] = 22
        return top + 7

    def forecast(self, top: int) -> int:
        scopes = [self.scope.key] + ([(REP, r) for r in self._reps_in_scope()] if self.view == "manager" else []) \
            + ([(TEAM, t) for t in sorted(set(self.team_of.values()))] if self.view == "direction" else [])
        fcs = forecast_all(self.data, self.month, self.as_of, scopes_=scopes, n_sims=self.n_sims,
                           context=self.context)
        self.forecasts = {fc.scope: fc for fc in fcs}
        fc = self.forecasts[self.scope.key]
        coverage = self.engine.values(self.month, self.scope, kpis=("coverage",), with_trend=False)[0].value
        said = _said("cockpit.forecast.won_to_date", "cockpit.forecast.month_end", "cockpit.forecast.range",
                     "cockpit.tile.month_target", "cockpit.forecast.coverage", "cockpit.forecast.probability")
        rows = [
            [Cell(Message.of("cockpit.forecast.title", period=self.month), "text_bold")]
            + [Cell(None, "text_bold")] * 4,
            [Cell(said[0], "text"), None, Cell(fc.won_to_date, "money")],
            [Cell(said[1], "text"), None, Cell(fc.shown, "money_big")],
            [Cell(said[2], "text"), None, Cell(fc.p10, "money"), Cell(fc.p90, "money")],
            [Cell(said[3], "text"), None, Cell(fc.target, "money")],
            [Cell(said[4], "text"), None, Cell(coverage, "percent")],
            [Cell(said[5], "text"), None, Cell(fc.prob_reach_shown, "percent")],
            [Cell(fc.reach_said, "note")] + [Cell(None, "note")] * 4,
        ]
        rows = [[c if c is not None else Cell(None) for c in r] for r in rows]
        merges = tuple((top + i, 0, top + i, 1) for i in range(1, 7)) + ((top, 0, top, 4), (top + 7, 0, top + 7, 4))
        self.L.block("forecast", top, 0, rows, merges=merges)
        method = method_label(fc.method_shown, inline=True) if fc.method_shown in METHODS else fc.method_shown
        note = [[Cell(Message.of("cockpit.forecast.how_to_read"), "text_bold")] + [Cell(None, "text_bold")] * 5,
                [Cell(Message.of("cockpit.forecast.method", method=method), "muted")] + [Cell(None, "muted")] * 5,
                [Cell(fc.method_reason, "note")] + [Cell(None, "note")] * 5,
                [Cell(None, "note")] * 6, [Cell(None, "note")] * 6,
                [Cell(self._range_note(), "muted")] + [Cell(None, "muted")] * 5,
                [Cell(self._backtest_note(), "muted")] + [Cell(None, "muted")] * 5]
        self.L.block("forecast_note", top, 6, note,
                     merges=((top, 6, top, 11), (top + 1, 6, top + 1, 11), (top + 2, 6, top + 4, 11),
                             (top + 5, 6, top + 5, 11), (top + 6, 6, top + 6, 11)))
        return top + len(rows) + 1

    def alerts(self, top: int) -> int:
        """Alerts, most important first, each in full on one row: its sign, what is wrong, the numbers
        behind it and what to do (wrapped; the row heights follow the rendered text); then how many more."""
        found = self._alerts()
        alerts = found[:MAX_ALERTS]
        rows = [[Cell(Message.of("cockpit.alerts.title"), "text_bold")] + [Cell(None, "text_bold")] * (NCOLS - 1)]
        merges = [(top, 0, top, NCOLS - 1)]
        if not alerts:
            rows.append([Cell(Message.of("cockpit.alerts.none"), "muted")] + [Cell(None, "muted")] * (NCOLS - 1))
            merges.append((top + 1, 0, top + 1, NCOLS - 1))
        for k, a in enumerate(alerts):
            r = top + 1 + k
            sign = SIGN_BAD if a.severity == HIGH else SIGN_WARN if a.severity == MEDIUM else "·"
            rows.append([Cell(sign, "status"), Cell(a.title, "wrap_bold"), Cell(None), Cell(None),
                         Cell(a.detail, "note"), Cell(None), Cell(None), Cell(None),
                         Cell(Message.of("cockpit.alerts.action", action=a.action), "wrap_small")]
                        + [Cell(None)] * 3)
            merges += [(r, 1, r, 3), (r, 4, r, 7), (r, 8, r, NCOLS - 1)]
        if len(found) > len(alerts):
            r = top + 1 + len(alerts)
            rows.append([Cell(None)] + [Cell(Message.of("cockpit.alerts.more", n=len(found) - len(alerts)), "muted")]
                        + [Cell(None, "muted")] * (NCOLS - 2))
            merges.append((r, 1, r, NCOLS - 1))
        self.L.block("alerts", top, 0, rows, merges=tuple(merges))
        if alerts:
            sign_rng = a1_range(top + 1, 0, top + len(alerts), 0)
            first = a1(top + 1, 0)
            self.L.rules += [
                ConditionalRule(sign_rng, "formula", formula=f'={first}="{SIGN_BAD}"', style="bad"),
                ConditionalRule(sign_rng, "formula", formula=f'={first}="{SIGN_WARN}"', style="warn"),
            ]
        return top + len(rows) + 1

    def _range_note(self) -> Message:
        """What the P10–P90 range is worth, as measured by the backtest, never as promised."""
        bt = next(iter(self.context.backtests.values()), None)
        coverage = bt.metric(MONTH, "calibrated", "coverage") if bt is not None else float("nan")
        if not np.isfinite(coverage):
            return Message.of("cockpit.range.unmeasured")
        return Message.of("cockpit.range.measured", coverage=coverage, aim=0.8)

    def _backtest_note(self) -> Message | None:
        """When the replay behind the method and the range was computed (it is kept in the workbook and
        replayed once per week of data); nothing when the cockpit was built without one kept."""
        kept = self.context.kept_backtest
        if not isinstance(kept, KeptBacktest):
            return None
        return Message.of("cockpit.backtest.computed", computed=kept.computed_at.date(),
                          time=f"{kept.computed_at:%H:%M}", week=kept.key.week)

    def _all_alerts(self) -> list[Alert]:
        if self._alert_cache is None:
            self._alert_cache = compute_alerts(self.data, self.as_of, self.dictionary, engine=self.engine)
        return self._alert_cache

    def _alerts(self) -> list[Alert]:
        alerts = self._all_alerts()
        if self.view == "rep":
            return [a for a in alerts if a.scope.key == self.scope.key]
        if self.view == "manager" and self.scope.level == TEAM:
            reps = set(self._reps_in_scope())
            return [a for a in alerts if a.scope.key == self.scope.key or (a.scope.level == REP and a.scope.name in reps)]
        return alerts

    def scope_table(self, top: int) -> int:
        if self.view == "rep":
            return self.daily_activity(top)
        table = self.engine.table(self.month)
        if self.view == "direction":
            names = sorted(set(self.team_of.values()))
            level, title, first, second_name = TEAM, "teams", "team", "reps"
        else:
            names = self._reps_in_scope()
            level, title, first, second_name = REP, "reps", "rep", "team"
        header = _said(*(f"cockpit.table.{h}" for h in (
            first, second_name, "meetings", "proposals", "conversion", "deal_size", "cycle", "revenue",
            "revenue_target", "attainment", "projection", "alerts")))
        rows = [[Cell(Message.of(f"cockpit.table.{title}"), "text_bold")] + [Cell(None, "text_bold")] * (NCOLS - 1),
                [Cell(h, "header") for h in header]]
        alert_count: dict[tuple[str, str], int] = {}
        for a in self._all_alerts():
            alert_count[a.scope.key] = alert_count.get(a.scope.key, 0) + 1
        for k, name in enumerate(names):
            key = (level, name)
            r = top + 2 + k
            t = table.loc[key] if key in table.index else None
            get = (lambda col: _num(t[col]) if t is not None and col in t else None)
            target = self.book.value("revenue", self.month, level, name)
            fc = self.forecasts.get(key)
            second = self.team_of.get(name, "") if level == REP else \
                str(sum(1 for t_ in self.team_of.values() if t_ == name))
            rows.append([
                Cell(_short(name, 28), "text"), Cell(_short(second, 18), "muted"),
                Cell(get("qualified_meetings_per_week"), "number"), Cell(get("proposals_per_month"), "number"),
                Cell(get("proposal_conversion"), "percent"), Cell(get("average_deal_size"), "money"),
                Cell(get("sales_cycle_days"), "integer"), Cell(get("revenue_won"), "money"),
                Cell(target, "money", formula=self._target_formula("revenue", level, name)),
                Cell(None, "percent", formula=f'=IFERROR({a1(r, 7)}/{a1(r, 8)},"")'),
                Cell(None if fc is None or not fc.target else fc.p50 / fc.target, "percent"),
                Cell(alert_count.get(key, 0), "integer"),
            ])
        self.L.block("scope_table", top, 0, rows, merges=((top, 0, top, NCOLS - 1),))
        if names:
            body = lambda c: a1_range(top + 2, c, top + 1 + len(names), c)  # noqa: E731
            self.L.rules += [
                ConditionalRule(body(4), "color_scale", higher_is_better=True),
                ConditionalRule(body(7), "data_bar"),
                ConditionalRule(body(9), "icon_set", thresholds=(80.0, 95.0)),
                ConditionalRule(body(10), "color_scale", higher_is_better=True),
                ConditionalRule(body(6), "color_scale", higher_is_better=False),
            ]
        self.L.row_heights[top + 1] = 28
        return top + 2 + len(names) + 1

    def daily_activity(self, top: int) -> int:
        """The rep view: this rep's activity over the last 10 working days."""
        acts = self.data.activities
        acts = acts[(acts["rep"] == self.scope.name)]
        days = [d for d in (self.as_of - timedelta(days=k) for k in range(0, 20)) if d.weekday() < 5][:10][::-1]
        types = ("call", "meeting", "qualified_meeting", "proposal", "follow_up")
        header = _said(*(f"cockpit.activity.{h}" for h in ("day",) + types + ("total",)))
        rows = [[Cell(Message.of("cockpit.activity.title"), "text_bold")] + [Cell(None, "text_bold")] * 6,
                [Cell(h, "header") for h in header]]
        day_of = acts["date"].dt.date
        for d in days:
            counts = [int(((day_of == d) & (acts["type"] == t)).sum()) for t in types]
            rows.append([Cell(d, "date")] + [Cell(n, "integer") for n in counts] + [Cell(sum(counts), "integer")])
        self.L.block("scope_table", top, 0, rows, merges=((top, 0, top, 6),))
        body = a1_range(top + 2, 6, top + 1 + len(days), 6)
        self.L.rules.append(ConditionalRule(body, "data_bar"))
        return top + 2 + len(days) + 1

    def risks(self, top: int) -> int:
        owners = frozenset(self._reps_in_scope()) if self.view != "direction" else None
        fc = self.forecasts.get(self.scope.key)
        probs = fc.calibrated_probabilities if fc is not None else None
        report = deals_at_risk(self.data, self.as_of, owners=owners, probabilities=probs, limit=MAX_RISKS)
        deals = report.deals.head(MAX_RISKS)
        rows = [[Cell(Message.of("cockpit.risks.title"), "text_bold")] + [Cell(None, "text_bold")] * (NCOLS - 1)]
        merges = [(top, 0, top, NCOLS - 1)]
        if deals.empty:
            rows.append([Cell(Message.of("cockpit.risks.none"), "muted")] + [Cell(None, "muted")] * 11)
            merges.append((top + 1, 0, top + 1, NCOLS - 1))
        else:
            rows.append([Cell(None if h is None else Message.of(f"cockpit.risks.{h}"), "header")
                         for h in ("deal", "account", None, "owner", "stage", "amount", "value_at_risk", "close",
                                   "reasons", None, None, None)])
            merges += [(top + 1, 1, top + 1, 2), (top + 1, 8, top + 1, 11)]
            for k, d in enumerate(deals.itertuples(index=False)):
                r = top + 2 + k
                close = d.expected_close_on
                rows.append([
                    Cell(_short(d.deal_id, 14), "text"), Cell(_short(d.account, 34), "text"), Cell(None),
                    Cell(_short(d.owner, 15), "text"), Cell(_short(d.stage, 14), "text"),
                    Cell(_num(d.amount), "money"), Cell(_num(d.value_at_risk), "money"),
                    Cell(None if pd.isna(close) else pd.Timestamp(close).date(), "date"),
                    Cell(d.reasons_message, "muted", cut=REASONS_SHOWN), Cell(None), Cell(None), Cell(None),
                ])
                merges += [(r, 1, r, 2), (r, 8, r, 11)]
        self.L.block("risks", top, 0, rows, merges=tuple(merges))
        return top + len(rows) + 1

    def build(self) -> CockpitSpec:
        row = self.header()
        row = self.tiles(row)
        row = self.forecast(row)
        row = self.alerts(row)
        row = self.scope_table(row)
        row = self.risks(row)
        # 12 printed columns, a spacer, then the hidden trend columns (up to 12 values per tile)
        widths = (17, 12, 11, 11, 11, 12, 11, 12, 12, 11, 11, 9) + (2,) + (8,) * 13
        return CockpitSpec(
            sheet_name=SHEET_NAME, view=self.view, language="", blocks=tuple(self.L.blocks),
            rules=tuple(self.L.rules), sparklines=tuple(self.L.sparklines),
            validations=(ListValidation(a1(*VIEW_CELL), tuple(view_label(v) for v in VIEWS),
                                        Message.of("cockpit.view_prompt"), Message.of("cockpit.view_title"),
                                        Message.of("cockpit.view_error")),),
            column_widths=widths, row_heights=self.L.row_heights,
            hidden_columns=tuple(range(NCOLS, TREND_COL + 12)),
            print_setup=PrintSetup(print_area=a1_range(0, 0, row, NCOLS - 1)),
        )


def build_cockpit(data: PipelineData, as_of: date | str, *, view: str = "manager", who: str | None = None,
                  refreshed_at: datetime | None = None, targets_at: TargetsLocation | None = TargetsLocation(),
                  dictionary: KpiDictionary | None = None, n_sims: int = N_SIMS, context=None,
                  quality_sheet: str | None = None) -> CockpitSpec:
    """The cockpit of ``view`` (manager, direction, rep) as of ``as_of``.

    ``who`` is the team of the manager view (all reps when omitted) or the rep of
    the rep view.  ``targets_at`` says where the Targets table is, for the live
    target formulas (None: targets written as values).  ``refreshed_at`` is
    shown in the header (the caller passes the clock: this module reads none).
    ``context`` is a ``kpicore.forecast.forecasting.prepare(data)`` to share with other forecasts.
    ``quality_sheet`` names the data-quality sheet the header's badge links to.
    The spec's texts are Messages and its ``language`` is empty: ``kpicore.text.sheets.rendered``
    gives it in a language before it is written.
    """
    if view not in VIEWS:
        raise UsageError(f"vue « {view} » inconnue : choisissez parmi {', '.join(VIEWS)}.")
    as_of = to_date(as_of)
    refreshed_at = refreshed_at or datetime.combine(as_of, datetime.min.time())
    return CockpitBuilder(data, as_of, view, who, refreshed_at, targets_at,
                          dictionary_of(data, dictionary), n_sims, context,
                          quality_sheet).build()
