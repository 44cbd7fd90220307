"""The forecast of revenue won in a period, per rep, team and company (DESIGN.md, "The forecast").

For a period (month, quarter, ...) and an as-of date, with the pipeline as it
stood that day (``kpicore.forecast.asof``):

- ``won_to_date``: won in the period up to as_of included;
- ``weighted_declared``: Σ amount × declared probability (the deal's, else its
  stage default) over the deals open at as_of whose expected close date falls
  in the period (DESIGN.md: "closing in the period"; a date passed within the
  period still counts, deals expected in an earlier period or undated do not):
  the reps' optimism, shown for comparison;
- ``calibrated``: Σ amount × P(won before the period end), the probability
  learned from the company's history (``kpicore.forecast.calibration``), over every
  deal open at as_of (the time to event already carries the timing), scaled
  by the closing season of the window when two years of history allow it
  (``calibration.closing_season``);
- ``new_deals``: expected wins from deals created after as_of;
- ``run_rate``: won to date + won amount of the trailing 91 days ÷ 91 × days left;
- Monte Carlo (seeded, vectorised): a Bernoulli draw per open deal with its
  calibrated probability, plus a Poisson number of new deals won, each with a
  size drawn from the won deals of the history, both scaled draw by draw by
  the uncertainty of their estimates (``simulate``); P10 / P50 / P90 of the
  period total (won to date included, ``simulated_range``) and P(total ≥ target).  Each rep is
  simulated once; a team and the company are the sums of their reps' draws,
  so every figure adds up from rep to company;
- ``commit`` / ``best_case`` / ``pipeline``: cumulative totals by forecast
  category (Salesforce style: best case includes commit) when the deals carry
  one, won to date included.

``weighted_declared``, ``calibrated`` and ``new_deals`` exclude what is won to
date; ``run_rate``, ``p10``, ``p50``, ``p90``, ``commit``... are whole-period totals.

``method_shown`` is the method the backtest ranks best on the company's own
history (``kpicore.forecast.backtest``) for periods of that length (months for a month,
quarters otherwise): the ``run_rate`` or the ``blend`` of the calibrated figure and the run rate with
the weight ``blend_weight`` learned out of sample (``kpicore.forecast.blend``).  The calibrated figure
is ``least_error``, the point of the draws with the least expected percentage error (the error the
backtest scores, ``kpicore.forecast.quantiles``), not P50; it and ``weighted_declared`` (won to date +
weighted declared) are shown beside them for comparison.  That choice and the range widened by the
measured errors are ``kpicore.forecast.shown``'s: this module forecasts from a pipeline and never reads
the backtest.
"""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from kpicore.forecast.asof import AsOfPipeline, data_today, to_day
from kpicore.forecast.blend import BLEND, PRIOR_WEIGHT, mix
from kpicore.forecast.calibration import (History, NewDealFlow, build_history, closing_season, new_deal_flow,
                                 win_probability)
from kpicore.forecast.quantiles import least_error_point
from kpicore.forecast.reach import ReachReliability, reach_said, shown_probability
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.model.messages import Message
from kpicore.model.json_schemas import envelope, scope_json
from kpicore.metrics.kpis import fiscal_start_month_of
from kpicore.model.roster import rep_team_of
from kpicore.model.periods import Period, parse_period
from kpicore.metrics.targets import TargetBook, target_book

# the blend last: a replay writes its rows after the others' (kpicore.forecast.blend)
METHODS = ("calibrated", "run_rate", "weighted_declared", BLEND)
# the draws of every path (cockpit, refresh, decks, cell functions, scheduled run, pilotage
# forecast), with seed 0: the same draws everywhere, so the same numbers
N_SIMS = 2_000
RUN_RATE_DAYS = 91
# cells of the Bernoulli matrix drawn at once (bounds memory to ~32 MB of float64)
_CHUNK_CELLS = 4_000_000

_CATEGORIES = {
    "commit": "commit", "engage": "commit", "engagement": "commit", "ferme": "commit", "closed": "commit",
    "best case": "best_case", "best_case": "best_case", "bestcase": "best_case", "meilleur cas": "best_case",
    "probable": "best_case", "upside": "best_case",
    "pipeline": "pipeline", "pipe": "pipeline", "possible": "pipeline",
}


@dataclass(frozen=True)
class Forecast:
    """One forecast of revenue won for one scope and period (module docstring for the meanings)."""

    period: str  # period code, e.g. "2026-Q4"
    period_label: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    as_of: pd.Timestamp
    scope: tuple[str, str]  # ("company", ""), ("team", name) or ("rep", name)
    won_to_date: float
    weighted_declared: float
    calibrated: float
    new_deals: float
    run_rate: float
    p10: float
    p50: float
    p90: float
    target: float | None
    prob_reach_target: float | None
    method_shown: str
    shown: float  # the whole-period value of method_shown
    method_reason: Message | None = None  # why method_shown (forecast.reason.*), rendered by the edges
    commit: float | None = None
    best_case: float | None = None
    pipeline: float | None = None
    n_open: int = 0
    n_sims: int = N_SIMS
    # mean and variance of what the simulation wins after as_of, before any period factor: what
    # ``kpicore.forecast.dispersion`` compares with the actuals of past periods
    future_mean: float = 0.0
    future_var: float = 0.0
    fields_from_today: tuple[str, ...] = ()
    notes: tuple[Message, ...] = ()  # what the reader should know (forecast.note.*), rendered by the edges
    # how far prob_reach_target can be trusted, as the company's replay scored it (None: not measured)
    reach: ReachReliability | None = None
    # the calibrated forecast's weight in the blend, as the replay learned it up to as_of (kpicore.forecast.blend)
    blend_weight: float = PRIOR_WEIGHT
    # the calibrated method's figure: the point of the simulated totals of least expected percentage
    # error (kpicore.forecast.quantiles), below P50 when the period may win little; NaN: P50
    least_error: float = float("nan")
    # one row per open deal: deal_id, owner, stage, amount, expected_close_on, p_declared, p_calibrated
    deals: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    @property
    def calibrated_probabilities(self) -> pd.Series | None:
        """deal_id -> the calibrated probability of each open deal (what values the deals at risk), None
        without an open deal."""
        return self.deals.set_index("deal_id")["p_calibrated"] if len(self.deals) else None

    @property
    def prob_reach_shown(self) -> float | None:
        """P(reach target) as every edge shows it: none when the replay found it no better than the
        share of past periods that reached their target (``kpicore.forecast.reach``)."""
        return shown_probability(self.prob_reach_target, self.reach)

    @property
    def reach_said(self) -> Message | None:
        """What is said beside that probability: how often it came true, or why it is not shown."""
        return reach_said(self.reach)

    @property
    def calibrated_point(self) -> float:
        """The calibrated method's whole-period figure: the least-error point of its draws, else P50."""
        return self.p50 if np.isnan(self.least_error) else self.least_error

    def point(self, method: str) -> float:
        """Whole-period value of a method (won to date included)."""
        if method == "calibrated":
            return self.calibrated_point
        if method == "run_rate":
            return self.run_rate
        if method == "weighted_declared":
            return self.won_to_date + self.weighted_declared
        if method == BLEND:
            return float(mix(self.calibrated_point, self.run_rate, self.blend_weight))
        raise UsageError(f"méthode « {method} » inconnue : choisissez parmi {', '.join(METHODS)}.")


def resolve_period(period: str | Period, as_of, data: PipelineData | None = None) -> Period:
    """A ``Period`` from a code (``2026-11``, ``2026-Q4``, ``FY2026``...) or a relative word (``mois``,
    ``quarter``...: the one containing ``as_of``), read by ``parse_period`` with the fiscal year of ``data``."""
    fsm = fiscal_start_month_of(data) if data is not None else 1
    return parse_period(period, fsm, as_of=None if as_of is None else to_day(as_of))


def _category(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().strip().lower()
    return _CATEGORIES.get(text.replace("-", " "))


def declared_probability(frame: pd.DataFrame, stages: pd.DataFrame) -> np.ndarray:
    """The deal's declared probability, else its stage default, else the median open-stage default."""
    defaults = stages.dropna(subset=["stage"]).set_index("stage")["probability"]
    open_stages = stages[~stages["is_won"].fillna(False) & ~stages["is_lost"].fillna(False)]
    fallback = float(open_stages["probability"].median()) if open_stages["probability"].notna().any() else 0.0
    by_stage = frame["stage"].map(defaults).astype(float)
    p = frame["probability"].astype(float).fillna(by_stage).fillna(fallback)
    return np.clip(p.to_numpy(dtype=float), 0.0, 1.0)


def simulate(amounts: np.ndarray, probs: np.ndarray, flow: NewDealFlow, n_sims: int,
             rng: np.random.Generator, m_win: np.ndarray | None = None) -> np.ndarray:
    """Totals of ``n_sims`` draws: Bernoulli wins of the open deals + the new-deal flow.

    The probabilities and the flow are estimates, not facts: each draw first
    scales them by a common factor m ~ Gamma(n, 1/n) (mean 1, relative spread
    1/sqrt(n)), n being the number of wins the estimate rests on
    (``flow.n_won``); the new-deal flow is scaled again by the uncertainty of
    the creation rate (n = ``flow.n_created``).  Without it the P10-P90 band
    is too narrow when the history is short (seen in the tests: 73 % coverage
    instead of 80 % on one year of history).  ``m_win`` passes the factors in,
    so that the reps of one company share them draw by draw (their calibration
    is the company's).
    """
    totals = np.zeros(n_sims)
    amounts = np.nan_to_num(np.asarray(amounts, float))
    probs = np.asarray(probs, float)
    if m_win is None:
        m_win = rng.gamma(flow.n_won, 1.0 / flow.n_won, n_sims) if flow.n_won > 0 else np.ones(n_sims)
    m_rate = rng.gamma(flow.n_created, 1.0 / flow.n_created, n_sims) if flow.n_created > 0 else np.ones(n_sims)
    chunk = max(1, _CHUNK_CELLS // max(n_sims, 1))
    for i in range(0, len(amounts), chunk):
        p, a = probs[i:i + chunk], amounts[i:i + chunk]
        totals += (rng.random((n_sims, len(p))) < np.minimum(p * m_win[:, None], 1.0)) @ a
    if flow.expected_count > 0 and len(flow.sizes):
        counts = rng.poisson(flow.expected_count * m_win * m_rate)
        picks = flow.sizes[rng.integers(0, len(flow.sizes), counts.sum())]
        totals += np.bincount(np.repeat(np.arange(n_sims), counts), weights=picks, minlength=n_sims)
    return totals


@dataclass(frozen=True)
class ForecastContext:
    data: PipelineData
    today: pd.Timestamp
    history: History
    rep_team: dict[str, str]
    targets: TargetBook
    has_categories: bool = False
    seasonal_closing: bool = True
    # backtests already run with this context, by as-of date: a refresh forecasts the month
    # and the quarter for many scopes, and one backtest ranks the methods for all of them
    backtests: dict = field(default_factory=dict, compare=False, repr=False)
    # the week's replay kept in the workbook (a ``kpicore.forecast.kept_backtest.KeptBacktest``), which
    # serves the backtests above instead of replaying; typed loosely since this module never reads
    # the backtest (pyproject's contract): ``kpicore.forecast.shown.backtest_of`` does
    kept_backtest: object = field(default=None, compare=False, repr=False)


def prepare(data: PipelineData, *, today=None, history: History | None = None,
            seasonal_closing: bool = True) -> ForecastContext:
    """What every forecast of one dataset shares (the weekly history); build once, reuse.

    ``seasonal_closing`` False turns the closing seasonality off (to measure what it brings).
    """
    today = data_today(data) if today is None else to_day(today)
    hist = build_history(data, today=today) if history is None else history
    return ForecastContext(data, today, hist, rep_team_of(data), target_book(data),
                    bool(data.deals["forecast_category"].notna().any()), seasonal_closing)


def _seed_for(seed: int, scope: tuple[str, str], period: Period, as_of: pd.Timestamp) -> np.random.Generator:
    key = f"{scope[0]}|{scope[1]}|{period.code}|{as_of.date()}".encode()
    return np.random.default_rng([int(seed), zlib.crc32(key)])


class PipelineArrays:
    """One as-of pipeline as numpy arrays, with what every scope shares (computed once)."""

    def __init__(self, ctx: ForecastContext, pipe: AsOfPipeline) -> None:
        d = pipe.deals
        self.pipe = pipe
        owner = d["owner"]
        self.owner = owner.astype(object).to_numpy()
        self._no_owner = owner.isna().to_numpy(dtype=bool)
        self._owner_names, self._owner_codes = np.unique(owner.fillna("").astype(str).to_numpy(dtype=object)
                                                         .astype(str), return_inverse=True)
        self._owner_codes = np.where(self._no_owner, len(self._owner_names), self._owner_codes)
        self._code = {str(n): i for i, n in enumerate(self._owner_names)}
        self._sums: dict = {}
        # the blocks scopes are summed from: every owner, and None for deals without one
        self.rep_keys: list[str | None] = [str(o) for o in sorted(owner.dropna().astype(str).unique())]
        if self._no_owner.any():
            self.rep_keys.append(None)
        self.parts: dict = {}
        self._m_win: dict = {}
        status = d["status"].astype(object).to_numpy()
        self.won = status == "won"
        self.closed_on = d["closed_on"].to_numpy("datetime64[ns]")
        self.amount = d["amount"].to_numpy(dtype=float, na_value=0.0)
        self.open_idx = np.flatnonzero(status == "open")
        o = d.iloc[self.open_idx]
        self.open = o
        self.expected = o["expected_close_on"].to_numpy("datetime64[ns]")
        self.p_decl = declared_probability(o, ctx.data.stages)
        # a stage taken from today is not a fact of that date: the model treats it as
        # unknown, as it did when it learned
        self.stage = o["stage"].where(o["stage_known"].astype(bool))
        self.age = (pipe.as_of - o["stage_entered_on"]).dt.days.to_numpy(dtype=float, na_value=0.0)
        self.cats = np.array([_category(v) for v in o["forecast_category"].astype(object)], dtype=object)
        self._p: dict[int, tuple[np.ndarray, bool]] = {}

    def rep_code(self, rep: str | None) -> int:
        return len(self._owner_names) if rep is None else self._code.get(rep, -1)

    def open_rows(self, rep: str | None) -> np.ndarray:
        """Positions, among the open rows, of the open deals of ``rep``."""
        if "rows" not in self._sums:
            codes = self._owner_codes[self.open_idx]
            order = np.argsort(codes, kind="stable")
            cuts = np.searchsorted(codes[order], np.arange(1, len(self._owner_names) + 1))
            self._sums["rows"] = np.split(order, cuts)
        code = self.rep_code(rep)
        return self._sums["rows"][code] if code >= 0 else np.array([], int)

    def won_between(self, rep: str | None, lo: np.datetime64, hi: np.datetime64) -> float:
        """Amount won by ``rep`` with a close date in [lo, hi] (known on as_of)."""
        key = ("won", lo, hi)
        if key not in self._sums:
            m = self.won & (self.closed_on >= lo) & (self.closed_on <= hi)
            self._sums[key] = np.bincount(self._owner_codes[m], weights=self.amount[m],
                                          minlength=len(self._owner_names) + 1)
        code = self.rep_code(rep)
        return float(self._sums[key][code]) if code >= 0 else 0.0

    def m_win(self, ctx: ForecastContext, period: Period, n_sims: int, seed: int) -> np.ndarray:
        """Calibration-uncertainty factors shared by every rep, draw by draw (see ``simulate``)."""
        key = (period.code, n_sims, seed)
        if key not in self._m_win:
            flow = new_deal_flow(ctx.history, self.pipe.as_of, period.end_ts)
            rng = _seed_for(seed, ("calibration", ""), period, self.pipe.as_of)
            n = flow.n_won
            self._m_win[key] = rng.gamma(n, 1.0 / n, n_sims) if n > 0 else np.ones(n_sims)
        return self._m_win[key]

    def win_probability(self, ctx: ForecastContext, h: int) -> tuple[np.ndarray, bool]:
        """Calibrated P(won within h days) of every open deal, and whether history allowed it."""
        if h not in self._p:
            p, model = win_probability(ctx.history, self.pipe.as_of, h, self.stage, self.age,
                                       self.amount[self.open_idx])
            self._p[h] = (p, h <= 0 or model.n_photographs > 0)
        return self._p[h]


@dataclass(frozen=True)
class _Part:
    """The forecast of one rep's deals (the block every scope is summed from)."""

    won_to_date: float
    weighted_declared: float
    calibrated: float
    new_deals: float
    trailing_won: float  # won in the 91 days up to as_of
    categories: tuple[float, float, float]  # commit, best case, pipeline amounts expected in the period
    totals: np.ndarray  # simulated wins after as_of (open + new deals), draw by draw
    rows: np.ndarray  # positions of the rep's open deals in the pipe's open rows
    p_cal: np.ndarray
    p_decl: np.ndarray
    notes: tuple[Message, ...]


def _part(ctx: ForecastContext, pa: PipelineArrays, period: Period, rep: str | None, n_sims: int, seed: int) -> _Part:
    key = (rep, period.code, n_sims, seed)
    if key in pa.parts:
        return pa.parts[key]
    as_of = pa.pipe.as_of
    start, end = period.start_ts, period.end_ts
    lo, hi, now = (np.datetime64(x, "ns") for x in (start, end, as_of))
    won_to_date = pa.won_between(rep, lo, hi)
    trailing = pa.won_between(rep, now - (RUN_RATE_DAYS - 1) * np.timedelta64(1, "D"), now)
    notes: list[Message] = []

    rows = pa.open_rows(rep) if as_of < end else np.array([], int)  # none once the period is over
    amounts = pa.amount[pa.open_idx][rows]
    p_decl = pa.p_decl[rows]
    # "closing in the period" as a CRM shows it: expected in the period (a date already passed
    # within the period still counts; deals expected in an earlier period do not)
    due = (pa.expected[rows] >= lo) & (pa.expected[rows] <= hi)
    weighted_declared = float(np.sum(amounts * p_decl * due))

    window_start = max(as_of, start - pd.Timedelta(days=1))  # wins count from the day after
    h_end = max((end - as_of).days, 0)
    h_start = max((window_start - as_of).days, 0)

    def probs(h: int) -> np.ndarray:
        p, ok = pa.win_probability(ctx, h)
        if not ok:
            notes.append(Message.of("forecast.note.declared_probabilities"))
            return p_decl * due
        return p[rows]

    # wins bunch in some months (year end) and thin out in others (August): with two years
    # of history the window's own season scales what the average season predicts
    season = closing_season(ctx.history, as_of, window_start, end) if ctx.seasonal_closing else 1.0
    p_cal = np.clip((probs(h_end) - (probs(h_start) if h_start > 0 else 0.0)) * season, 0.0, 1.0)

    owners = None if rep is None else frozenset([rep])
    flow = NewDealFlow(0.0, np.array([]))
    if rep is not None and as_of < end:  # deals without an owner have no creation rate of their own
        flow = new_deal_flow(ctx.history, as_of, end, owners)
        mu = flow.expected_count
        if h_start > 0 and mu > 0:
            mu = max(mu - new_deal_flow(ctx.history, as_of, window_start, owners).expected_count, 0.0)
        if mu > 0:
            mu *= season
            flow = NewDealFlow(mu, flow.sizes, mu * float(flow.sizes.mean()), flow.seasonal, flow.n_won,
                               flow.n_created)

    rng = _seed_for(seed, ("rep", rep or ""), period, as_of)
    totals = simulate(amounts, p_cal, flow, n_sims, rng, m_win=pa.m_win(ctx, period, n_sims, seed))
    cats = pa.cats[rows]
    by = tuple(float(amounts[due & (cats == c)].sum()) for c in ("commit", "best_case", "pipeline"))
    part = _Part(won_to_date, weighted_declared, float(np.sum(amounts * p_cal)), flow.expected_value,
                 trailing, by, totals, rows, p_cal, p_decl, tuple(notes))
    pa.parts[key] = part
    return part


def simulated_range(totals: np.ndarray, won_to_date: float) -> tuple[float, float, float]:
    """P10, P50 and P90 of the simulated period totals, the range holding four draws in five.

    A period often adds nothing to what is won (a month of few large deals, the middle of a small
    company's month): the draws then pile up on ``won_to_date``.  When one in ten or more of them
    does, the 10th percentile is ``won_to_date`` itself and [P10, P90] holds those draws and the
    eight tenths above them, nine in ten; the range then runs from ``won_to_date`` to the 80th
    percentile, which holds four in five again (on the replays of ``bench/forecast_replays.py``,
    where up to three periods in four ended on their won to date, the equal-tailed range held the
    actual 87 to 90 % of the time on those processes)."""
    p10, p50, p80, p90 = (float(q) for q in np.quantile(totals, [0.1, 0.5, 0.8, 0.9]))
    if len(totals) and np.mean(totals <= won_to_date) >= 0.1:
        return float(won_to_date), p50, p80
    return p10, p50, p90


def forecast_scope(ctx: ForecastContext, pipe: AsOfPipeline | PipelineArrays, period: Period, scope: tuple[str, str], *,
                    n_sims: int, seed: int, method_shown: str, method_reason: Message | None = None,
                    period_factor: np.ndarray | None = None, blend_weight: float = PRIOR_WEIGHT) -> Forecast:
    """A scope's forecast is the sum of its reps' blocks, draw by draw: the reps, their
    team and the company come from the same simulation and add up.

    ``period_factor``: one factor per draw multiplying what is won after as_of (the fate a
    period's deals share, ``kpicore.forecast.dispersion``); the same draws for every scope of a
    forecast, so that scopes still add up.  ``blend_weight``: the calibrated forecast's weight in the
    blend (``kpicore.forecast.blend``), the same for every scope."""
    pa = pipe if isinstance(pipe, PipelineArrays) else PipelineArrays(ctx, pipe)
    as_of = pa.pipe.as_of
    start, end = period.start_ts, period.end_ts
    kind, name = scope
    if kind == "company":
        reps = pa.rep_keys
    elif kind == "team":
        reps = [r for r in pa.rep_keys if r is not None and ctx.rep_team.get(r) == name]
    elif kind == "rep":
        reps = [name] if name in pa.rep_keys else []
    else:
        raise UsageError(f"niveau « {kind} » inconnu : company, team ou rep.")
    parts = [_part(ctx, pa, period, r, n_sims, seed) for r in reps]

    def total(attr: str) -> float:
        return float(sum(getattr(p, attr) for p in parts))

    won_to_date = total("won_to_date")
    window_start = max(as_of, start - pd.Timedelta(days=1))
    days_left = max((end - window_start).days, 0)
    run_rate = won_to_date + total("trailing_won") / RUN_RATE_DAYS * days_left

    future = np.sum([p.totals for p in parts], axis=0) if parts else np.zeros(n_sims)
    future_mean, future_var = float(future.mean()), float(future.var())
    totals = won_to_date + (future if period_factor is None else future * period_factor)
    p10, p50, p90 = simulated_range(totals, won_to_date)
    target = ctx.targets.value("revenue", period, kind, name)
    prob_reach = None if target is None else float(np.mean(totals >= target))

    commit = best = pipe_total = None
    if ctx.has_categories and as_of < end:
        c, b, p = (sum(part.categories[i] for part in parts) for i in range(3))
        commit = won_to_date + c
        best = commit + b
        pipe_total = best + p

    rows = np.concatenate([p.rows for p in parts]) if parts else np.array([], int)
    open_ = pa.open.iloc[rows]
    table = pd.DataFrame({
        "deal_id": open_["deal_id"].to_numpy(), "owner": open_["owner"].to_numpy(),
        "stage": open_["stage"].to_numpy(), "amount": pa.amount[pa.open_idx][rows],
        "expected_close_on": open_["expected_close_on"].to_numpy(),
        "p_declared": np.concatenate([p.p_decl for p in parts]) if parts else np.array([]),
        "p_calibrated": np.concatenate([p.p_cal for p in parts]) if parts else np.array([]),
    })
    notes = tuple(dict.fromkeys(n for p in parts for n in p.notes))
    fc = Forecast(
        period=period.code, period_label=period.label, period_start=start, period_end=end, as_of=as_of,
        scope=(kind, name), won_to_date=won_to_date, weighted_declared=total("weighted_declared"),
        calibrated=total("calibrated"), new_deals=total("new_deals"), run_rate=run_rate,
        p10=p10, p50=p50, p90=p90, target=target, prob_reach_target=prob_reach,
        method_shown=method_shown, shown=0.0, method_reason=method_reason,
        commit=commit, best_case=best, pipeline=pipe_total, n_open=len(rows), n_sims=n_sims,
        future_mean=future_mean, future_var=future_var, fields_from_today=pa.pipe.fields_from_today, notes=notes,
        blend_weight=blend_weight, least_error=least_error_point(totals, p50), deals=table,
    )
    return with_shown_figure(fc)


def with_shown_figure(fc: Forecast) -> Forecast:
    """``fc`` with ``shown`` read from its ``method_shown``."""
    return replace(fc, shown=fc.point(fc.method_shown))


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 2)


def forecast_record(fc: Forecast, text: Callable[[Message | None], str]) -> dict:
    """One forecast as plain JSON values (amounts rounded to the cent); ``text`` renders the method's
    reason in the reader's language (the edge gives it)."""
    cats = None if fc.commit is None else {"commit": _num(fc.commit), "best_case": _num(fc.best_case),
                                           "pipeline": _num(fc.pipeline)}
    return {
        "period": fc.period, "period_label": fc.period_label,
        "period_start": fc.period_start.date().isoformat(), "period_end": fc.period_end.date().isoformat(),
        "as_of": fc.as_of.date().isoformat(),
        "scope": scope_json(fc.scope, text),
        "won_to_date": _num(fc.won_to_date), "weighted_declared": _num(fc.weighted_declared),
        "calibrated": _num(fc.calibrated), "new_deals": _num(fc.new_deals), "run_rate": _num(fc.run_rate),
        "p10": _num(fc.p10), "p50": _num(fc.p50), "p90": _num(fc.p90),
        "target": _num(fc.target),
        "prob_reach_target": None if fc.prob_reach_shown is None else round(fc.prob_reach_shown, 4),
        "reach": _reach_record(fc, text),
        "method_shown": fc.method_shown, "shown": _num(fc.shown), "method_reason_text": text(fc.method_reason),
        "categories": cats, "n_open": int(fc.n_open), "n_sims": int(fc.n_sims),
        "fields_from_today": list(fc.fields_from_today), "notes_text": [text(n) for n in fc.notes],
    }


def _reach_record(fc: Forecast, text: Callable[[Message | None], str]) -> dict | None:
    r = fc.reach
    if r is None:
        return None
    share = r.reference_share if np.isfinite(r.reference_share) else None
    return {"n": r.n, "brier": round(r.brier, 4), "brier_reference": round(r.brier_reference, 4),
            "reference_share": None if share is None else round(share, 4), "beats_reference": r.beats_reference,
            "around_n": r.around_n, "around_reached": r.around_reached, "text": text(fc.reach_said)}


def forecast_json(forecasts: Forecast | Sequence[Forecast], *, source: str,
                  text: Callable[[Message | None], str]) -> dict:
    """The forecasts as a document valid against ``kpicore/model/json_schemas/forecast.v3.json``.

    One forecast is a single object with its fields at the top level after the
    envelope (the ``pilotage forecast`` contract); a sequence is a list under
    ``forecasts``, and the envelope's ``as_of`` is theirs when they share one.
    ``source``: the file the data came from (``PipelineData.source``).
    """
    if isinstance(forecasts, Forecast):
        return {**envelope("forecast", source, forecasts.as_of), **forecast_record(forecasts, text)}
    records = [forecast_record(f, text) for f in forecasts]
    days = {r["as_of"] for r in records}
    return {**envelope("forecast", source, days.pop() if len(days) == 1 else None), "forecasts": records}
