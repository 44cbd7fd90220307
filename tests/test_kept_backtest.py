"""The backtest is replayed once per week of data and kept in the workbook (DESIGN.md, "The forecast").

The key (``kpicore.forecast.backtest_key``) must not move with this week's news (a close dated on or after
the Monday, this week's snapshot) and must move with the past (a deal closed last month edited) and with
a new week of data.  A refresh reads the replay back from the hidden ``_Backtest`` sheet and replays only
when the key differs; what it forecasts from the replay read back equals what the refresh that replayed
forecast.  Replays are counted by wrapping the replay function where the product calls it.
"""

from __future__ import annotations

import shutil
import warnings
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

import kpicore.forecast.backtest as backtest_module
import kpicore.forecast.kept_backtest as kept_module
import kpicore.forecast.shown as shown_module
from kpicore.forecast.asof import data_today
from kpicore.forecast.backtest_key import backtest_key, monday_of_week, replay_end, week_monday
from kpicore.forecast.kept_backtest import kept_of_rows, kept_rows, kept_table
from kpicore.model import schema

SIMS = 200
NOW = datetime(2026, 11, 20, 8, 30)


# -- the key ----------------------------------------------------------------------------------------
def _closed_before_monday(data) -> int:
    """Position of a won deal closed before the Monday of the data's week (last month)."""
    d = data.deals
    monday = week_monday(data)
    hits = np.flatnonzero(((d["status"] == "won") & (d["closed_on"] < monday - pd.Timedelta(days=20))).to_numpy(bool))
    return int(hits[-1])


def _open_created_before_monday(data) -> int:
    d = data.deals
    hits = np.flatnonzero(((d["status"] == "open") & (d["created_on"] < week_monday(data))).to_numpy(bool))
    return int(hits[0])


def _closed_this_week(data):
    """``data`` with one deal open on the Monday now won, dated the date of the data (this week)."""
    deals = data.deals.copy()
    i = _open_created_before_monday(data)
    deals.loc[deals.index[i], ["status", "closed_on"]] = ["won", data_today(data)]
    return data.with_frames(deals=deals)


def _edited_last_month(data):
    """``data`` with the amount of a deal won last month changed."""
    deals = data.deals.copy()
    i = _closed_before_monday(data)
    deals.loc[deals.index[i], "amount"] = float(deals["amount"].iloc[i]) + 1000.0
    return data.with_frames(deals=deals)


def _weeks_later(data, days: int):
    """``data`` with one deal created ``days`` after the date of the data: a later week of the same past."""
    deals = data.deals
    row = deals.iloc[[_open_created_before_monday(data)]].copy()
    row["deal_id"] = "KEPT-LATER-1"
    row["created_on"] = data_today(data) + pd.Timedelta(days=days)
    return data.with_frames(deals=pd.concat([deals, row], ignore_index=True))


def _next_week(data):
    """``data`` with one deal created a week after the date of the data (a new week of data)."""
    return _weeks_later(data, 7)


def test_a_close_dated_this_week_keeps_the_key(demo_data):
    changed = _closed_this_week(demo_data)
    assert data_today(changed) == data_today(demo_data)
    assert backtest_key(changed) == backtest_key(demo_data)


def test_a_snapshot_taken_this_week_keeps_the_key(demo_data):
    snaps = demo_data.pipeline_snapshots
    this_week = (snaps["snapshot_on"] >= week_monday(demo_data)).to_numpy(bool)
    assert this_week.any()  # the demo company's refresh of this week took one
    unsnapped = demo_data.with_frames(pipeline_snapshots=snaps[~this_week])
    assert data_today(unsnapped) == data_today(demo_data)
    assert backtest_key(unsnapped) == backtest_key(demo_data)


def test_an_edit_to_a_deal_closed_last_month_changes_the_key(demo_data):
    before, after = backtest_key(demo_data), backtest_key(_edited_last_month(demo_data))
    assert after.week == before.week and after.digest != before.digest


def test_an_edit_to_a_stage_history_row_before_the_monday_changes_the_key(demo_data):
    hist = demo_data.stage_history.copy()
    old = (hist["entered_on"] < week_monday(demo_data)).to_numpy(bool)
    assert old.any()
    i = hist.index[np.flatnonzero(old)[0]]
    hist.loc[i, "entered_on"] = hist.loc[i, "entered_on"] - pd.Timedelta(days=1)
    assert backtest_key(demo_data.with_frames(stage_history=hist)).digest != backtest_key(demo_data).digest


def test_a_later_week_of_data_changes_the_key(demo_data):
    before, after = backtest_key(demo_data), backtest_key(_next_week(demo_data))
    assert after.week != before.week
    y, w, _ = (data_today(demo_data) + pd.Timedelta(days=7)).isocalendar()
    assert after.week == f"{y}-W{w:02d}"


def test_the_key_does_not_depend_on_the_order_of_rows(demo_data):
    shuffled = demo_data.with_frames(deals=demo_data.deals.sample(frac=1.0, random_state=3),
                                     stage_history=demo_data.stage_history.iloc[::-1])
    assert backtest_key(shuffled) == backtest_key(demo_data)


def test_the_replay_kept_scores_only_periods_over_before_the_monday(demo_data):
    end = replay_end(demo_data)
    assert end.weekday() == 6 and end + pd.Timedelta(days=1) == week_monday(demo_data)


# -- the sheet ----------------------------------------------------------------------------------------
def _as_an_engine_reads(table, frame) -> list[list]:
    from workbook_templates.product_sheets import frame_rows

    return frame_rows(frame, table)


def test_every_column_comes_back_with_its_kind_including_columns_the_replay_may_gain():
    from kpicore.forecast.backtest import Backtest
    from kpicore.forecast.backtest_key import BacktestKey
    from kpicore.forecast.kept_backtest import KeptBacktest

    rows = pd.DataFrame({
        "as_of": pd.to_datetime(["2026-01-05", "2026-01-12"]), "granularity": ["month", "month"],
        "period": ["2026-01", "2026-01"], "method": ["calibrated", "run_rate"],
        "predicted": [0.1 + 0.2, 1234.5678901234567], "actual": [1.0, 0.0], "p10": [0.5, 0.5], "p90": [2.0, 2.0],
        "period_end": pd.to_datetime(["2026-01-31", "2026-01-31"]), "third": [0, 1],
        "log_ratio": [-np.inf, np.nan], "a_new_flag": [True, False], "a_new_count": [3, 4],
    })
    kept = KeptBacktest(BacktestKey("2026-W05", "sha256:ab"), datetime(2026, 2, 2, 9, 5), Backtest.from_rows(rows))
    back = kept_of_rows(_as_an_engine_reads(*kept_table(kept)))
    assert back.key == kept.key and back.computed_at == kept.computed_at
    got = back.backtest.rows
    assert list(got.columns) == list(rows.columns)
    pd.testing.assert_frame_equal(got, kept_rows(rows), check_dtype=False)
    assert [got[c].dtype.kind for c in ("as_of", "predicted", "third", "a_new_flag", "a_new_count")] == \
        ["M", "f", "i", "b", "i"]
    assert got["log_ratio"].iloc[0] == -np.inf and np.isnan(got["log_ratio"].iloc[1])
    assert got["predicted"].iloc[0] == float(f"{0.1 + 0.2:.15g}")  # floats kept to 15 digits


def test_an_empty_replay_keeps_its_key_and_columns():
    from kpicore.forecast.backtest import Backtest
    from kpicore.forecast.backtest_key import BacktestKey
    from kpicore.forecast.kept_backtest import KeptBacktest

    columns = {"as_of": "datetime64[ns]", "granularity": "str", "method": "str", "predicted": float, "actual": float,
               "p10": float, "p90": float}
    rows = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    kept = KeptBacktest(BacktestKey("2026-W05", "sha256:ab"), datetime(2026, 2, 2), Backtest.from_rows(rows))
    back = kept_of_rows(_as_an_engine_reads(*kept_table(kept)))
    assert back.key == kept.key and list(back.backtest.rows.columns) == list(columns)
    assert back.backtest.rows.empty and back.backtest.method_shown == "run_rate"


def test_a_sheet_not_in_the_layout_is_no_backtest():
    assert kept_of_rows(None) is None
    assert kept_of_rows([["Semaine des données", "as_of [date]"], ["2026-W05", "2026-01-05"]]) is None


def test_the_sheet_is_a_product_sheet_the_ingest_never_reads():
    assert schema.BACKTEST_SHEET in schema.OUTPUT_SHEETS


# -- the refresh ----------------------------------------------------------------------------------------
@pytest.fixture
def replays(monkeypatch):
    """Calls of the replay, wherever the product replays (the week's replay, a forecast's own)."""
    calls: list[str] = []
    real = backtest_module.backtest

    def counted(where):
        def run(*args, **kwargs):
            calls.append(where)
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(kept_module, "backtest", counted("kept"))
    monkeypatch.setattr(shown_module, "backtest", counted("shown"))
    monkeypatch.setattr(backtest_module, "backtest", counted("module"))
    return calls


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, demo_workbook):
    """The demo workbook refreshed once: it keeps the week's replay."""
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    path = tmp_path_factory.mktemp("kept") / "pipeline_demo.xlsx"
    shutil.copy(demo_workbook, path)
    outcome = refresh(FileWorkbook(path, backup=False), now=NOW, n_sims=SIMS)
    return path, outcome


def _company(outcome) -> pd.DataFrame:
    h = outcome.forecast_history
    day = h[(h["snapshot_on"] == pd.Timestamp(outcome.as_of)) & (h["scope_type"] == "company")]
    return day[["period", "p10", "p50", "p90", "shown", "method_shown"]].sort_values("period").reset_index(drop=True)


def _copy(path, tmp_path):
    out = tmp_path / "copy.xlsx"
    shutil.copy(path, out)
    return out


def test_the_first_refresh_replays_and_keeps_the_replay_in_a_hidden_sheet(refreshed):
    from openpyxl import load_workbook

    path, outcome = refreshed
    assert outcome.backtest.replayed and outcome.backtest.key == backtest_key(outcome.data)
    with warnings.catch_warnings():  # openpyxl does not know the sparklines' extension; the sheets are what count
        warnings.simplefilter("ignore", UserWarning)
        wb = load_workbook(path, read_only=False)
    assert wb[schema.BACKTEST_SHEET].sheet_state == "hidden"
    assert wb.sheetnames.index(schema.BACKTEST_SHEET) > wb.sheetnames.index(schema.FORECAST_HISTORY.sheet_fr)


def test_a_second_refresh_in_the_same_week_reads_the_replay_back_and_forecasts_the_same(refreshed, replays,
                                                                                       tmp_path):
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    path, first = refreshed
    said: list[str] = []
    again = refresh(FileWorkbook(_copy(path, tmp_path), backup=False, progress=said.append), now=NOW, n_sims=SIMS)
    assert replays == []
    # the replay, the longest step of a large company's refresh, is announced only when it runs
    assert said and not any("rejeu" in line for line in said), said
    assert not again.backtest.replayed and again.backtest.computed_at == first.backtest.computed_at
    pd.testing.assert_frame_equal(_company(again), _company(first))  # the same P10 / P50 / P90, exactly
    assert len(_company(first)) == 2  # month and quarter


def test_a_refresh_that_replays_says_so_while_it_works(demo_workbook, replays, tmp_path):
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    said: list[str] = []
    refresh(FileWorkbook(_copy(demo_workbook, tmp_path), backup=False, progress=said.append), now=NOW, n_sims=SIMS)
    assert replays == ["kept"]
    replaying = [k for k, line in enumerate(said) if line.startswith("rejeu de l'historique")]
    assert len(replaying) == 1 and said[replaying[0] - 1].startswith("calcul des KPI"), said


def test_the_cockpit_says_when_the_replay_was_computed(refreshed):
    _, outcome = refreshed
    texts = [str(c.value) for c in outcome.spec.cell_map().values() if isinstance(c.value, str)]
    said = [t for t in texts if t.startswith("Historique rejoué le")]
    assert len(said) == 1 and "20/11/2026 à 08:30" in said[0] and backtest_key(outcome.data).week in said[0]


def _workbook_of(data, kept_rows_read, tmp_path):
    """A workbook of ``data`` that still keeps the replay an earlier refresh wrote (``kept_rows_read``)."""
    from addin.engines.file import FileWorkbook
    from addin.engines.protocol import FrameSheet
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    path = tmp_path / "edited.xlsx"
    write_pipeline_workbook(data, path)
    kept = kept_of_rows(kept_rows_read)
    # the writer shows one of the sheets it writes; the refresh that follows shows the Cockpit
    FileWorkbook(path, backup=False).write([FrameSheet(*kept_table(kept))], active=schema.BACKTEST_SHEET)
    return path


def _refresh_of(data, refreshed, tmp_path):
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    path, _ = refreshed
    rows = FileWorkbook(path).sheet_rows(schema.BACKTEST_SHEET)
    return refresh(FileWorkbook(_workbook_of(data, rows, tmp_path), backup=False), now=NOW, n_sims=SIMS)


def test_a_close_dated_this_week_does_not_replay(refreshed, replays, tmp_path, demo_data):
    outcome = _refresh_of(_closed_this_week(demo_data), refreshed, tmp_path)
    assert replays == [] and not outcome.backtest.replayed


def test_an_edit_to_a_deal_closed_last_month_replays(refreshed, replays, tmp_path, demo_data):
    outcome = _refresh_of(_edited_last_month(demo_data), refreshed, tmp_path)
    assert replays == ["kept"] and outcome.backtest.replayed


def test_the_first_refresh_of_a_new_week_of_data_replays_and_rewrites_the_sheet(refreshed, replays, tmp_path,
                                                                                 demo_data):
    from addin.engines.file import FileWorkbook

    changed = _next_week(demo_data)
    outcome = _refresh_of(changed, refreshed, tmp_path)
    assert replays == ["kept"] and outcome.backtest.key.week == backtest_key(changed).week
    written = kept_of_rows(FileWorkbook(tmp_path / "edited.xlsx").sheet_rows(schema.BACKTEST_SHEET))
    assert written.key == outcome.backtest.key


# -- the decks and the diagnostic ----------------------------------------------------------------------
def test_the_monthly_deck_of_a_refreshed_workbook_does_not_replay(refreshed, replays, tmp_path):
    from addin.actions.decks import make_deck
    from addin.engines.file import FileWorkbook

    path, _ = refreshed
    made = make_deck(FileWorkbook(path), "monthly", tmp_path)
    assert made.path.exists() and replays == []


def test_the_diagnostic_of_a_refreshed_workbook_measures_the_kept_replay(refreshed, replays):
    from addin.actions.diagnostic import run_diagnostic
    from addin.engines.file import FileWorkbook

    path, outcome = refreshed
    made = run_diagnostic(FileWorkbook(path), write=False)
    assert replays == []
    month = outcome.backtest.backtest.summary
    month = month[(month["granularity"] == "month") & (month["method"] == "calibrated")]
    got = [a for a in made.diagnostic.accuracy if a.method == "calibrated"]
    assert got and got[0].scored == int(month["n_scored"].iloc[0])


# -- a new week extends last week's replay ----------------------------------------------------------
@pytest.fixture(scope="module")
def two_weeks(demo_data):
    """Last week's replay of the demo and the data of a week 17 days later (a month closed in between)."""
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.kept_backtest import replay_kept

    earlier = replay_kept(prepare(demo_data), now=NOW)
    return earlier, _weeks_later(demo_data, 17)


def test_a_later_week_of_the_same_past_extends_last_weeks_replay_to_the_rows_of_a_full_replay(two_weeks,
                                                                                               monkeypatch):
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.kept_backtest import extends, replay_kept, reuse_or_replay

    earlier, later = two_weeks
    assert extends(earlier, later)
    full = replay_kept(prepare(later), now=NOW).backtest.rows
    earlier_end = monday_of_week(earlier.key.week) - pd.Timedelta(days=1)
    # a month is over between the two replays' ends: the extension has periods of its own to replay
    assert (full["period_end"] > earlier_end).any() and (full["period_end"] <= earlier_end).any()

    replayed_dates: list[pd.Timestamp] = []
    real = backtest_module.pipelines_as_of

    def watched(data, dates, **kwargs):
        replayed_dates.extend(pd.Timestamp(d) for d in dates)
        return real(data, dates, **kwargs)

    monkeypatch.setattr(backtest_module, "pipelines_as_of", watched)
    extended = reuse_or_replay(prepare(later), earlier, now=NOW)
    assert extended.replayed and extended.key == backtest_key(later)
    # only the dates that forecast a period over after last week's end were replayed
    assert sorted(set(replayed_dates)) == sorted(set(full.loc[full["period_end"] > earlier_end, "as_of"]))
    got = extended.backtest.rows
    assert list(got.columns) == list(full.columns) and len(got) == len(full)
    for column in full.columns:
        if pd.api.types.is_float_dtype(full[column]):
            np.testing.assert_allclose(got[column].to_numpy(float), full[column].to_numpy(float), rtol=1e-9,
                                       equal_nan=True, err_msg=column)
        else:
            assert got[column].tolist() == full[column].tolist(), column


def test_a_later_week_whose_past_was_edited_replays_in_full(two_weeks):
    from kpicore.forecast.kept_backtest import extends

    earlier, later = two_weeks
    deals = later.deals.copy()
    i = _closed_before_monday(later.with_frames(deals=deals.iloc[:-1]))  # closed before last week's Monday
    assert deals["closed_on"].iloc[i] < monday_of_week(earlier.key.week)
    deals.loc[deals.index[i], "amount"] = float(deals["amount"].iloc[i]) + 1000.0
    assert not extends(earlier, later.with_frames(deals=deals))


def test_the_same_week_does_not_extend_but_reuses(two_weeks, demo_data):
    from kpicore.forecast.kept_backtest import extends

    earlier, _ = two_weeks
    assert not extends(earlier, demo_data)  # same week: the key matches, reuse_or_replay reuses


def test_a_past_saved_again_by_a_refresh_keeps_its_key(refreshed, tmp_path, monkeypatch):
    """The Monday refresh appends the week's snapshot and writes the snapshot sheet again, its older rows
    with the 15 digits a cell keeps (0.30000000000000004 comes back 0.3): the next week's first refresh
    reads the same past, so it extends the kept replay: no as-of date is replayed (no period is over
    between the two Mondays), where a full replay rebuilds every pipeline since the first year."""
    from addin.actions.refresh import read_company, refresh
    from addin.engines.file import FileWorkbook

    path, first = refreshed
    copy = _copy(path, tmp_path)
    monday = (week_monday(first.data) + pd.Timedelta(days=7)).date()
    taken = refresh(FileWorkbook(copy, backup=False), as_of=monday, now=NOW, n_sims=SIMS)
    assert taken.snapshot_taken and not taken.backtest.replayed
    reread = read_company(FileWorkbook(copy))
    assert backtest_key(reread).week != first.backtest.key.week  # the snapshot dated Monday: a new week
    assert backtest_key(reread, week_monday(first.data)) == first.backtest.key

    replayed_dates: list = []
    real = backtest_module.pipelines_as_of

    def watched(data, dates, **kwargs):
        replayed_dates.extend(dates)
        return real(data, dates, **kwargs)

    monkeypatch.setattr(backtest_module, "pipelines_as_of", watched)
    next_week = refresh(FileWorkbook(copy, backup=False), as_of=monday, now=NOW, n_sims=SIMS)
    assert next_week.backtest.replayed and next_week.backtest.key.week == backtest_key(reread).week
    assert replayed_dates == []
    assert len(next_week.backtest.backtest.rows) == len(first.backtest.backtest.rows)


def test_the_key_reads_numbers_to_the_fifteen_digits_a_cell_keeps():
    from kpicore.forecast.backtest_key import to_significant

    got = to_significant(np.array([0.1 + 0.2, 1234567.891234567891, -0.000123456789012345678, 0.0, np.nan,
                                   np.inf, 2.5e-300]))
    np.testing.assert_array_equal(got, [0.3, 1234567.89123457, -0.000123456789012346, 0.0, np.nan, np.inf,
                                        2.5e-300])
