"""Alerts: what the method watches (DESIGN.md, "Alerts"), each with its numbers, its stake and an action.

Every rule reads its threshold from the KPI dictionary (``kpicore.metrics.dictionary``)
and its numbers from ``KpiEngine`` tables over rolling windows ending at the
as-of date ``A`` (both ends included):

=========================  ==========================================================  =====================
alert                      rule                                                        scopes
=========================  ==========================================================  =====================
``low_conversion``         proposal → order conversion of the last 91 days below       rep, team, company
                           ``alert_below`` (25 %), with at least ``min_count``
                           decided deals; co-visit scores of the same days beside it
``meetings_falling``       qualified meetings per week of the last 4 weeks at least    rep, team, company
                           ``falling_pct`` below the 8 weeks before
``few_proposals``          proposals per qualified meeting (last 91 days) below        rep
                           ``below_team_share`` × the rest of the team's, for a rep
                           with at least the team's median number of meetings
``deal_size_falling``      average deal size of the last 91 days at least              rep, team, company
                           ``falling_pct`` below the 182 days before
``cycle_lengthening``      median sales cycle of the last 91 days at least             rep, team, company
                           ``rising_pct`` above the 182 days before
``behind_target``          revenue won to date in the month and in the quarter         rep, team, company
                           below target by the one on-target rule
                           (``kpicore.metrics.targets``): under (1 −
                           ``behind_pace_pct``) × the target pro rata of the period
                           elapsed (each month's target × its elapsed share)
=========================  ==========================================================  =====================

Noise guards: a rep makes one or two qualified meetings a week and signs a
few deals a month, so a 4-week or 3-month comparison swings widely by chance.
An alert also needs the deviation to be unlikely from noise alone, below the
dictionary's ``max_p_value``: a binomial test for meetings (the last 4 weeks
should hold a third of the 12 weeks' meetings) and for conversion (so few wins
at a true rate of ``alert_below``), a one-sided rank test (Mann-Whitney) for
deal sizes and cycles.  Measured on the large demo company (120 reps): the
guards remove most alerts on steady reps and keep those on the reps built to be
found (see ``tests/test_alerts_demo.py``).

Inactive reps (``Reps.active`` false) get no alert.  Severity is ``high`` when
the deviation is twice the threshold's (or the pace below half), else ``medium``.

**What an alert says.** Its title, detail and action are ``Message``s (codes
``alert.<kind>.title``, ``.detail``, ``.action`` and their parts), never
sentences: the edges render them in the reader's language from the catalogues
``kpicore/text/fr/alerts.py`` and ``kpicore/text/en/alerts.py``.  ``numbers``
holds the same figures, by the same names, for a JSON reader.

**Leading or lagging.** An alert is as leading as its KPI in the dictionary:
qualified meetings falling and few proposals watch activity, which precedes
revenue; conversion, deal size, cycle and the pace against target watch results
that are already signed.  The method's reasoning: falling meetings are the first
early warning, revenue follows them 60 to 90 days later, so a leading alert
still leaves time to act while a lagging one reports what has happened.

**The stake** (``Alert.stake_eur``, euros, positive) is what the alert puts in
money, so that alerts of different kinds can be weighed against each other:

- leading, the projected revenue impact over one quarter at the current
  activity: for ``meetings_falling``, the weekly shortfall of meetings × 13
  weeks × the scope's meeting → won yield × its average deal size (both over the
  last 365 days), landing from 60 days after ``A`` to 90 days after the quarter
  of meetings (``lands_from``, ``lands_to``); for ``few_proposals``, the
  proposals missing over the last 91 days (against the rest of the team's
  ratio) × the company's wins per proposal × its average deal size.  One
  quarter for both because a quarter is the horizon targets are judged on and
  the one the method's 60–90 days of delay fill: the last 4 weeks' loss alone
  would weigh a fall that goes on as if it stopped today;
- lagging, the gap in euros: for ``behind_target``, the pace due minus what is
  won; for ``low_conversion``, what a conversion at the threshold would have won
  on the same decided deals; for ``deal_size_falling``, the former average size
  minus the new one × the deals won;
- ``None`` for ``cycle_lengthening``: a longer cycle delays revenue, it does not
  lose a countable amount of it.

**The ranking** (``Alert.sort_key``), most important first:

1. the stake, largest first, compared on the R10 scale of preferred numbers
   (``stake_step``: ten steps a decade, each about 26 % above the last).  The
   stakes are estimates (a yield or a deal size measured on a few deals moves
   by a quarter from one month to the next), so two stakes within a step are
   equal: ranking 36 k€ of lost meetings below 38 k€ behind pace would rank on
   noise.  An alert without a stake comes after every alert with one: it
   cannot be weighed, and it should not push out an alert that can;
2. at equal stake, leading before lagging (the early warning can still be acted on);
3. then severity, then the exact stake, then company before teams before reps,
   the scope's name and the kind.

Severity does not come first: it measures how far a ratio strays from its
threshold, not what it costs, and a rep at 40 % of a small target is "high"
while a team 30 % behind a large one costs more.

**One line per scope and cause.** ``behind_target`` for the month and for the
quarter of the same scope is one alert: its figures hold both periods
(``month_won``, ``month_pace``... ``quarter_won``...), its text says both, its
severity is the higher one and its stake the larger gap, not their sum: the
month's shortfall is part of the quarter's, so adding them would count it twice,
and when the month's gap is the larger the quarter's earlier months were ahead
and the month's gap is what is missing now.  No two alerts share a scope and kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from kpicore.metrics.covisits import covisit_table
from kpicore.metrics.dictionary import KpiDictionary
from kpicore.metrics.kpis import KpiEngine
from kpicore.metrics.targets import BELOW_TARGET, near_tolerance, target_status
from kpicore.model.kpi_dictionary import LAGGING, LEADING
from kpicore.model.messages import Message
from kpicore.model.periods import FISCAL_QUARTER, MONTH, QUARTER, DateLike, Period, to_date
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import COMPANY, REP, TEAM, Scope

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = (HIGH, MEDIUM, LOW)
_RANK = {HIGH: 0, MEDIUM: 1, LOW: 2}
_LEVEL_RANK = {COMPANY: 0, TEAM: 1, REP: 2}
# each rule's horizon when the dictionary does not hold its KPI (the shipped dictionary says the same)
HORIZON_OF_KIND = {"low_conversion": LAGGING, "meetings_falling": LEADING, "few_proposals": LEADING,
                   "deal_size_falling": LAGGING, "cycle_lengthening": LAGGING, "behind_target": LAGGING}
KINDS = tuple(HORIZON_OF_KIND)
QUARTER_WEEKS = 13  # the horizon of a leading alert's projected impact
STEPS_PER_DECADE = 10  # the R10 scale stakes are compared on


def stake_step(stake: float | None) -> int | None:
    """The step of the R10 scale a stake falls on (10 k€ is step 40, 12.6 k€ step 41); None without a stake."""
    if stake is None or not math.isfinite(stake) or stake <= 0:
        return None
    # the small nudge keeps an exact power of ten (10,000) on its own step despite rounding in log10
    return math.floor(STEPS_PER_DECADE * math.log10(stake) + 1e-9)


@dataclass(frozen=True)
class Alert:
    kind: str
    severity: str  # HIGH, MEDIUM or LOW
    scope: Scope
    title: Message  # one line
    detail: Message  # the numbers behind the alert, in words
    action: Message  # what to do
    kpi: str
    horizon: str = LAGGING  # LEADING or LAGGING, the alert's KPI's
    numbers: tuple[tuple[str, float | None], ...] = ()
    stake_eur: float | None = None  # euros at stake, positive (module docstring); None if not computable
    lands_from: date | None = None  # when a projected impact reaches revenue
    lands_to: date | None = None

    @property
    def code(self) -> str:
        """The prefix of the alert's codes in the catalogues: ``alert.meetings_falling``."""
        return f"alert.{self.kind}"

    @property
    def leading(self) -> bool:
        return self.horizon == LEADING

    @property
    def severity_label(self) -> Message:
        return Message.of(f"alert.severity.{self.severity}")

    def sort_key(self) -> tuple:
        """Most important first (module docstring, "The ranking")."""
        step = stake_step(self.stake_eur)
        weighed = step is not None
        return (not weighed, -step if weighed else 0, not self.leading, _RANK[self.severity],
                -self.stake_eur if weighed else 0.0, _LEVEL_RANK[self.scope.level], self.scope.name, self.kind)


def _ok(x: float | None) -> bool:
    return x is not None and bool(np.isfinite(x))


def _none(x: float | None) -> float | None:
    return float(x) if _ok(x) else None


def _say(kind: str, part: str, **figures: Any) -> Message:
    return Message.of(f"alert.{kind}.{part}", **figures)


@dataclass(frozen=True)
class _Behind:
    """One period a scope is behind in: what it won, its target, the pace due and the share elapsed."""

    period: Period
    won: float
    target: float
    pace: float
    share: float

    def part(self) -> Message:
        return _say("behind_target", "part", period=self.period, won=self.won, pace=self.pace,
                    target=self.target, share=self.share)


class _Rules:
    def __init__(self, data: PipelineData, engine: KpiEngine, dictionary: KpiDictionary) -> None:
        self.data, self.e, self.d = data, engine, dictionary
        self.A = engine.as_of
        a = self.A
        self.recent4 = engine.table(Period.between(a - timedelta(days=27), a))
        self.base8 = engine.table(Period.between(a - timedelta(days=83), a - timedelta(days=28)))
        self.last91 = engine.table(Period.between(a - timedelta(days=90), a))
        self.prev182 = engine.table(Period.between(a - timedelta(days=272), a - timedelta(days=91)))
        self.year = engine.table(Period.between(a - timedelta(days=364), a))
        reps = data.reps.drop_duplicates("rep").set_index("rep")["active"]
        self.inactive = {str(r) for r in reps.index[~reps.fillna(True).astype(bool).to_numpy()]}
        self._won_recent = engine.won_deals(Period.between(a - timedelta(days=90), a))
        self._won_before = engine.won_deals(Period.between(a - timedelta(days=272), a - timedelta(days=91)))
        self.alerts: list[Alert] = []

    def scopes(self, levels=(COMPANY, TEAM, REP)):
        for level, name in self.e.index:
            if level in levels and not (level == REP and name in self.inactive):
                yield Scope(level, name), (level, name)

    def won(self, which: str, key: tuple[str, str], column: str) -> np.ndarray:
        """The won deals' ``column`` of one scope over the last 91 days or the 182 before."""
        frame = self._won_recent if which == "recent" else self._won_before
        if key[0] == COMPANY:
            return frame[column].to_numpy()
        return frame.loc[frame[key[0]] == key[1], column].to_numpy()

    def add(self, kind: str, kpi: str, scope: Scope, severity: str, title: dict, detail: dict,
            numbers: dict[str, float | None], stake: float | None = None, **when: date) -> None:
        """One alert; ``title`` and ``detail`` are the figures of its two messages, its action has none."""
        horizon = self.d[kpi].horizon if kpi in self.d else HORIZON_OF_KIND[kind]
        self.alerts.append(Alert(
            kind=kind, severity=severity, scope=scope, kpi=kpi, horizon=horizon,
            title=_say(kind, "title", scope=scope, **title), detail=_say(kind, "detail", **detail),
            action=_say(kind, "action"), numbers=tuple((k, _none(v)) for k, v in numbers.items()),
            stake_eur=_none(stake), **when))

    # -- rules --------------------------------------------------------------
    def low_conversion(self) -> None:
        kind, kpi = "low_conversion", "proposal_conversion"
        below = self.d.threshold(kpi, "alert_below", 0.25)
        min_n = self.d.threshold(kpi, "min_count", 5)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        t = self.last91
        start = self.A - timedelta(days=90)
        cv = covisit_table(self.data, Period.between(start, self.A), self.A, self.e.rep_team)
        for scope, key in self.scopes():
            conv, n = t.at[key, kpi], t.at[key, "_decided_with_proposal"]
            if not _ok(conv) or n < min_n or conv >= below:
                continue
            won = t.at[key, "_won_with_proposal"]
            # Noise guard: so few wins must be unlikely (p < max_p_value) at a true rate of `below`.
            if binom_cdf(won, n, below) >= max_p:
                continue
            size = t.at[key, "average_deal_size"]
            stake = (below - conv) * n * size if _ok(size) else None
            numbers = {"conversion": conv, "threshold": below, "decided": n, "won": won}
            covisits: Message | str = ""
            if key in cv.index and cv.at[key, "count"] > 0:
                row = cv.loc[key]
                numbers |= {"covisits": float(row["count"]), "discovery": row["discovery_quality"],
                            "relevance": row["proposal_relevance"], "satisfaction": row["customer_satisfaction"]}
                if _ok(row["discovery_quality"]):
                    covisits = _say(kind, "covisits", discovery=float(row["discovery_quality"]),
                                    relevance=float(row["proposal_relevance"]), count=int(row["count"]))
            missed = _say(kind, "missed", stake=stake) if stake is not None else ""
            self.add(kind, kpi, scope, HIGH if conv < below * 0.6 else MEDIUM,
                     title={"conversion": float(conv)},
                     detail={"won": int(won), "decided": int(n), "since": start, "threshold": below,
                             "missed": missed, "covisits": covisits},
                     numbers=numbers, stake=stake)

    def meetings_falling(self) -> None:
        kind, kpi = "meetings_falling", "qualified_meetings_per_week"
        falling = self.d.threshold(kpi, "falling_pct", 0.20)
        min_n = self.d.threshold(kpi, "min_count", 4)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        r, b, y = self.recent4, self.base8, self.year
        for scope, key in self.scopes():
            now, before = r.at[key, kpi], b.at[key, kpi]
            if not (_ok(now) and _ok(before)) or b.at[key, "qualified_meetings"] < min_n:
                continue
            drop = 1 - now / before
            # Noise guard: with the same weekly rate in the 12 weeks, the last 4 would hold a third of
            # the meetings; a count this low must be unlikely (p < max_p_value) to be called a fall.
            recent_n, base_n = r.at[key, "qualified_meetings"], b.at[key, "qualified_meetings"]
            if drop < falling or binom_cdf(recent_n, recent_n + base_n, 1 / 3) >= max_p:
                continue
            lost, quarter_lost = (before - now) * 4, (before - now) * QUARTER_WEEKS
            meetings, won, size = y.at[key, "qualified_meetings"], y.at[key, "won_count"], y.at[key, "average_deal_size"]
            yield_ = won / meetings if meetings > 0 else np.nan
            stake = quarter_lost * yield_ * size if _ok(yield_) and _ok(size) else None
            # the next quarter's meetings would have turned into revenue 60 to 90 days after each of them
            lands_from = self.A + timedelta(days=60)
            lands_to = self.A + timedelta(days=7 * QUARTER_WEEKS + 90)
            impact = (_say(kind, "impact", quarter_lost=float(quarter_lost), stake=stake, lands_from=lands_from,
                           lands_to=lands_to) if stake is not None else "")
            self.add(kind, kpi, scope, HIGH if drop >= 2 * falling else MEDIUM,
                     title={"drop": float(drop)},
                     detail={"now": float(now), "before": float(before), "lost": float(lost), "impact": impact},
                     numbers={"now": now, "before": before, "drop": drop, "lost": lost, "quarter_lost": quarter_lost,
                              "meeting_yield": yield_, "average_deal_size": size},
                     stake=stake, lands_from=lands_from, lands_to=lands_to)

    def few_proposals(self) -> None:
        kind, kpi = "few_proposals", "meeting_to_proposal_rate"
        share = self.d.threshold(kpi, "below_team_share", 0.5)
        min_n = self.d.threshold(kpi, "min_count", 6)
        t = self.last91
        if REP not in t.index.get_level_values(0):
            return  # no rep holds a deal or an activity: nobody to compare
        reps = t.loc[REP]
        team_of = self.e.rep_team
        median_meetings = reps["qualified_meetings"].groupby(team_of.reindex(reps.index).to_numpy()).median()
        company = (COMPANY, "")
        for scope, key in self.scopes((REP,)):
            team = team_of[scope.name]
            meetings, props = t.at[key, "qualified_meetings"], t.at[key, "proposals"]
            if meetings < max(min_n, median_meetings.get(team, 0)):
                continue
            rest_m = t.at[(TEAM, team), "qualified_meetings"] - meetings
            rest_p = t.at[(TEAM, team), "proposals"] - props
            rest = _say(kind, "rest_team", team=str(team))
            if rest_m <= 0:  # alone in the team: compared with the rest of the company
                rest_m, rest_p = t.at[company, "qualified_meetings"] - meetings, t.at[company, "proposals"] - props
                rest = _say(kind, "rest_company")
            if rest_m <= 0:
                continue
            mine, theirs = props / meetings, rest_p / rest_m
            if theirs <= 0 or mine >= share * theirs:
                continue
            missing = meetings * theirs - props
            won_per_prop = (t.at[company, "won_count"] / t.at[company, "proposals"]
                            if t.at[company, "proposals"] > 0 else np.nan)
            size = t.at[company, "average_deal_size"]
            stake = missing * won_per_prop * size if _ok(won_per_prop) and _ok(size) else None
            impact = _say(kind, "impact", missing=float(missing), stake=stake) if stake is not None else ""
            self.add(kind, kpi, scope, HIGH if mine < share * theirs / 2 else MEDIUM, title={},
                     detail={"meetings": int(meetings), "proposals": int(props), "ratio": float(mine),
                             "reference": float(theirs), "rest": rest, "impact": impact},
                     numbers={"meetings": meetings, "proposals": props, "ratio": mine, "reference": theirs,
                              "missing": missing, "won_per_proposal": won_per_prop, "average_deal_size": size},
                     stake=stake)

    def deal_size_falling(self) -> None:
        kind, kpi = "deal_size_falling", "average_deal_size"
        falling = self.d.threshold(kpi, "falling_pct", 0.20)
        min_n = self.d.threshold(kpi, "min_count", 3)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        r, b = self.last91, self.prev182
        for scope, key in self.scopes():
            now, before = r.at[key, kpi], b.at[key, kpi]
            if not (_ok(now) and _ok(before)) or r.at[key, "won_count"] < min_n or b.at[key, "won_count"] < min_n:
                continue
            drop = 1 - now / before
            if drop < falling or rank_test_greater(self.won("before", key, "amount"),
                                                   self.won("recent", key, "amount")) >= max_p:
                continue
            won = r.at[key, "won_count"]
            stake = (before - now) * won
            self.add(kind, kpi, scope, HIGH if drop >= 2 * falling else MEDIUM, title={"drop": float(drop)},
                     detail={"now": float(now), "before": float(before), "won": int(won), "stake": float(stake)},
                     numbers={"now": now, "before": before, "drop": drop, "won": won}, stake=stake)

    def cycle_lengthening(self) -> None:
        kind, kpi = "cycle_lengthening", "sales_cycle_days"
        rising = self.d.threshold(kpi, "rising_pct", 0.25)
        min_n = self.d.threshold(kpi, "min_count", 3)
        max_p = self.d.threshold(kpi, "max_p_value", 1.0)
        r, b = self.last91, self.prev182
        for scope, key in self.scopes():
            now, before = r.at[key, kpi], b.at[key, kpi]
            if not (_ok(now) and _ok(before)) or before <= 0 or r.at[key, "won_count"] < min_n \
                    or b.at[key, "won_count"] < min_n:
                continue
            rise = now / before - 1
            if rise < rising or rank_test_greater(self.won("recent", key, "cycle_days"),
                                                  self.won("before", key, "cycle_days")) >= max_p:
                continue
            self.add(kind, kpi, scope, HIGH if rise >= 2 * rising else MEDIUM, title={"rise": float(rise)},
                     detail={"now": float(now), "before": float(before)},
                     numbers={"now": now, "before": before, "rise": rise})

    def behind_target(self) -> None:
        kind, kpi = "behind_target", "revenue_won"
        book, tolerance = self.e.targets, near_tolerance(kpi, self.d)
        fsm = self.e.fiscal_start_month
        periods = {"month": Period.containing(MONTH, self.A),
                   "quarter": Period.containing(FISCAL_QUARTER if fsm != 1 else QUARTER, self.A, fsm)}
        behind: dict[Scope, dict[str, _Behind]] = {}
        for which, period in periods.items():
            elapsed = period.days_elapsed(self.A)
            if elapsed < 7:  # too early in the period to judge a pace
                continue
            share = elapsed / period.days
            t = self.e.table(period)
            for scope, key in self.scopes():
                # the target due is each month's target × its elapsed share, so a quarter whose
                # last month carries more (year-end push) is not judged linearly
                target = book.value(kpi, period, scope.level, scope.key[1])
                if target is None or target <= 0:
                    continue
                won, pace = float(t.at[key, kpi]), book.due(kpi, period, self.A, scope.level, scope.key[1])
                if target_status(won, pace, tolerance=tolerance) != BELOW_TARGET:
                    continue
                behind.setdefault(scope, {})[which] = _Behind(period, won, float(target), float(pace), share)
        for scope, found in behind.items():  # one alert per scope, whatever the periods (docstring)
            month, quarter = found.get("month"), found.get("quarter")
            if month and quarter:
                target = _say(kind, "both", month=month.period, quarter=quarter.period)
                parts: Message = _say(kind, "parts", month=month.part(), quarter=quarter.part())
            else:
                which, one = next(iter(found.items()))
                target, parts = _say(kind, which, **{which: one.period}), one.part()
            numbers = {f"{which}_{name}": getattr(b, name) for which, b in found.items()
                       for name in ("won", "target", "pace", "share")}
            high = any(b.won < 0.5 * b.pace for b in found.values())
            self.add(kind, kpi, scope, HIGH if high else MEDIUM, title={"target": target},
                     detail={"as_of": self.A, "parts": parts}, numbers=numbers,
                     stake=max(b.pace - b.won for b in found.values()))


def binom_cdf(k: float, n: float, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p): exact below 1,000 trials, normal approximation above."""
    k, n = int(round(k)), int(round(n))
    if k >= n:
        return 1.0
    if k < 0:
        return 0.0
    if n >= 1000:
        sd = math.sqrt(n * p * (1 - p))
        return 0.5 * math.erfc(-(k + 0.5 - n * p) / (sd * math.sqrt(2))) if sd > 0 else float(k >= n * p)
    if p <= 0:
        return 1.0
    if p >= 1:
        return 0.0
    log = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p)
           + (n - i) * math.log1p(-p) for i in range(k + 1)]
    return min(1.0, sum(math.exp(v) for v in log))


def rank_test_greater(x: np.ndarray, y: np.ndarray) -> float:
    """One-sided p-value that ``x`` tends to be larger than ``y`` (Mann-Whitney U, normal approximation).

    Used as a noise guard, not as science: with few deals it only keeps alerts whose
    shift is visible in the whole distribution, not in one median.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        return 1.0
    u = float((x[:, None] > y[None, :]).sum() + 0.5 * (x[:, None] == y[None, :]).sum())
    sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (u - n1 * n2 / 2 - 0.5) / sd  # continuity correction
    return 0.5 * math.erfc(z / math.sqrt(2))


def compute_alerts(data: PipelineData, as_of: DateLike, dictionary: KpiDictionary | None = None,
                   engine: KpiEngine | None = None) -> list[Alert]:
    """Every alert as of a date, most important first (see the module docstring).

    ``dictionary`` defaults to the engine's, else the workbook's own or the shipped one
    (``kpicore.metrics.dictionary.dictionary_of``)."""
    engine = engine or KpiEngine(data, to_date(as_of), dictionary)
    rules = _Rules(data, engine, dictionary if dictionary is not None else engine.dictionary)
    for rule in (rules.low_conversion, rules.meetings_falling, rules.few_proposals, rules.deal_size_falling,
                 rules.cycle_lengthening, rules.behind_target):
        rule()
    return sorted(rules.alerts, key=Alert.sort_key)
