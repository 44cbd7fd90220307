"""The demo company: deterministic, canonical, and showing the profiles it claims.

Every figure is recomputed here from the frames, never read back from the generator.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from kpicore.demo import company as demo_company
from kpicore.model import schema
from kpicore.model.pipeline_data import ATTRIBUTES
from kpicore.demo.company import DEMO_AS_OF, DEMO_PROFILES, generate, stalled_deals
from kpicore.model.errors import UsageError

AS_OF = pd.Timestamp(DEMO_AS_OF)
DAY = pd.Timedelta(days=1)


def _reps_with(profile: str) -> list[str]:
    return [rep for rep, p in DEMO_PROFILES.items() if p == profile]


def test_as_of_is_a_fixed_friday():
    assert DEMO_AS_OF == date(2026, 11, 20)
    assert DEMO_AS_OF.weekday() == 4


def test_same_seed_gives_identical_frames(demo_data):
    again = generate(seed=7)
    for name, frame in demo_data.frames().items():
        pd.testing.assert_frame_equal(frame, again.frames()[name], obj=name)


def test_another_seed_gives_other_deals(demo_data):
    other = generate(seed=8)
    assert not demo_data.deals["amount"].equals(other.deals["amount"])


def test_unknown_size_is_refused_in_french():
    with pytest.raises(UsageError, match="taille de démo inconnue"):
        generate(size="medium")


def test_every_frame_conforms_to_its_table(demo_data):
    for name, frame in demo_data.frames().items():
        table = ATTRIBUTES[name]
        assert list(frame.columns) == table.column_names, name
        for col in table.columns:
            assert str(frame[col.name].dtype) == col.dtype, (name, col.name)
        # Conforming again changes nothing: the frame already is canonical.
        pd.testing.assert_frame_equal(schema.conform(frame, table), frame, obj=name)
        for col in table.required:
            assert frame[col].notna().all(), (name, col)
        assert len(frame) > 0, name
    assert demo_data.present == frozenset(schema.TABLES)


def test_sizes_of_the_small_company(demo_data):
    assert 1500 <= len(demo_data.deals) <= 2500
    assert 30_000 <= len(demo_data.activities) <= 55_000
    reps = demo_data.reps
    assert len(reps) == 9
    assert sorted(reps["team"].unique()) == ["Grands comptes", "PME Régions"]
    assert set(DEMO_PROFILES) == set(reps["rep"])
    assert len(_reps_with("steady")) >= 2


def test_deal_ids_and_names(demo_data):
    deals = demo_data.deals
    assert deals["deal_id"].is_unique
    assert deals["deal_id"].str.fullmatch(r"AFF-\d{5}").all()
    # Nothing that a spreadsheet would read as a formula, and some French accents.
    for col in ("account", "owner", "next_step", "lost_reason"):
        text = deals[col].dropna()
        assert not text.str.match(r"^[=+\-@]").any(), col
    assert deals["account"].str.contains("[éèêàçôîÉ]", regex=True).any()
    assert demo_data.setting("company_name") == demo_company.COMPANY_NAME
    assert demo_data.setting("currency") == "EUR"
    assert demo_data.setting("language") == "fr"
    assert demo_data.setting("fiscal_year_start_month") == "1"


def test_dates_span_26_months_and_stop_at_as_of(demo_data):
    acts = demo_data.activities
    assert acts["date"].max() <= AS_OF
    # 26 months before November 2026 is September 2024.
    assert acts["date"].min() <= pd.Timestamp("2024-09-30")
    deals = demo_data.deals
    assert deals["created_on"].max() <= AS_OF
    assert deals["closed_on"].max() <= AS_OF
    assert deals["closed_on"].min() >= pd.Timestamp("2024-09-01")
    # Working days only for activities.
    assert (acts["date"].dt.day_of_week < 5).all()


def test_status_follows_stage_and_dates(demo_data):
    deals = demo_data.deals
    won, lost, open_ = (deals["status"] == s for s in ("won", "lost", "open"))
    assert (deals.loc[won, "stage"] == "Gagnée").all()
    assert (deals.loc[lost, "stage"] == "Perdue").all()
    open_stages = ["Prospection", "Qualification", "Proposition", "Négociation"]
    assert deals.loc[open_, "stage"].isin(open_stages).all()
    assert deals.loc[won | lost, "closed_on"].notna().all()
    assert deals.loc[open_, "closed_on"].isna().all()
    assert (deals["closed_on"].dropna() >= deals.loc[won | lost, "created_on"]).all()
    assert deals.loc[lost, "lost_reason"].notna().all()
    assert deals.loc[~lost, "lost_reason"].isna().all()
    assert deals.loc[won, "probability"].eq(1.0).all() and deals.loc[lost, "probability"].eq(0.0).all()
    # Declared probabilities of open deals: the stage default or more (optimistic), at most 90 %.
    default = dict((s[0], s[4]) for s in schema.DEFAULT_STAGES)
    p = deals.loc[open_, "probability"]
    assert (p >= deals.loc[open_, "stage"].map(default) - 1e-9).all() and (p <= 0.9).all()
    # Some open deals lack a next step, most have one.
    share_missing = deals.loc[open_, "next_step"].isna().mean()
    assert 0.05 < share_missing < 0.5


def test_stage_history_is_consistent_with_deals(demo_data):
    deals = demo_data.deals.set_index("deal_id")
    hist = demo_data.stage_history
    assert hist["entered_on"].max() <= AS_OF
    grouped = hist.groupby("deal_id", sort=False)
    assert set(grouped.groups) == set(deals.index)
    first = grouped.first()
    last = grouped.last()
    assert (first["stage"] == "Prospection").all()
    assert (first["entered_on"] == deals.loc[first.index, "created_on"]).all()
    assert (last["stage"] == deals.loc[last.index, "stage"]).all()
    closed = deals["closed_on"].notna()
    assert (last.loc[closed[closed].index, "entered_on"] == deals.loc[closed, "closed_on"]).all()
    # Dates strictly increase within a deal.
    assert (grouped["entered_on"].diff().dropna() > pd.Timedelta(0)).all()
    # The proposal date is the first entry into Proposition.
    prop = hist[hist["stage"] == "Proposition"].groupby("deal_id")["entered_on"].min()
    assert deals["proposal_on"].notna().sum() == len(prop)
    assert (deals.loc[prop.index, "proposal_on"] == prop).all()
    # Some deals go back from Négociation to Proposition (regressions).
    order = {s[0]: s[1] for s in schema.DEFAULT_STAGES}
    step = hist["stage"].map(order).groupby(hist["deal_id"]).diff()
    assert (step < 0).sum() >= 5


def test_activities_are_linked_to_deals_within_their_life(demo_data):
    acts = demo_data.activities
    assert set(acts["type"].unique()) == {"call", "meeting", "qualified_meeting", "proposal", "follow_up",
                                          "co_visit"}
    linked = acts.dropna(subset=["deal_id"]).merge(
        demo_data.deals[["deal_id", "owner", "account", "created_on", "closed_on"]], on="deal_id",
        suffixes=("", "_deal"))
    assert len(linked) == acts["deal_id"].notna().sum()  # every deal_id exists
    assert (linked["date"] >= linked["created_on"]).all()
    assert (linked["date"] <= linked["closed_on"].fillna(AS_OF)).all()
    assert (linked["rep"] == linked["owner"]).all()
    assert (linked["account"] == linked["account_deal"]).all()
    # Every proposal activity belongs to a deal that has a proposal date on that day.
    props = linked[linked["type"] == "proposal"].merge(demo_data.deals[["deal_id", "proposal_on"]])
    assert (props["date"] == props["proposal_on"]).all()
    # last_activity_on is the date of the deal's last activity.
    last = acts.groupby("deal_id")["date"].max()
    deals = demo_data.deals.set_index("deal_id")
    assert (deals.loc[last.index, "last_activity_on"] == last).all()


def test_deal_sizes_cycles_and_conversion(demo_data):
    deals = demo_data.deals
    # Lognormal sizes: median near 15 k€ and a long tail (mean well above the median).
    median = deals["amount"].median()
    assert 11_000 <= median <= 20_000
    assert deals["amount"].mean() > 1.2 * median
    assert deals["amount"].max() > 8 * median
    won = deals[deals["status"] == "won"]
    cycle = (won["closed_on"] - won["created_on"]).dt.days
    assert 45 <= cycle.median() <= 90
    assert cycle.quantile(0.1) >= 20 and cycle.quantile(0.9) <= 150
    # Proposal -> order conversion among decided deals that had a proposal.
    decided = deals[deals["proposal_on"].notna() & deals["status"].isin(["won", "lost"])]
    conversion = (decided["status"] == "won").sum() / len(decided)
    assert 0.20 <= conversion <= 0.35


def _qualified_per_week(acts: pd.DataFrame, rep: str) -> tuple[float, float]:
    """(last 4 weeks, the 8 weeks before), qualified meetings per week."""
    q = acts.loc[(acts["type"] == "qualified_meeting") & (acts["rep"] == rep), "date"]
    last4 = ((q > AS_OF - 28 * DAY) & (q <= AS_OF)).sum() / 4
    before8 = ((q > AS_OF - 84 * DAY) & (q <= AS_OF - 28 * DAY)).sum() / 8
    return last4, before8


def test_falling_meetings_rep(demo_data):
    (rep,) = _reps_with("falling_meetings")
    last4, before8 = _qualified_per_week(demo_data.activities, rep)
    assert before8 > 1.0
    assert last4 < 0.6 * before8
    for steady in _reps_with("steady"):
        s4, s8 = _qualified_per_week(demo_data.activities, steady)
        assert s4 >= 0.75 * s8, steady


def _proposals_per_qualified(acts: pd.DataFrame) -> pd.Series:
    year = acts[acts["date"] > AS_OF - 365 * DAY]
    counts = year.groupby(["rep", "type"]).size().unstack(fill_value=0)
    return counts["proposal"] / counts["qualified_meeting"]


def test_busy_rep_has_many_meetings_few_proposals(demo_data):
    (rep,) = _reps_with("busy_no_proposals")
    ratio = _proposals_per_qualified(demo_data.activities)
    others = ratio.drop(index=[rep, *_reps_with("new_hire")])
    assert ratio[rep] < 0.5 * others.min()
    qm = demo_data.activities[demo_data.activities["type"] == "qualified_meeting"]
    per_rep = qm[qm["date"] > AS_OF - 365 * DAY].groupby("rep").size()
    assert per_rep[rep] == per_rep.max()


def _conversion_by_rep(deals: pd.DataFrame) -> pd.Series:
    decided = deals[deals["proposal_on"].notna() & deals["status"].isin(["won", "lost"])]
    return (decided["status"] == "won").groupby(decided["owner"]).mean()


def test_low_conversion_rep_and_weak_discovery(demo_data):
    (rep,) = _reps_with("low_conversion")
    conv = _conversion_by_rep(demo_data.deals)
    assert conv[rep] < 0.15
    assert conv.drop(index=[rep, *_reps_with("new_hire")]).min() > 0.2
    cv = demo_data.co_visits
    scores = cv[["discovery_quality", "proposal_relevance", "customer_satisfaction"]]
    assert scores.stack().between(1, 5).all()
    # Against every rep with enough co-visits to have a stable mean (the new hire has a few).
    by_rep = cv.groupby("rep")["discovery_quality"].agg(["mean", "count"])
    others = by_rep.drop(index=rep)
    assert by_rep.loc[rep, "count"] >= 10
    assert by_rep.loc[rep, "mean"] < others.loc[others["count"] >= 10, "mean"].min() - 0.5
    # Co-visits are also logged as activities of the rep on the same day and account.
    co_acts = demo_data.activities[demo_data.activities["type"] == "co_visit"]
    assert len(co_acts) == len(cv)
    pairs = set(zip(co_acts["date"], co_acts["rep"], co_acts["account"]))
    assert all(p in pairs for p in zip(cv["date"], cv["rep"], cv["account"]))


def test_lengthening_cycle_rep(demo_data):
    (rep,) = _reps_with("lengthening_cycle")
    won = demo_data.deals[(demo_data.deals["status"] == "won") & (demo_data.deals["owner"] == rep)]
    cycle = (won["closed_on"] - won["created_on"]).dt.days
    last3 = cycle[won["closed_on"] > AS_OF - pd.DateOffset(months=3)]
    before6 = cycle[(won["closed_on"] <= AS_OF - pd.DateOffset(months=3))
                    & (won["closed_on"] > AS_OF - pd.DateOffset(months=9))]
    year_ago = cycle[(won["closed_on"] <= AS_OF - pd.DateOffset(months=12))
                     & (won["closed_on"] > AS_OF - pd.DateOffset(months=18))]
    assert len(last3) >= 3
    assert last3.median() > 1.25 * before6.median()
    assert last3.median() > 1.4 * year_ago.median()


def test_steady_reps_near_target(demo_data):
    t = demo_data.targets
    deals = demo_data.deals
    # The twelve whole months before as_of's month: November 2025 .. October 2026.
    months = [str(p) for p in pd.period_range("2025-11", "2026-10", freq="M")]
    for rep in _reps_with("steady"):
        target = t[(t["scope_type"] == "rep") & (t["scope_name"] == rep) & (t["metric"] == "revenue")
                   & t["period"].isin(months)]["value"].sum()
        won = deals[(deals["owner"] == rep) & (deals["status"] == "won")
                    & deals["closed_on"].dt.to_period("M").astype(str).isin(months)]
        assert 0.7 * target <= won["amount"].sum() <= 1.3 * target, rep


def test_new_hire_started_four_months_ago(demo_data):
    (rep,) = _reps_with("new_hire")
    reps = demo_data.reps.set_index("rep")
    start = reps.loc[rep, "start_on"]
    assert pd.Timestamp("2026-07-15") <= start <= pd.Timestamp("2026-07-25")
    assert (reps.drop(index=rep)["start_on"] < pd.Timestamp("2024-09-01")).all()
    assert demo_data.deals.loc[demo_data.deals["owner"] == rep, "created_on"].min() >= start
    assert demo_data.activities.loc[demo_data.activities["rep"] == rep, "date"].min() >= start
    # Started on 20/07/2026: no target in July, then 20 % of a full one in August.
    t = demo_data.targets
    mine = t[(t["scope_name"] == rep) & (t["metric"] == "revenue")].set_index("period")["value"]
    assert mine.index.min() == "2026-08"
    full = t[(t["scope_name"] == _reps_with("ordinary")[-1]) & (t["metric"] == "revenue")
             & (t["period"] == "2026-08")]["value"].iloc[0]  # same team, so same deal sizes
    assert mine["2026-08"] == pytest.approx(0.2 * full, abs=1000)  # targets are rounded to 1 000 €


def test_targets_team_and_company_are_sums(demo_data):
    t = demo_data.targets
    assert t["period"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert set(t["metric"]) == {"revenue", "qualified_meetings_per_week", "proposals_per_month"}
    assert t["period"].min() == "2024-09" and t["period"].max() == "2026-12"
    rep_team = demo_data.reps.set_index("rep")["team"]
    reps = t[t["scope_type"] == "rep"]
    team_sum = reps.groupby([reps["period"], reps["scope_name"].map(rep_team), reps["metric"]])["value"].sum()
    teams = t[t["scope_type"] == "team"].set_index(["period", "scope_name", "metric"])["value"]
    pd.testing.assert_series_equal(teams.sort_index(), team_sum.sort_index().rename_axis(teams.index.names),
                                   check_names=False, atol=0.05)
    company = t[t["scope_type"] == "company"].set_index(["period", "metric"])["value"]
    assert t.loc[t["scope_type"] == "company", "scope_name"].isna().all()
    by_period = reps.groupby(["period", "metric"])["value"].sum()
    assert np.allclose(company.sort_index(), by_period.sort_index(), atol=0.05)
    # Seasonality: the August revenue target is below June's and December's is the highest.
    sophie = reps[(reps["scope_name"] == "Sophie Martin") & (reps["metric"] == "revenue")].set_index("period")
    assert sophie.loc["2025-08", "value"] < 0.7 * sophie.loc["2025-06", "value"]
    assert sophie.loc["2025-12", "value"] == sophie.loc[sophie.index.str.startswith("2025"), "value"].max()


def test_seasonality_of_wins(demo_data):
    # Deals won per month (counts: amounts are too noisy), averaged per calendar month over
    # the whole months of the history, September 2024 to October 2026.
    won = demo_data.deals[demo_data.deals["status"] == "won"]
    months = pd.period_range("2024-09", "2026-10", freq="M")
    per_month = won["closed_on"].dt.to_period("M").value_counts().reindex(months, fill_value=0)
    by_month = per_month.groupby(per_month.index.month).mean()
    assert by_month[8] < 0.6 * by_month.drop(index=8).median()  # August dip
    assert by_month[12] > by_month.drop(index=12).median()  # year-end push


def test_snapshots_are_consistent_with_deals(demo_data):
    snaps = demo_data.pipeline_snapshots
    fridays = snaps["snapshot_on"].drop_duplicates().sort_values()
    assert len(fridays) == demo_company.SNAPSHOT_WEEKS
    assert (fridays.dt.day_of_week == 4).all()
    assert fridays.iloc[-1] == AS_OF
    assert (fridays.diff().dropna() == 7 * DAY).all()
    assert not snaps.duplicated(["snapshot_on", "deal_id"]).any()
    assert (snaps["status"] == "open").all()
    # The last snapshot holds exactly the deals open at as_of, as they stand.
    deals = demo_data.deals.set_index("deal_id")
    open_ids = set(deals.index[deals["status"] == "open"])
    last = snaps[snaps["snapshot_on"] == AS_OF].set_index("deal_id")
    assert set(last.index) == open_ids
    for col in ("owner", "stage", "amount", "expected_close_on", "probability"):
        assert (last[col] == deals.loc[last.index, col]).all(), col
    # Every snapshot row: the deal existed and was not closed yet that day.
    j = snaps.join(deals[["created_on", "closed_on"]], on="deal_id")
    assert (j["created_on"] <= j["snapshot_on"]).all()
    assert (j["closed_on"].isna() | (j["closed_on"] > j["snapshot_on"])).all()
    # A deal open on a Friday in the window is in that Friday's snapshot.
    friday = AS_OF - 26 * 7 * DAY
    alive = deals[(deals["created_on"] <= friday)
                  & (deals["closed_on"].isna() | (deals["closed_on"] > friday))]
    assert set(snaps.loc[snaps["snapshot_on"] == friday, "deal_id"]) == set(alive.index)


def test_snapshot_stage_is_the_stage_history_stage(demo_data):
    snaps = demo_data.pipeline_snapshots
    hist = demo_data.stage_history.sort_values(["entered_on"])
    merged = pd.merge_asof(snaps.sort_values("snapshot_on"), hist, left_on="snapshot_on",
                           right_on="entered_on", by="deal_id", suffixes=("", "_hist"))
    assert (merged["stage"] == merged["stage_hist"]).all()


def test_expected_close_dates_are_pushed_and_amounts_cut(demo_data):
    snaps = demo_data.pipeline_snapshots.sort_values(["deal_id", "snapshot_on"])
    changes = snaps.groupby("deal_id")["expected_close_on"].nunique()
    assert (changes >= 2).sum() >= 30  # pushed at least once while watched
    # Pushes only move the date later.
    step = snaps.groupby("deal_id")["expected_close_on"].diff().dropna()
    assert (step >= pd.Timedelta(0)).all()
    amount_step = snaps.groupby("deal_id")["amount"].diff().dropna()
    assert (amount_step <= 0).all() and (amount_step < 0).sum() >= 5


def test_stalled_deals_exist_and_are_open(demo_data):
    stalled = stalled_deals()
    assert stalled == demo_company.DEMO_STALLED_DEALS
    assert 4 <= len(stalled) <= 10
    deals = demo_data.deals.set_index("deal_id")
    assert set(stalled) <= set(deals.index)
    s = deals.loc[list(stalled)]
    assert (s["status"] == "open").all()
    assert all(isinstance(why, str) and why for why in stalled.values())
    # Each symptom is present in the data.
    last_act = s["last_activity_on"]
    assert ((AS_OF - last_act).dt.days > 60).any()
    assert (s["expected_close_on"] < AS_OF).sum() >= 2
    assert s["next_step"].isna().any()
    hist = demo_data.stage_history
    entered = hist[hist["deal_id"].isin(list(stalled))].groupby("deal_id")["entered_on"].max()
    assert ((AS_OF - entered).dt.days > 120).any()
    snaps = demo_data.pipeline_snapshots
    mine = snaps[snaps["deal_id"].isin(list(stalled))]
    assert (mine.groupby("deal_id")["expected_close_on"].nunique() >= 3).any()  # pushed twice
    amounts = mine.groupby("deal_id")["amount"]
    assert ((amounts.max() - amounts.min()) / amounts.max() >= 0.39).any()  # cut by 40 %


def test_actions_and_stages(demo_data):
    actions = demo_data.actions
    assert 3 <= len(actions) <= 15
    assert actions["decision"].notna().all()
    assert actions["date"].max() <= AS_OF
    pd.testing.assert_frame_equal(demo_data.stages, schema.default_stages())


def test_profiles_of_the_large_company():
    profiles = demo_company.demo_profiles("large")
    assert len(profiles) == 120
    counts = pd.Series(profiles).value_counts()
    assert counts["steady"] == 24 and counts["new_hire"] == 12 and counts["ordinary"] == 36


@pytest.mark.slow
def test_large_company_sizes():
    data = generate(size="large")
    assert 90_000 <= len(data.deals) <= 110_000
    assert 900_000 <= len(data.activities) <= 1_100_000
    assert data.reps["team"].nunique() == 12
    assert data.deals["deal_id"].is_unique
    decided = data.deals[data.deals["proposal_on"].notna() & data.deals["status"].isin(["won", "lost"])]
    assert 0.20 <= (decided["status"] == "won").mean() <= 0.35
