"""Win probabilities learned from the company's own history, without peeking.

Two estimates, both empirical time-to-event (not a flat won ÷ (won + lost)):

``win_probability``: P(an open deal is won within ``h`` days | its stage, its
age in stage, its size band).  The history is the weekly photograph of every
open deal (``kpicore.forecast.asof.reconstruct``): among the deals that, on some past
week, were in this stage at this age in this size band, the share won within
the next ``h`` days.  Only photographs taken at least ``h`` days before the
as-of date are used, so every outcome counted was known on that date.

Cells with little history are shrunk towards their parent with a Beta prior of
weight ``PRIOR_WEIGHT`` observations:

    p(all)                     = won ÷ n over every photograph
    p(age band)                = (won + k·p(all)) ÷ (n + k)
    p(stage, age band)         = (won + k·p(age band)) ÷ (n + k)
    p(stage, age band, size)   = (won + k·p(stage, age band)) ÷ (n + k)

A stage that was never known in the past (no StageHistory, no snapshots) is
treated as unknown, as the past photographs were.  One deal open for ten weeks gives ten (correlated)
photographs: ``k`` counts photographs.

Recent history counts more (``recency_weight``): each photograph weighs
½ ** (its age ÷ ``RECENCY_HALF_LIFE_DAYS``), its age counted from the newest
photograph usable for the horizon, and every count above is a sum of weights.
A company whose market or funnel changed (a new offer, a lost channel) is
then forecast by what it has become, within about a half-life, instead of
by the average of its whole past; a steady company loses little, its
recent year still weighing about as much as all before it.

``closing_season``: with two years of history, the win rate of each calendar
month relative to the average (August is slow in France), applied to both.

``new_deal_flow``: the deals not created yet.  Creation rate of the scope over
the trailing 365 days, times a monthly seasonal factor when the company has
two years of history, times P(won within d days of creation) learned from
the deals created in the two years before the as-of date; the rate and that
share weigh each deal by ``recency_weight`` of its creation, for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpicore.forecast.asof import data_today, reconstruct, to_day
from kpicore.model.pipeline_data import PipelineData

# Upper edges (exclusive) of the age-in-stage bands, in days: 0-14, 15-30, 31-60, 61-120, 121+.
AGE_EDGES = np.array([15, 31, 61, 121])
N_AGE = len(AGE_EDGES) + 1
N_SIZE = 3  # terciles of the amounts photographed
PRIOR_WEIGHT = 20.0
EVERY_DAYS = 7
RATE_WINDOW_DAYS = 365
LEARN_WINDOW_DAYS = 730
# half-life of the weight of the past in what is learned (module docstring): short enough that a
# change of regime is learned within two or three quarters, long enough that a steady company keeps
# most of its evidence
RECENCY_HALF_LIFE_DAYS = 365.0
DAY = np.timedelta64(1, "D")


def recency_weight(age_days: np.ndarray, half_life_days: float = RECENCY_HALF_LIFE_DAYS) -> np.ndarray:
    """½ ** (age ÷ half-life): the weight of an observation ``age_days`` old in what is learned."""
    return 0.5 ** (np.maximum(np.asarray(age_days, float), 0.0) / half_life_days)


@dataclass(frozen=True)
class History:
    """Weekly photographs of the open deals, with the date each was eventually won (NaT if not)."""

    ref: np.ndarray  # datetime64[ns], photograph date
    stage: np.ndarray  # int codes, 0 = stage unknown on that date
    age: np.ndarray  # days in stage on that date
    amount: np.ndarray
    won_on: np.ndarray  # datetime64[ns]
    stage_codes: dict[str, int] = field(default_factory=dict)
    # every deal (not only photographed ones), for the new-deal flow
    created: np.ndarray = field(default_factory=lambda: np.array([], "datetime64[ns]"))
    deal_won_on: np.ndarray = field(default_factory=lambda: np.array([], "datetime64[ns]"))
    deal_amount: np.ndarray = field(default_factory=lambda: np.array([], float))
    deal_owner: np.ndarray = field(default_factory=lambda: np.array([], object))
    # results shared by the scopes of one forecast, keyed by (as_of, horizon)
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def owner_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct owner names and, for every deal, the index of its owner among them."""
        if "owners" not in self.cache:
            owners = pd.Series(self.deal_owner, dtype=object).fillna("").astype(str).to_numpy(dtype=str)
            self.cache["owners"] = np.unique(owners, return_inverse=True)
        return self.cache["owners"]

    def owner_positions(self, owners: frozenset[str]) -> np.ndarray:
        """The indices of ``owners`` among the names of ``owner_codes`` (those the history knows),
        ascending: a dictionary's look-up, asked for each rep of each replayed date."""
        if "owner_index" not in self.cache:
            names, _ = self.owner_codes()
            self.cache["owner_index"] = {str(name): i for i, name in enumerate(names)}
        index = self.cache["owner_index"]
        return np.array(sorted(index[o] for o in owners if o in index), dtype=np.int64)

    def code(self, stages: pd.Series) -> np.ndarray:
        """Codes for stage names; a stage the history never knew is treated as the history
        treated it, as unknown (code 0), so that the live forecast and its replay agree."""
        return np.array([self.stage_codes.get(s, 0) if isinstance(s, str) else 0
                         for s in stages.astype(object).where(stages.notna(), None)], dtype=np.int64)


def build_history(data: PipelineData, *, today: pd.Timestamp | None = None,
                  every_days: int = EVERY_DAYS) -> History:
    """Photograph every open deal every ``every_days`` days from the first creation to ``today``."""
    today = data_today(data) if today is None else to_day(today)
    deals = data.deals[data.deals["created_on"].notna()]
    from kpicore.forecast.asof import effective_close

    close = effective_close(deals)
    won = (deals["status"] == "won").fillna(False).to_numpy(dtype=bool)
    deal_won_on = np.where(won, close, np.datetime64("NaT", "ns"))
    common = dict(
        created=deals["created_on"].to_numpy("datetime64[ns]"),
        deal_won_on=deal_won_on,
        deal_amount=deals["amount"].to_numpy(dtype=float, na_value=np.nan),
        deal_owner=deals["owner"].astype(object).to_numpy(),
    )
    if deals.empty:
        empty = np.array([], "datetime64[ns]")
        return History(empty, np.array([], np.int64), np.array([]), np.array([]), empty, {}, **common)
    # Photograph dates are anchored on a fixed day (Monday 1970-01-05), not on today: the
    # photographs taken before an as-of date are then the same whatever the data's date,
    # so a forecast replayed on old data equals the one made on the data of that day.
    anchor = pd.Timestamp("1970-01-05")
    start = deals["created_on"].min()
    first = anchor + pd.Timedelta(days=every_days * ((start - anchor).days // every_days))
    dates = pd.date_range(first, today, freq=f"{every_days}D")
    obs = reconstruct(data, dates, open_only=True, today=today)
    obs = obs[obs["status"] == "open"]  # a reopened deal was closed on the dates before it reopened
    known = obs["stage_known"].to_numpy(dtype=bool)
    stage = obs["stage"].astype(object).where(obs["stage"].notna() & known, None)
    names = sorted({s for s in stage if s is not None})
    codes = {s: i + 1 for i, s in enumerate(names)}
    age = (obs["as_of"] - obs["stage_entered_on"]).dt.days.to_numpy(dtype=float, na_value=0)
    final_won = (obs["final_status"] == "won").to_numpy(dtype=bool)
    return History(
        ref=obs["as_of"].to_numpy("datetime64[ns]"),
        stage=np.array([codes.get(s, 0) if s is not None else 0 for s in stage], dtype=np.int64),
        age=np.maximum(age, 0),
        amount=obs["amount"].to_numpy(dtype=float, na_value=np.nan),
        won_on=np.where(final_won, obs["final_close"].to_numpy("datetime64[ns]"), np.datetime64("NaT", "ns")),
        stage_codes=codes,
        **common,
    )


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(AGE_EDGES, np.nan_to_num(age, nan=0.0), side="right")


def _size_band(amount: np.ndarray, edges: np.ndarray) -> np.ndarray:
    band = np.searchsorted(edges, amount, side="right")
    return np.where(np.isnan(amount), 1, band)


@dataclass(frozen=True)
class WinModel:
    """What ``win_probability`` learned, for messages and tests."""

    horizon_days: int
    n_photographs: int
    base_rate: float  # share won within the horizon over every usable photograph


def win_probability(hist: History, as_of: pd.Timestamp, horizon_days: int, stages: pd.Series,
                    age_days: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, WinModel]:
    """P(won within ``horizon_days`` after ``as_of``) for each open deal (see module docstring).

    Returns NaN probabilities when the history has no usable photograph (the
    caller then falls back to declared probabilities and says so).
    """
    n = len(age_days)
    h = int(horizon_days)
    if h <= 0:
        return np.zeros(n), WinModel(h, 0, 0.0)
    limit = np.datetime64(to_day(as_of), "ns") - h * DAY
    m = hist.ref <= limit
    if not m.any():
        return np.full(n, np.nan), WinModel(h, 0, float("nan"))
    ref, won_on = hist.ref[m], hist.won_on[m]
    y = (~np.isnat(won_on)) & (won_on <= ref + h * DAY)
    y = y.astype(float)
    w = recency_weight((limit - ref) / DAY)
    amount = hist.amount[m]
    known = amount[~np.isnan(amount)]
    edges = np.quantile(known, [1 / 3, 2 / 3]) if len(known) else np.array([np.inf, np.inf])

    g_train, a_train, s_train = hist.stage[m], _age_band(hist.age[m]), _size_band(amount, edges)
    g_live = hist.code(stages)
    a_live, s_live = _age_band(np.asarray(age_days, float)), _size_band(np.asarray(amounts, float), edges)
    n_stage = int(max(g_train.max(initial=0), g_live.max(initial=0))) + 1
    k = PRIOR_WEIGHT

    def shrink(index_train, index_live, size, parent):
        won = np.bincount(index_train, weights=y * w, minlength=size)
        cnt = np.bincount(index_train, weights=w, minlength=size)
        return (won + k * parent) / (cnt + k), index_live

    p0 = float(np.sum(y * w) / np.sum(w))
    p_age, _ = shrink(a_train, a_live, N_AGE, np.full(N_AGE, p0))
    i2_train, i2_live = g_train * N_AGE + a_train, g_live * N_AGE + a_live
    p_stage, _ = shrink(i2_train, i2_live, n_stage * N_AGE, np.tile(p_age, n_stage))
    i3_train, i3_live = i2_train * N_SIZE + s_train, i2_live * N_SIZE + s_live
    p_cell, _ = shrink(i3_train, i3_live, n_stage * N_AGE * N_SIZE, np.repeat(p_stage, N_SIZE))
    return p_cell[i3_live], WinModel(h, int(m.sum()), float(p0))


@dataclass(frozen=True)
class NewDealFlow:
    """Deals created after the as-of date and won before the period end."""

    expected_count: float
    sizes: np.ndarray = field(repr=False)  # amounts to draw a won new deal's size from
    expected_value: float = 0.0
    seasonal: bool = False
    # evidence behind the estimates, for the simulation's parameter uncertainty
    n_won: int = 0  # deals won (known at as_of) among those created in the learning window
    n_created: int = 0  # deals of the scope created in the rate window


@dataclass(frozen=True)
class _Curve:
    """What the new-deal flow of every scope shares for one (as_of, horizon)."""

    shape: float  # Σ over the days left of seasonal factor × F(days left): expected wins per unit rate
    seasonal: bool
    window: int  # days of the creation-rate window
    seen: np.ndarray  # deals created on or before as_of
    quick: np.ndarray  # deals of the learning window won within the horizon of creation, known at as_of
    won_known: np.ndarray
    n_won: int
    # per owner code (``History.owner_codes``): deals created in the rate window, quick wins' sizes
    created_by_owner: np.ndarray = field(default_factory=lambda: np.array([]))
    quick_by_owner: tuple[np.ndarray, ...] = ()
    # per owner code: deals created per day, recent days weighing more (``recency_weight``)
    rate_by_owner: np.ndarray = field(default_factory=lambda: np.array([]))


def _curve(hist: History, as_of: np.datetime64, h: int) -> _Curve | None:
    """None when no deal was created by ``as_of``."""
    key = (as_of, h)
    if key in hist.cache:
        return hist.cache[key]
    created = hist.created
    seen = created <= as_of
    if not seen.any():
        hist.cache[key] = None
        return None
    first = created[seen].min()
    window = min(RATE_WINDOW_DAYS, int((as_of - first) // DAY) + 1)

    # seasonality: monthly creation rate of the company over the last two years ÷ its mean rate
    days = as_of + np.arange(1, h + 1) * DAY
    day_month = pd.DatetimeIndex(days).month.to_numpy()
    factor = np.ones(h)
    seasonal = bool(as_of - first >= LEARN_WINDOW_DAYS * DAY)
    if seasonal:
        win = seen & (created > as_of - LEARN_WINDOW_DAYS * DAY)
        months = pd.DatetimeIndex(created[win]).month.to_numpy()
        span = pd.date_range(pd.Timestamp(as_of) - pd.Timedelta(days=LEARN_WINDOW_DAYS - 1), pd.Timestamp(as_of))
        days_per_month = np.bincount(span.month.to_numpy(), minlength=13)[1:]
        rate_m = np.bincount(months, minlength=13)[1:] / np.maximum(days_per_month, 1)
        mean_rate = win.sum() / LEARN_WINDOW_DAYS
        if mean_rate > 0:
            factor = rate_m[day_month - 1] / mean_rate

    # F(d): share of the deals created in the learning window at least d days before
    # as_of that were won within d days of creation (outcomes all known at as_of).
    # Each deal weighs by the recency of its creation (module docstring): a ratio of weighted
    # counts, so the scale of the weights does not matter.
    learn = seen & (created > as_of - LEARN_WINDOW_DAYS * DAY)
    c, w = created[learn], hist.deal_won_on[learn]
    weight = recency_weight((as_of - c) / DAY)
    ttw = np.where(np.isnat(w), np.inf, (w - c) / DAY)
    F = np.zeros(h)
    for d in range(h):
        eligible = c <= as_of - d * DAY
        n_el = weight[eligible].sum()
        F[d] = weight[eligible & (ttw <= d)].sum() / n_el if n_el > 0 else 0.0
    # a deal created on day s (1..h) after as_of has h - s days left
    shape = float(np.sum(factor * F[h - np.arange(1, h + 1)]))

    won_known = seen & ~np.isnat(hist.deal_won_on) & (hist.deal_won_on <= as_of)
    quick = learn & won_known & ((hist.deal_won_on - created) <= h * DAY)
    names, codes = hist.owner_codes()
    in_window = seen & (created > as_of - window * DAY)
    by_owner = np.bincount(codes[in_window], minlength=len(names))
    # the creation rate: deals weighted by recency over days weighted alike
    rate_by_owner = (np.bincount(codes[in_window], weights=recency_weight((as_of - created[in_window]) / DAY),
                                 minlength=len(names))
                     / recency_weight(np.arange(window)).sum())
    q = np.flatnonzero(quick)
    order = q[np.argsort(codes[q], kind="stable")]
    cuts = np.searchsorted(codes[order], np.arange(1, len(names)))
    quick_sizes = tuple(np.split(hist.deal_amount[order], cuts))
    out = _Curve(shape, seasonal, window, seen, quick, won_known, int(np.count_nonzero(learn & won_known)),
                 by_owner, quick_sizes, rate_by_owner)
    hist.cache[key] = out
    return out


def new_deal_flow(hist: History, as_of: pd.Timestamp, period_end: pd.Timestamp,
                  owners: frozenset[str] | None = None) -> NewDealFlow:
    """Expected wins in ``(as_of, period_end]`` from deals not yet created (module docstring).

    ``owners`` restricts the creation rate and, when they have 5 or more, the
    sizes to those reps' deals; the win-within-d-days curve is the company's.
    """
    as_of = np.datetime64(to_day(as_of), "ns")
    end = np.datetime64(to_day(period_end), "ns")
    h = int((end - as_of) // DAY)
    cv = _curve(hist, as_of, h) if h > 0 else None
    if cv is None:
        return NewDealFlow(0.0, np.array([]), 0.0)
    if owners is None:
        n_created = int(cv.created_by_owner.sum())
        rate = float(cv.rate_by_owner.sum())
        sizes = hist.deal_amount[cv.quick]
    else:
        picked = hist.owner_positions(owners)
        n_created = int(cv.created_by_owner[picked].sum())
        rate = float(cv.rate_by_owner[picked].sum())
        sizes = np.concatenate([cv.quick_by_owner[c] for c in picked]) if len(picked) else np.array([])
    mu = rate * cv.shape

    if len(sizes) < 5:
        sizes = hist.deal_amount[cv.quick]
    if len(sizes) < 5:
        sizes = hist.deal_amount[cv.won_known]
    sizes = sizes[~np.isnan(sizes)]
    if not len(sizes):
        return NewDealFlow(0.0, np.array([]), 0.0, cv.seasonal, cv.n_won, n_created)
    return NewDealFlow(mu, sizes, mu * float(sizes.mean()), cv.seasonal, cv.n_won, n_created)


SEASON_PRIOR_WINS = 10.0


def closing_season(hist: History, as_of: pd.Timestamp, window_start: pd.Timestamp,
                   window_end: pd.Timestamp) -> float:
    """Seasonal factor of the wins expected in ``(window_start, window_end]``; 1 without two years of history.

    The win probabilities are learned over every season, so they carry the
    average season.  With two years of history before ``as_of``, each calendar
    month m gets an index of its win *rate*: s_m = (wins in m + k) / (wins
    expected in m + k), the expected wins sharing the two years' wins in
    proportion to the open deals photographed in each month (a September after
    a slow August starts with a bigger pipeline: more wins, not a higher rate);
    k = ``SEASON_PRIOR_WINS`` shrinks a month with few wins towards 1.  The
    factor of a window is the mean of s over its days.
    """
    as_of = np.datetime64(to_day(as_of), "ns")
    lo, hi = np.datetime64(to_day(window_start), "ns"), np.datetime64(to_day(window_end), "ns")
    key = ("season", as_of)
    if key not in hist.cache:
        seen = hist.created <= as_of
        index = None
        if seen.any() and as_of - hist.created[seen].min() >= LEARN_WINDOW_DAYS * DAY:
            w = hist.deal_won_on
            recent = ~np.isnat(w) & (w <= as_of) & (w > as_of - LEARN_WINDOW_DAYS * DAY)
            won = np.bincount(pd.DatetimeIndex(w[recent]).month.to_numpy(), minlength=13)[1:]
            # exposure: the open deals photographed each week of each month (a month after a
            # slow one starts with a larger pipeline: more wins, not a higher win rate)
            photo = (hist.ref <= as_of) & (hist.ref > as_of - LEARN_WINDOW_DAYS * DAY)
            exposure = np.bincount(pd.DatetimeIndex(hist.ref[photo]).month.to_numpy(), minlength=13)[1:]
            if exposure.sum() > 0:
                expected = won.sum() * exposure / exposure.sum()
                index = (won + SEASON_PRIOR_WINS) / (expected + SEASON_PRIOR_WINS)
        hist.cache[key] = index
    index = hist.cache[key]
    if index is None or hi <= lo:
        return 1.0
    window = ("season window", as_of, lo, hi)  # the same for every rep of a forecast: computed once
    if window not in hist.cache:
        days = pd.date_range(pd.Timestamp(lo) + pd.Timedelta(days=1), pd.Timestamp(hi))
        hist.cache[window] = float(index[days.month.to_numpy() - 1].mean())
    return hist.cache[window]
