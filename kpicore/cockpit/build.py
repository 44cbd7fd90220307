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
then    alerts, most important first, with the suggested action
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
    a1,
    a1_range,
    col_letter,
)
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.forecast.forecasting import N_SIMS, prepare
from kpicore.forecast.shown import forecast_all
from kpicore.metrics.dictionary import KpiDictionary, dictionary_of
from kpicore.metrics.kpis import KpiEngine, KpiValue
from kpicore.model.roster import Scope
from kpicore.model.periods import MONTH, Period, to_date
from kpicore.forecast.risk import deals_at_risk
from kpicore.metrics.targets import target_book
from kpicore.model.roster import COMPANY, REP, TEAM
from kpicore.text import formats

SHEET_NAME = schema.COCKPIT_SHEET
VIEWS = ("manager", "direction", "rep")
VIEW_LABELS_FR = {"manager": "Manager", "direction": "Direction", "rep": "Commercial"}
VIEW_FROM_LABEL = {v.lower(): k for k, v in VIEW_LABELS_FR.items()} | {k: k for k in VIEWS}

# The view selector cell (J1): the refresh reads it back (precedence: --view, this cell, Settings).
VIEW_CELL = (0, 9)
NCOLS = 12
TREND_COL = 14  # first hidden column holding the tiles' trend values (O onwards)
METHOD_LABELS_FR = {"calibrated": "calibrée sur votre historique (P50)", "run_rate": "rythme des 91 derniers jours",
                    "weighted_declared": "pondérée par les probabilités déclarées"}
TILE_LABELS_FR = {"revenue_won": "CA signé (mois à date)", "qualified_meetings_per_week": "RDV qualifiés / semaine",
                  "proposals_per_month": "Propositions / mois", "proposal_conversion": "Transfo. proposition → cde",
                  "average_deal_size": "Panier moyen", "sales_cycle_days": "Cycle de vente (jours)"}
TILE_KPIS = ("revenue_won", "qualified_meetings_per_week", "proposals_per_month", "proposal_conversion",
             "average_deal_size", "sales_cycle_days")
STYLE_OF_UNIT = {"eur": "money", "fraction": "percent", "per_week": "number", "per_month": "number",
                 "days": "integer", "count": "integer", "ratio": "percent"}
MAX_ALERTS = 7
MAX_RISKS = 8
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


# English labels of the cockpit (Settings: language = en). Exact labels only: period names,
# alert texts and risk reasons come from their engines in French.
LABELS_EN: dict[str, str] = {
    "Affaire": "Deal", "Affaires à risque cette semaine": "Deals at risk this week", "Alertes": "Alerts",
    "Alertes de la semaine et actions": "This week's alerts and actions", "Appels": "Calls",
    "Atteinte à date": "Attainment to date", "Aucune affaire à risque cette semaine.": "No deal at risk this week.",
    "Aucune alerte : rien ne s'écarte des seuils du dictionnaire KPI.":
        "No alert: nothing is beyond the KPI dictionary's thresholds.",
    "CA signé (mois à date)": "Revenue won (month to date)", "CA signé (mois)": "Revenue won (month)",
    "CA signé à date": "Revenue won to date",
    "Choisissez la vue, puis cliquez sur Rafraîchir le cockpit.": "Pick the view, then click Refresh the cockpit.",
    "Client": "Account", "Comment lire la prévision": "How to read the forecast", "Commercial": "Rep",
    "Commerciaux": "Reps", "Couverture du reste à faire": "Coverage of the remaining target",
    "Cycle (j, médiane)": "Cycle (days, median)", "Cycle de vente (jours)": "Sales cycle (days)",
    "Entreprise": "Company", "Fourchette P10 – P90": "P10 – P90 range", "Jour": "Day",
    "Mon activité des 10 derniers jours ouvrés": "My activity over the last 10 working days",
    "Montant": "Amount", "Objectif": "Target", "Objectif CA (mois)": "Revenue target (month)",
    "Objectif du mois": "Month's target", "Panier moyen": "Average deal size",
    "Probabilité d'atteindre l'objectif": "Probability of reaching the target",
    "Projection (P50 / obj.)": "Projection (P50 / target)", "Propositions": "Proposals",
    "Propositions / mois": "Proposals / month", "Prévision de fin de mois": "Month-end forecast",
    "RDV qualifiés": "Qualified meetings", "RDV qualifiés / sem.": "Qualified meetings / wk",
    "RDV qualifiés / semaine": "Qualified meetings / week", "Raisons": "Reasons", "Relances": "Follow-ups",
    "Signature prévue": "Expected close", "Total": "Total", "Toute l'entreprise": "Whole company",
    "Transfo. prop. → cde": "Proposal → order", "Transfo. proposition → cde": "Proposal → order conversion",
    "Valeur à risque": "Value at risk", "Vue :": "View:", "Écart": "Gap", "Équipe": "Team", "Équipes": "Teams",
    "Étape": "Stage",
}


def translate(spec: CockpitSpec, labels: dict[str, str]) -> CockpitSpec:
    """The spec with every cell whose text is a known label replaced by its translation."""
    from dataclasses import replace

    def cell(c: Cell) -> Cell:
        return replace(c, value=labels[c.value]) if isinstance(c.value, str) and c.value in labels else c

    blocks = tuple(replace(b, cells=tuple(tuple(cell(c) for c in row) for row in b.cells)) for b in spec.blocks)
    return replace(spec, blocks=blocks, language="en")


def _q(text: str) -> str:
    """A string literal for a formula (client text stays inside the quotes)."""
    return '"' + str(text).replace('"', '""') + '"'


def resolve_view(cli_view: str | None, cell_view: str | None, settings_view: str | None) -> str:
    """Precedence: the command line, then the cockpit's selector cell, then Settings, then manager."""
    for candidate in (cli_view, cell_view, settings_view):
        if candidate and str(candidate).strip():
            view = VIEW_FROM_LABEL.get(str(candidate).strip().lower())
            if view is None:
                raise UsageError(f"vue « {candidate} » inconnue : choisissez parmi "
                                 f"{', '.join(VIEW_LABELS_FR.values())}.")
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
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _trend_text(v: KpiValue, previous: Period) -> str:
    """The change against the previous period, as a sign and a percentage (survives a B&W print)."""
    if v.kpi == "revenue_won":  # a month in progress against a whole month: show the level, not a change
        if v.previous is None:
            return ""
        return f"{previous.short_label} : {formats.money(v.previous)}"
    if v.value is None or v.previous is None or v.previous == 0:
        return ""
    change = v.value / v.previous - 1
    sign = "▲" if change > 0.005 else "▼" if change < -0.005 else "="
    return f"{sign} {formats.percent(abs(change))} vs {previous.short_label}"


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
        self.team_of = data.rep_team().to_dict()
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
        company = d.setting("company") or d.setting("entreprise") or d.setting("company_name") or "Entreprise"
        scope_label = {"manager": self.scope.label, "direction": "Toute l'entreprise", "rep": self.scope.name}[self.view]
        week = self.as_of.isocalendar()
        subtitle = (f"{self.month.label} · semaine {week[1]} · {scope_label} · données au "
                    f"{formats.date(self.as_of)} · actualisé le {formats.date(self.refreshed_at)} à "
                    f"{self.refreshed_at:%H:%M}")
        badge = d.quality.badge()
        badge_style = "badge_ok" if not d.quality.errors else "badge_warn"
        # the badge leads to the data-quality sheet when the workbook has one
        badge_formula = (f'=HYPERLINK({_q("#" + chr(39) + self.quality_sheet + chr(39) + "!A1")},{_q(badge)})'
                         if self.quality_sheet else None)
        row0 = [Cell(f"Cockpit commercial · {company}", "title")] + [Cell(None, "title")] * 7 + \
               [Cell("Vue :", "label"), Cell(VIEW_LABELS_FR[self.view], "input"), Cell(badge, badge_style, formula=badge_formula),
                Cell(None, badge_style)]
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
            d = self.dictionary[kpi]
            c = 2 * i
            style = STYLE_OF_UNIT.get(v.unit, "number")
            value_ref, target_ref = a1(top + 1, c), a1(top + 2, c + 1)
            # the on-target rule of kpicore.metrics.targets (target_status) as live formulas:
            # against the target due (target cell × share due), near within the tolerance
            share = self.book.due_share(kpi, self.month, self.as_of)
            up = self.book.higher_is_better(kpi)
            near = 1 - self.book.tolerance(kpi) if up else 1 + self.book.tolerance(kpi)
            pace = f"{target_ref}*{share:.6f}" if share != 1 else target_ref
            label = TILE_LABELS_FR.get(kpi, d.label_fr)
            cells[0] += [Cell(label, "label"), Cell(None, "label")]
            merges.append((top, c, top, c + 1))
            good = f"{value_ref}>={pace}" if up else f"{value_ref}<={pace}"
            warn = f"{value_ref}>={pace}*{near:g}" if up else f"{value_ref}<={pace}*{near:g}"
            status = (f'=IF(OR({value_ref}="",{target_ref}=""),"",IF({good},"{SIGN_GOOD}",'
                      f'IF({warn},"{SIGN_WARN}","{SIGN_BAD}")))')
            cells[1] += [Cell(v.value, style + "_big" if style in ("money", "number", "percent") else "number_big"),
                         Cell(None, "status", formula=status)]
            target_formula = self._target_formula(kpi, self.scope.level, self.scope.key[1])
            cells[2] += [Cell("Objectif du mois" if kpi == "revenue_won" else "Objectif", "muted"),
                         Cell(v.target, style, formula=target_formula)]
            cells[3] += [Cell("Écart", "muted"),
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
        rows = [
            [Cell(f"Prévision · {self.month.label}", "text_bold")] + [Cell(None, "text_bold")] * 4,
            [Cell("CA signé à date", "text"), None, Cell(fc.won_to_date, "money")],
            [Cell("Prévision de fin de mois", "text"), None, Cell(fc.shown, "money_big")],
            [Cell("Fourchette P10 – P90", "text"), None, Cell(fc.p10, "money"), Cell(fc.p90, "money")],
            [Cell("Objectif du mois", "text"), None, Cell(fc.target, "money")],
            [Cell("Couverture du reste à faire", "text"), None, Cell(coverage, "percent")],
            [Cell("Probabilité d'atteindre l'objectif", "text"), None, Cell(fc.prob_reach_target, "percent")],
        ]
        rows = [[c if c is not None else Cell(None) for c in r] for r in rows]
        merges = tuple((top + i, 0, top + i, 1) for i in range(1, 7)) + ((top, 0, top, 4),)
        self.L.block("forecast", top, 0, rows, merges=merges)
        method = METHOD_LABELS_FR.get(fc.method_shown, fc.method_shown)
        note = [[Cell("Comment lire la prévision", "text_bold")] + [Cell(None, "text_bold")] * 5,
                [Cell(f"Méthode affichée : {method}.", "muted")] + [Cell(None, "muted")] * 5,
                [Cell(_short(fc.method_reason, 240), "note")] + [Cell(None, "note")] * 5,
                [Cell(None, "note")] * 6, [Cell(None, "note")] * 6,
                [Cell(self._range_note(), "muted")] + [Cell(None, "muted")] * 5]
        self.L.block("forecast_note", top, 6, note,
                     merges=((top, 6, top, 11), (top + 1, 6, top + 1, 11), (top + 2, 6, top + 4, 11),
                             (top + 5, 6, top + 5, 11)))
        return top + len(rows) + 1

    def alerts(self, top: int) -> int:
        """Alerts, most important first: sign, what is wrong (with the numbers), what to do."""
        alerts = self._alerts()[:MAX_ALERTS]
        rows = [[Cell("Alertes de la semaine et actions", "text_bold")] + [Cell(None, "text_bold")] * (NCOLS - 1)]
        merges = [(top, 0, top, NCOLS - 1)]
        if not alerts:
            rows.append([Cell("Aucune alerte : rien ne s'écarte des seuils du dictionnaire KPI.", "muted")]
                        + [Cell(None, "muted")] * (NCOLS - 1))
            merges.append((top + 1, 0, top + 1, NCOLS - 1))
        for k, a in enumerate(alerts):
            r = top + 1 + k
            sign = SIGN_BAD if a.severity == HIGH else SIGN_WARN if a.severity == MEDIUM else "·"
            rows.append([Cell(sign, "status"), Cell(_short(a.title, 70), "text")] + [Cell(None)] * 4
                        + [Cell(_short(a.action, 75), "muted")] + [Cell(None)] * 5)
            merges += [(r, 1, r, 5), (r, 6, r, NCOLS - 1)]
        self.L.block("alerts", top, 0, rows, merges=tuple(merges))
        if alerts:
            sign_rng = a1_range(top + 1, 0, top + len(alerts), 0)
            first = a1(top + 1, 0)
            self.L.rules += [
                ConditionalRule(sign_rng, "formula", formula=f'={first}="{SIGN_BAD}"', style="bad"),
                ConditionalRule(sign_rng, "formula", formula=f'={first}="{SIGN_WARN}"', style="warn"),
            ]
        return top + len(rows) + 1

    def _range_note(self) -> str:
        """What the P10–P90 range is worth, as measured by the backtest, never as promised."""
        bt = next(iter(self.context.backtests.values()), None)
        coverage = bt.metric(MONTH, "calibrated", "coverage") if bt is not None else float("nan")
        if not np.isfinite(coverage):
            return "P10 – P90 : fourchette simulée ; sa fiabilité sera mesurée quand l'historique le permettra."
        return (f"P10 – P90 : dans le rejeu de votre historique, le mois a fini dans la fourchette "
                f"{formats.percent(coverage)} du temps (visé : {formats.percent(0.8)}).")

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
            level, title, first = TEAM, "Équipes", "Équipe"
        else:
            names = self._reps_in_scope()
            level, title, first = REP, "Commerciaux", "Commercial"
        header = [first, "Équipe" if level == REP else "Commerciaux", "RDV qualifiés / sem.", "Propositions / mois",
                  "Transfo. prop. → cde", "Panier moyen", "Cycle (j, médiane)", "CA signé (mois)",
                  "Objectif CA (mois)", "Atteinte à date", "Projection (P50 / obj.)", "Alertes"]
        rows = [[Cell(title, "text_bold")] + [Cell(None, "text_bold")] * (NCOLS - 1),
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
        types = [("call", "Appels"), ("meeting", "RDV"), ("qualified_meeting", "RDV qualifiés"),
                 ("proposal", "Propositions"), ("follow_up", "Relances")]
        header = ["Jour"] + [label for _, label in types] + ["Total"]
        rows = [[Cell("Mon activité des 10 derniers jours ouvrés", "text_bold")] + [Cell(None, "text_bold")] * 6,
                [Cell(h, "header") for h in header]]
        day_of = acts["date"].dt.date
        for d in days:
            counts = [int(((day_of == d) & (acts["type"] == t)).sum()) for t, _ in types]
            rows.append([Cell(d, "date")] + [Cell(n, "integer") for n in counts] + [Cell(sum(counts), "integer")])
        self.L.block("scope_table", top, 0, rows, merges=((top, 0, top, 6),))
        body = a1_range(top + 2, 6, top + 1 + len(days), 6)
        self.L.rules.append(ConditionalRule(body, "data_bar"))
        return top + 2 + len(days) + 1

    def risks(self, top: int) -> int:
        owners = frozenset(self._reps_in_scope()) if self.view != "direction" else None
        fc = self.forecasts.get(self.scope.key)
        probs = fc.deals.set_index("deal_id")["p_calibrated"] if fc is not None and len(fc.deals) else None
        report = deals_at_risk(self.data, self.as_of, owners=owners, probabilities=probs, limit=MAX_RISKS)
        deals = report.deals.head(MAX_RISKS)
        rows = [[Cell("Affaires à risque cette semaine", "text_bold")] + [Cell(None, "text_bold")] * (NCOLS - 1)]
        merges = [(top, 0, top, NCOLS - 1)]
        if deals.empty:
            rows.append([Cell("Aucune affaire à risque cette semaine.", "muted")] + [Cell(None, "muted")] * 11)
            merges.append((top + 1, 0, top + 1, NCOLS - 1))
        else:
            rows.append([Cell(h, "header") for h in ("Affaire", "Client", None, "Commercial", "Étape", "Montant",
                                                      "Valeur à risque", "Signature prévue", "Raisons", None,
                                                      None, None)])
            merges += [(top + 1, 1, top + 1, 2), (top + 1, 8, top + 1, 11)]
            for k, d in enumerate(deals.itertuples(index=False)):
                r = top + 2 + k
                close = d.expected_close_on
                rows.append([
                    Cell(_short(d.deal_id, 14), "text"), Cell(_short(d.account, 34), "text"), Cell(None),
                    Cell(_short(d.owner, 15), "text"), Cell(_short(d.stage, 14), "text"),
                    Cell(_num(d.amount), "money"), Cell(_num(d.value_at_risk), "money"),
                    Cell(None if pd.isna(close) else pd.Timestamp(close).date(), "date"),
                    Cell(_short(d.reasons_message, 62), "muted"), Cell(None), Cell(None), Cell(None),
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
            sheet_name=SHEET_NAME, view=self.view, language="fr", blocks=tuple(self.L.blocks),
            rules=tuple(self.L.rules), sparklines=tuple(self.L.sparklines),
            validations=(ListValidation(a1(*VIEW_CELL), tuple(VIEW_LABELS_FR.values()),
                                        "Choisissez la vue, puis cliquez sur Rafraîchir le cockpit."),),
            column_widths=widths, row_heights=self.L.row_heights,
            hidden_columns=tuple(range(NCOLS, TREND_COL + 12)),
            print_setup=PrintSetup(print_area=a1_range(0, 0, row, NCOLS - 1)),
        )


def build_cockpit(data: PipelineData, as_of: date | str, *, view: str = "manager", who: str | None = None,
                  refreshed_at: datetime | None = None, targets_at: TargetsLocation | None = TargetsLocation(),
                  dictionary: KpiDictionary | None = None, n_sims: int = N_SIMS, context=None,
                  quality_sheet: str | None = None, language: str | None = None) -> CockpitSpec:
    """The cockpit of ``view`` (manager, direction, rep) as of ``as_of``.

    ``who`` is the team of the manager view (all reps when omitted) or the rep of
    the rep view.  ``targets_at`` says where the Targets table is, for the live
    target formulas (None: targets written as values).  ``refreshed_at`` is
    shown in the header (the caller passes the clock: this module reads none).
    ``context`` is a ``kpicore.forecast.forecasting.prepare(data)`` to share with other forecasts.
    ``quality_sheet`` names the data-quality sheet the header's badge links to.
    ``language`` (default: Settings ``language``, else fr): ``en`` translates the cockpit's own
    labels (``LABELS_EN``); the view selector keeps its French values, which the refresh reads back.
    """
    if view not in VIEWS:
        raise UsageError(f"vue « {view} » inconnue : choisissez parmi {', '.join(VIEWS)}.")
    as_of = to_date(as_of)
    refreshed_at = refreshed_at or datetime.combine(as_of, datetime.min.time())
    spec = CockpitBuilder(data, as_of, view, who, refreshed_at, targets_at,
                          dictionary_of(data, dictionary), n_sims, context,
                          quality_sheet).build()
    language = (language or data.setting("language") or "fr").strip().lower()[:2]
    return translate(spec, LABELS_EN) if language == "en" else spec
