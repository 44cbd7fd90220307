"""Refresh: rebuild the product's sheets of a workbook from its tables, whatever the engine.

Under Pilotage's lock on the workbook (a scheduled run and a click never
interleave; a click on a locked workbook is refused at once), from one read of
the workbook:

1. the company (``company.read_company``): its tables, the edited KPI
   dictionary, the reps' activity workbooks;
2. the view: ``view``, else the cockpit's selector cell, else Settings;
3. the cockpit (``kpicore.cockpit.build.build_cockpit``), the quality sheet
   (``kpicore.cockpit.quality_spec``) and « Correspondances »
   (``kpicore.cockpit.correspondences_spec``, the person's earlier choices written back), rendered in the workbook's language
   (``addin.language``: Settings ``language``) before any engine writes them;
4. the day's forecasts (month and quarter, every scope) appended to the hidden
   forecast history, whose accuracy is measured once each period is over; the backtest that
   chooses their method and measures their range is the week's replay kept in the hidden
   ``_Backtest`` sheet when its key is the data's (``kpicore.forecast.kept_backtest``), else it is
   replayed and that sheet rewritten: once per week of data, not at every refresh;
5. once a week, the photograph of the open pipeline appended to the hidden
   snapshots (taken live, on a refresh as of the date of the data or later:
   the weekly deck's "what moved" and the backtest's as-of values come from
   them, since a CRM overwrites amounts, stages and close dates);
6. one write of all of them; a new Cockpit goes after the client's sheets, an
   existing one keeps its place, and the Cockpit is the sheet shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from addin.actions.company import read_company, refuse_empty_deals
from addin.engines.protocol import FrameSheet, ProductSheet, Workbook
from kpicore.model import schema
from kpicore.model.errors import InputFileError
from addin.language import language
from kpicore.cockpit.build import SHEET_NAME, VIEW_CELL, TargetsLocation, build_cockpit, resolve_view, view_label
from kpicore.cockpit.spec import CockpitSpec
from kpicore.model.messages import Message
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.forecasting import N_SIMS
from kpicore.forecast.kept_backtest import KeptBacktest
from kpicore.model.periods import to_date
from kpicore.text.catalogue import has, render, say
from kpicore.text.sheets import rendered


@dataclass(frozen=True)
class RefreshOutcome:
    where: str  # the file written, or the live workbook's name
    backup: Path | None
    view: str
    as_of: date
    spec: CockpitSpec
    data: PipelineData
    forecast_history: pd.DataFrame
    snapshot_taken: bool
    skipped: tuple[str, ...] = ()  # what the live engine approximated or skipped
    backtest: KeptBacktest | None = None  # the week's replay the forecasts used (``replayed``: by this refresh)

    @property
    def path(self) -> Path:
        return Path(self.where)


def targets_location(data: PipelineData) -> TargetsLocation | None:
    """Where the Targets table sits in the client's workbook, from the ingest's column mapping.

    None when the workbook has no Targets sheet (or it lacks a column): the
    cockpit then writes targets as values rather than formulas.
    """
    if data.ingest is None:
        return None
    for grid in data.ingest.read:
        if grid.table != "Targets":
            continue
        letters = {c.column: c.letter for c in grid.columns if c.column}
        needed = ("period", "scope_type", "scope_name", "metric", "value")
        if all(k in letters for k in needed):
            return TargetsLocation(grid.sheet, *(letters[k] for k in needed))
    return None


def view_cell(rows: list[list] | None) -> str | None:
    """The view chosen in the cockpit's selector cell (``VIEW_CELL``), from the Cockpit sheet's rows:
    its name in either language (``resolve_view`` reads both)."""
    row, col = VIEW_CELL
    try:
        value = rows[row][col] if rows else None
    except IndexError:
        return None
    return str(value).strip() if value not in (None, "") else None


# calamine reads these, the package writer cannot write them: read by every verb, refreshed by none
READ_ONLY_SUFFIXES = {".xls": "xls", ".ods": "ods"}


def refuse_read_only_format(name: str) -> None:
    """A refresh of an .xls or an .ods would have to write into it: refused the same way whatever the button
    (file, UNO or Excel engine), with the fix: save it as an .xlsx."""
    kind = READ_ONLY_SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        return
    said = Message.of(f"targets.refresh.read_only.{kind}")
    fix = Message.of("targets.refresh.save_as_xlsx")
    raise InputFileError(render(said, "fr"), file=name, fix=render(fix, "fr"), said=said, fix_said=fix)


def refresh(book: Workbook, *, view: str | None = None, who: str | None = None, as_of: date | str | None = None,
            now: datetime | None = None, n_sims: int = N_SIMS) -> RefreshOutcome:
    """Rebuild the Cockpit, the quality sheet, the forecast history and the weekly snapshot of ``book``.

    ``as_of`` defaults to the date of the data; ``now`` is the refresh time shown in the cockpit.
    """
    from kpicore.forecast.asof import data_today
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.kept_backtest import kept_of_rows, kept_table, reuse_or_replay, with_kept
    from kpicore.forecast.shown import forecast_all
    from kpicore.cockpit.quality_spec import QUALITY_SHEET
    from kpicore.cockpit.correspondences_spec import CORRESPONDENCES_SHEET, build_correspondences_spec
    from kpicore.ingest.person_choices import person_choices_of_rows
    from workbook_templates.quality_sheet import quality_sheet_spec
    from kpicore.forecast.snapshots import append_forecasts, append_pipeline_snapshot, snapshot_rows_in_place
    from workbook_templates.product_sheets import frame_from_rows

    lang = language()  # until the workbook says its own
    refuse_read_only_format(book.name)
    book.check_writable()
    with book.lock():
        book.progress(say("cockpit.progress.reading", lang))
        data = read_company(book)
        lang = language(data)
        refuse_empty_deals(data, book.name, lang)
        chosen = resolve_view(view, view_cell(book.sheet_rows(SHEET_NAME)),
                              data.setting("cockpit_view") or data.setting("vue"))
        today = data_today(data).date()
        as_of = to_date(as_of) if as_of is not None else today
        now = now or datetime.now().replace(microsecond=0)
        book.progress(say("cockpit.progress.computing", lang))
        context = prepare(data)
        kept = reuse_or_replay(context, kept_of_rows(book.sheet_rows(schema.BACKTEST_SHEET)), now=now,
                               replaying=lambda: book.progress(say("cockpit.progress.replaying", lang)))
        context = with_kept(context, kept)
        spec = rendered(build_cockpit(data, as_of, view=chosen, who=who, refreshed_at=now,
                                      targets_at=targets_location(data), n_sims=n_sims, context=context,
                                      quality_sheet=QUALITY_SHEET), lang)
        history = frame_from_rows(book.sheet_rows(schema.FORECAST_HISTORY.sheet_fr), schema.FORECAST_HISTORY)
        for period in ("month", "quarter"):
            history = append_forecasts(history, forecast_all(data, period, as_of, n_sims=n_sims, context=context),
                                       on=as_of)
        # « Correspondances »: the person's earlier choices (read back from the sheet) written back, so they
        # survive this refresh
        earlier = person_choices_of_rows(book.sheet_rows(CORRESPONDENCES_SHEET))
        sheets: list[ProductSheet] = [spec, quality_sheet_spec(data, lang),
                                      rendered(build_correspondences_spec(data, earlier), lang),
                                      FrameSheet(schema.FORECAST_HISTORY, history)]
        if kept.replayed:  # a replay read back unchanged is left as it is: nothing to write
            sheets.append(FrameSheet(*kept_table(kept)))
        snaps = data.pipeline_snapshots
        week_start = pd.Timestamp(as_of) - pd.Timedelta(days=as_of.weekday())
        # a photograph is of the pipeline as it stands now: never for a past as-of date
        taken = as_of >= today and not (snaps["snapshot_on"] >= week_start).any()
        if taken:
            sheets.append(FrameSheet(schema.PIPELINE_SNAPSHOTS, append_pipeline_snapshot(data, as_of),
                                     rows_in_place=snapshot_rows_in_place(data, as_of)))
        book.progress(say("cockpit.progress.writing", lang))
        written = book.write(sheets, active=SHEET_NAME)
    return RefreshOutcome(written.where, written.backup, chosen, as_of, spec, data, history, taken,
                          written.skipped, kept)


def summary(outcome: RefreshOutcome, lang: str | None = None) -> str:
    """The sentence a button shows once the refresh is done, in the cockpit's language unless ``lang``."""
    from kpicore.cockpit.quality_spec import QUALITY_SHEET

    lang = lang or outcome.spec.language
    said = [Message.of("cockpit.refreshed", view=view_label(outcome.view), as_of=outcome.as_of)]
    errors = outcome.data.quality.errors
    if errors:
        said.append(Message.of("cockpit.refreshed.excluded", n=len(errors), sheet=QUALITY_SHEET))
    if outcome.skipped:
        # the live engines name what they skipped by catalogue codes (cockpit.step.*)
        what = ", ".join(render(Message.of(s), lang) if has(s, lang) else s for s in outcome.skipped)
        said.append(Message.of("cockpit.refreshed.skipped", what=what))
    return "\n".join(render(m, lang) for m in said)


def summary_fr(outcome: RefreshOutcome) -> str:
    """The summary in the workbook's language (the name the ribbon and the Calc menu call)."""
    return summary(outcome)
