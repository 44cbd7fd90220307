"""The « diagnostic gratuit »: what a prospect's own file lets Pilotage say, as codes and figures.

``diagnose(data)`` looks at what the ingest read (``PipelineData.ingest``) and at the frames, and
says: per table read, the canonical columns found, how (``HOW_*``) and how sure; the tables absent;
which of the five KPIs of the method (``kpicore.metrics.definitions``) and the forecast the data
supports, each with its value over the last full month, and for a missing one the message that
names the column or log that would unlock it; the data quality (rows read, kept, excluded, merged;
errors and warnings, the most frequent problems); and the accuracy of their forecast today: the
declared probabilities (``weighted_declared``) and the run rate replayed on their own history by
``kpicore.forecast.backtest``, beside the calibrated forecast, each as a mean absolute error
(« fiable à ±X % »), or why it cannot be measured yet.

Whole columns only: every test is a vectorised mask or a count over a frame.  No sentence here:
the edges (``ritual_decks.diagnostic``, the CLI) render the ``diagnostic.*`` messages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable
from datetime import date

import numpy as np
import pandas as pd

from kpicore.forecast.asof import data_today
from kpicore.forecast.backtest import Backtest
from kpicore.forecast.forecasting import METHODS
from kpicore.metrics.definitions import DAYS_PER_MONTH
from kpicore.metrics.kpis import compute_kpis, fiscal_start_month_of
from kpicore.model import schema
from kpicore.model.ingest_report import HOW_DERIVED, HOW_SYNONYM, GridReport
from kpicore.model.messages import Message
from kpicore.model.periods import MONTH, Period
from kpicore.model.pipeline_data import PipelineData

# the five KPIs of the method, in the order of DESIGN.md
FIVE_KPIS = ("qualified_meetings_per_week", "proposals_per_month", "proposal_conversion", "average_deal_size",
             "sales_cycle_days")
# the tables a diagnostic speaks of, in this order (the others are product or settings tables)
TABLES = ("Deals", "Activities", "Targets", "Reps", "StageHistory")
# a backtest replays from one year after the first deal, and scores a month once it is over
HISTORY_MONTHS_NEEDED = 13
TOP_PROBLEMS = 3


@dataclass(frozen=True)
class ColumnRead:
    """One canonical column of one table read: the client's header, how it was chosen and how sure."""

    column: str
    header: str  # "" when derived (a deal id from name, account and date)
    how: str  # HOW_*
    confidence: float  # 0..1 (1 for a known header or a setting)
    guess: bool
    required: bool


@dataclass(frozen=True)
class TableRead:
    """One grid read as a canonical table."""

    table: str
    file: str
    sheet: str
    rows: int  # data rows
    kept: int
    excluded: int
    merged: int
    columns: tuple[ColumnRead, ...]
    missing_required: tuple[str, ...]  # required canonical columns not found

    @property
    def found(self) -> int:
        return len(self.columns)

    @property
    def canonical(self) -> int:
        return len(_TABLE[self.table].columns)


@dataclass(frozen=True)
class KpiSupport:
    """One of the five KPIs: whether the data supports it, its value over the month reviewed, and what
    would unlock it when it is not supported."""

    kpi: str
    supported: bool
    value: float | None
    unit: str
    unlock: Message | None = None  # diagnostic.unlock.*


@dataclass(frozen=True)
class Accuracy:
    """How far one forecast method was from what was won, replayed on the company's own months."""

    method: str  # weighted_declared, run_rate, calibrated, blend
    error: float | None  # mean absolute error, fraction of the actual (0.23 = « fiable à ±23 % »)
    within_10: float | None  # share of replayed forecasts within ±10 %
    scored: int  # forecasts scored


@dataclass(frozen=True)
class ProblemCount:
    severity: str
    table: str
    problem: Message | str
    count: int


@dataclass(frozen=True)
class Diagnostic:
    source: str
    as_of: date
    period: Period  # the last full month: the KPIs' month
    tables: tuple[TableRead, ...]
    absent: tuple[str, ...]  # tables of TABLES the files do not hold
    kpis: tuple[KpiSupport, ...]
    forecast_supported: bool
    forecast_unlock: Message | None
    rows: int
    kept: int
    excluded: int
    merged: int
    errors: int
    warnings: int
    problems: tuple[ProblemCount, ...]
    accuracy: tuple[Accuracy, ...]  # empty when it cannot be measured
    accuracy_reason: Message | None  # why it cannot be measured (diagnostic.accuracy.*), else None
    history_months: float  # months from the first deal created to the date of the data
    declared_probabilities: bool  # the file holds a probability per deal (else the stages' defaults)
    deals: int
    won: int
    open: int
    # the method the replay ranks best for months, the one the cockpit would show (None: not measured)
    shown_method: str | None = None

    @property
    def recognised(self) -> int:
        """Canonical columns found, over the tables read (a table read from two grids counts once)."""
        return sum(len(cols) for cols in self._by_table().values())

    @property
    def canonical(self) -> int:
        return sum(len(_TABLE[t].columns) for t in self._by_table())

    @property
    def recognised_share(self) -> float | None:
        return self.recognised / self.canonical if self.canonical else None

    @property
    def guesses(self) -> int:
        return sum(c.guess for t in self.tables for c in t.columns)

    @property
    def supported(self) -> int:
        return sum(k.supported for k in self.kpis)

    def kpi(self, kpi: str) -> KpiSupport:
        return next(k for k in self.kpis if k.kpi == kpi)

    def method(self, method: str) -> Accuracy | None:
        return next((a for a in self.accuracy if a.method == method), None)

    def _by_table(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for t in self.tables:
            out.setdefault(t.table, set()).update(c.column for c in t.columns)
        return out


_TABLE = dict(schema.TABLES)


# ------------------------------------------------------------------------------------------ recognition
def _columns_of(grid: GridReport) -> tuple[ColumnRead, ...]:
    """The canonical columns a grid gave, from its choices (recognition by evidence) or, before them,
    from its header mapping (a known header or a Settings key: sure)."""
    table = _TABLE.get(grid.table or "")
    if table is None:
        return ()
    canonical = set(table.column_names)
    required = set(table.required)
    out: list[ColumnRead] = []
    if grid.choices:
        for c in grid.choices:
            if c.column not in canonical:
                continue
            if c.chosen is None and c.how != HOW_DERIVED:
                continue
            header = c.chosen.header if c.chosen is not None else ""
            confidence = float(c.chosen.confidence) if c.chosen is not None else 1.0
            out.append(ColumnRead(c.column, header, c.how, confidence, c.guess, c.column in required))
        return tuple(out)
    seen: set[str] = set()
    for m in grid.columns:
        name = getattr(m, "column", None)
        if name in canonical and name not in seen:
            seen.add(name)
            out.append(ColumnRead(name, m.header, m.how or HOW_SYNONYM, 1.0, False, name in required))
    return tuple(out)


def _tables_read(data: PipelineData) -> tuple[TableRead, ...]:
    if data.ingest is None:
        return ()
    out = []
    for g in data.ingest.read:
        if g.table not in TABLES:
            continue
        cols = _columns_of(g)
        found = {c.column for c in cols}
        missing = tuple(c for c in _TABLE[g.table].required if c not in found)
        out.append(TableRead(g.table, g.file, g.sheet, len(g.data_rows), len(g.kept), len(g.excluded),
                             len(g.merged), cols, missing))
    return tuple(out)


# ------------------------------------------------------------------------------------------ the five KPIs
def _count(mask: pd.Series) -> int:
    return int(mask.fillna(False).astype(bool).sum())


def _support(data: PipelineData) -> dict[str, Message | None]:
    """For each of the five KPIs: None when the data supports it, else the message naming what would
    unlock it."""
    deals, acts = data.deals, data.activities
    has_log = len(acts) > 0
    types = acts["type"] if has_log else pd.Series(dtype="string")
    qualified = _count(types == "qualified_meeting")
    proposal_acts = _count(types == "proposal")
    proposal_dates = _count(deals["proposal_on"].notna())
    # conversion follows deals: a proposal counts for it through the deal's date or a logged proposal naming it
    logged = acts.loc[(types == "proposal").fillna(False), "deal_id"].dropna().unique() if has_log else []
    linked = _count(deals["proposal_on"].notna() | deals["deal_id"].isin(list(logged)))
    won = deals["status"] == "won"
    decided = deals["status"].isin(["won", "lost"])
    closed_dated = deals["closed_on"].notna()
    won_dated = _count(won & closed_dated)
    won_amount = _count(won & closed_dated & deals["amount"].notna())
    won_cycle = _count(won & closed_dated & deals["created_on"].notna())
    decided_dated = _count(decided & closed_dated)

    def unlock(code: str, **figures) -> Message:
        return Message.of(f"diagnostic.unlock.{code}", **figures)

    out: dict[str, Message | None] = {}
    if qualified:
        out["qualified_meetings_per_week"] = None
    elif has_log:
        out["qualified_meetings_per_week"] = unlock("qualified_type", activities=len(acts))
    else:
        out["qualified_meetings_per_week"] = unlock("activity_log")
    proposals = proposal_acts + proposal_dates > 0
    out["proposals_per_month"] = None if proposals else unlock("proposal")
    if not proposals:
        out["proposal_conversion"] = unlock("proposal")
    elif not linked:
        out["proposal_conversion"] = unlock("proposal_link")
    elif not decided_dated:
        out["proposal_conversion"] = unlock("decided")
    else:
        out["proposal_conversion"] = None
    if not won_dated:
        out["average_deal_size"] = unlock("won")
        out["sales_cycle_days"] = unlock("won")
    else:
        out["average_deal_size"] = None if won_amount else unlock("amount")
        out["sales_cycle_days"] = None if won_cycle else unlock("created")
    return out


def _forecast_support(data: PipelineData) -> Message | None:
    deals = data.deals
    if not _count((deals["status"] == "open") & deals["amount"].notna()):
        return Message.of("diagnostic.unlock.open_deals")
    if not _count((deals["status"] == "won") & deals["closed_on"].notna()):
        return Message.of("diagnostic.unlock.won")
    return None


# ------------------------------------------------------------------------------------------ accuracy
def _accuracy(data: PipelineData, as_of: date, history_months: float,
              kept: Backtest | None) -> tuple[tuple[Accuracy, ...], Message | None, str | None]:
    """Each method's measured accuracy over the replayed months, why there is none, and the method the
    replay ranks best for months."""
    from kpicore.forecast.backtest import backtest

    if history_months < HISTORY_MONTHS_NEEDED:
        return (), Message.of("diagnostic.accuracy.short_history", months=history_months,
                              needed=HISTORY_MONTHS_NEEDED), None
    # the months of the week's replay kept in the workbook are the months a replay of months alone gives
    bt = kept.up_to(as_of) if kept is not None else backtest(data, end=as_of, granularities=(MONTH,))
    summary = bt.summary[bt.summary["granularity"] == MONTH]
    out = []
    for method in ("weighted_declared", "run_rate", "calibrated", "blend"):
        s = summary[summary["method"] == method]
        if method not in METHODS or s.empty or not int(s["n_scored"].iloc[0]):
            continue
        row = s.iloc[0]
        out.append(Accuracy(method, _finite(row["mape"]), _finite(row["within_10"]), int(row["n_scored"])))
    if not out:
        return (), Message.of("diagnostic.accuracy.nothing_won", months=history_months), None
    return tuple(out), None, bt.method_for(MONTH)[0]


def _finite(x) -> float | None:
    return None if x is None or pd.isna(x) or not np.isfinite(float(x)) else float(x)


# ------------------------------------------------------------------------------------------ the whole
def diagnose(data: PipelineData, as_of: date | None = None, *, accuracy: bool = True,
             kept_backtest: Backtest | None = None) -> Diagnostic:
    """What ``data`` (read from a prospect's files) lets Pilotage say (module docstring).

    ``as_of``: default, the date of the data; the KPIs are those of the last month over on it.
    ``accuracy=False`` skips the replay (the accuracy is then said not measured).
    ``kept_backtest``: the week's replay kept in the workbook for this data
    (``kpicore.forecast.kept_backtest.reusable``), measured instead of replaying.
    """
    day = as_of or data_today(data).date()
    period = Period.containing(MONTH, day, fiscal_start_month_of(data)).previous()
    tables = _tables_read(data)
    present = {t.table for t in tables} | set(data.present)
    absent = tuple(t for t in TABLES if t not in present)
    unlocks = _support(data)
    values = {k.kpi: k for k in compute_kpis(data, period, day, "company", kpis=FIVE_KPIS)}
    kpis = tuple(KpiSupport(k, unlocks[k] is None, values[k].value if unlocks[k] is None else None,
                            values[k].unit, unlocks[k]) for k in FIVE_KPIS)
    issues = data.quality.issues
    # grouped by problem (a message's code): one line per kind of problem, its first occurrence shown
    keys = [(i.severity, i.table, i.problem.code if isinstance(i.problem, Message) else str(i.problem))
            for i in issues]
    counted = Counter(keys)
    first_of: dict[tuple, Message | str] = {}
    for key, issue in zip(keys, issues):
        first_of.setdefault(key, issue.problem)
    problems = tuple(ProblemCount(key[0], key[1], first_of[key], n)
                     for key, n in sorted(counted.items(), key=lambda kv: (kv[0][0] != "error", -kv[1]))
                     [:TOP_PROBLEMS])
    deals = data.deals
    first = deals["created_on"].min()
    history = 0.0 if pd.isna(first) else max(0.0, (pd.Timestamp(day) - first).days / DAYS_PER_MONTH)
    if accuracy:
        measured, reason, shown = _accuracy(data, day, history, kept_backtest)
    else:
        measured, reason, shown = (), Message.of("diagnostic.accuracy.not_replayed"), None
    return Diagnostic(
        source=data.source, as_of=day, period=period, tables=tables, absent=absent, kpis=kpis,
        forecast_supported=_forecast_support(data) is None, forecast_unlock=_forecast_support(data),
        rows=sum(t.rows for t in tables), kept=sum(t.kept for t in tables),
        excluded=sum(t.excluded for t in tables), merged=sum(t.merged for t in tables),
        errors=len(data.quality.errors), warnings=len(data.quality.warnings), problems=problems,
        accuracy=measured, accuracy_reason=reason, history_months=round(history, 1),
        declared_probabilities=_count(deals["probability"].notna()) > 0,
        deals=len(deals), won=_count(deals["status"] == "won"), open=_count(deals["status"] == "open"),
        shown_method=shown)


# the catalogue's word for each way a column was chosen (diagnostic.how.<word>)
HOW_WORDS = {"correspondances": "person", "paramètre": "setting", "synonyme": "synonym", "indices": "evidence",
             "dérivé": "derived"}


def how_message(column: ColumnRead) -> Message:
    """How a column was chosen, as the diagnostic says it (« en-tête connu », « déduit (72 % sûr) »)."""
    return Message.of(f"diagnostic.how.{HOW_WORDS.get(column.how, 'synonym')}", confidence=column.confidence)


# ------------------------------------------------------------------------------------------ JSON
def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


def diagnostic_json(dg: Diagnostic, *, text: Callable[[Message | str | None], str]) -> dict:
    """The diagnostic as a document valid against ``kpicore/model/json_schemas/diagnostic.v1.json``.

    ``text`` renders a message in the reader's language (the edge gives it); figures are raw
    (fractions, euros, days), rounded to four decimals, the very ones the deck and the sheet show.
    """
    from kpicore.model.json_schemas import envelope

    return {
        **envelope("diagnostic", dg.source, dg.as_of),
        "period": {"code": dg.period.code, "label": text(Message.of("diagnostic.head.value", period=dg.period))},
        "recognition": {
            "recognised": dg.recognised, "canonical": dg.canonical, "share": _round(dg.recognised_share),
            "guesses": dg.guesses,
            "tables": [{
                "table": t.table, "file": t.file, "sheet": t.sheet, "rows": t.rows, "kept": t.kept,
                "excluded": t.excluded, "merged": t.merged, "found": t.found, "canonical": t.canonical,
                "missing_required": list(t.missing_required),
                "columns": [{"column": c.column, "header": c.header, "how": c.how,
                             "confidence": _round(c.confidence), "guess": c.guess, "required": c.required,
                             "how_text": text(how_message(c))} for c in t.columns],
            } for t in dg.tables],
            "absent": list(dg.absent),
        },
        "kpis": [{"kpi": k.kpi, "label": text(Message.of(f"diagnostic.kpi.{k.kpi}")), "supported": k.supported,
                  "value": _round(k.value), "unit": k.unit, "unlock": text(k.unlock) if k.unlock else None}
                 for k in dg.kpis],
        "supported": dg.supported,
        "forecast": {"supported": dg.forecast_supported,
                     "unlock": text(dg.forecast_unlock) if dg.forecast_unlock else None},
        "quality": {"rows": dg.rows, "kept": dg.kept, "excluded": dg.excluded, "merged": dg.merged,
                    "errors": dg.errors, "warnings": dg.warnings,
                    "problems": [{"severity": p.severity, "table": p.table, "problem": text(p.problem),
                                  "count": p.count} for p in dg.problems]},
        "accuracy": {
            "measurable": bool(dg.accuracy), "reason": text(dg.accuracy_reason) if dg.accuracy_reason else None,
            "history_months": dg.history_months, "months_needed": HISTORY_MONTHS_NEEDED,
            "declared_probabilities": dg.declared_probabilities,
            "methods": [{"method": a.method, "label": text(Message.of(f"diagnostic.method.{a.method}")),
                         "error": _round(a.error), "within_10": _round(a.within_10), "scored": a.scored}
                        for a in dg.accuracy],
            "shown_method": dg.shown_method,
        },
        "deals": {"count": dg.deals, "won": dg.won, "open": dg.open},
    }
