"""The actions behind the ribbon buttons and the CLI verbs, one function each.

An action takes a workbook source and writes through a writer; the ribbon (a
live workbook) and the command line (a file) call the same function, so both
give the same cockpit.  Today the source and the writer are files; the live
engines plug in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kpicore.cockpit import SHEET_NAME, VIEW_CELL, TargetsLocation, build_cockpit, resolve_view
from kpicore.cockpit_spec import CockpitSpec
from kpicore.dataset import PipelineData
from kpicore.forecast import N_SIMS
from kpicore.periods import to_date


@dataclass(frozen=True)
class RefreshOutcome:
    path: Path
    backup: Path | None
    view: str
    as_of: date
    spec: CockpitSpec
    data: PipelineData
    forecast_history: pd.DataFrame


def targets_location(data: PipelineData) -> TargetsLocation | None:
    """Where the Targets table sits in the client's file, from the ingest's column mapping.

    None when the file has no Targets sheet (or it lacks a column): the cockpit
    then writes targets as values rather than formulas.
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


def current_view_cell(path: Path) -> str | None:
    """The view chosen in the cockpit's selector cell, if the workbook has a cockpit."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    if SHEET_NAME not in book.sheet_names:
        return None
    rows = book.get_sheet_by_name(SHEET_NAME).to_python(nrows=VIEW_CELL[0] + 1)
    try:
        value = rows[VIEW_CELL[0]][VIEW_CELL[1]]
    except IndexError:
        return None
    return str(value) if value not in (None, "") else None


def refresh(path: Path, *, view: str | None = None, who: str | None = None, as_of: date | str | None = None,
            now: datetime | None = None, backup: bool = True, n_sims: int = N_SIMS) -> RefreshOutcome:
    """Rebuild the Cockpit sheet of the workbook at ``path``, in place.

    Only the Cockpit sheet is replaced; every other part of the file stays as it
    was (``workbook_templates.package``), the previous version is kept as a
    backup, and the write is atomic.  ``as_of`` defaults to the date of the data.
    """
    from kpicore import schema
    from kpicore.asof import data_today
    from kpicore.forecast import forecast_all, prepare
    from kpicore.snapshots import append_forecasts, append_pipeline_snapshot
    from workbook_templates.cockpit_sheet import write_cockpit
    from workbook_templates.package import SheetPart, replace_sheets
    from workbook_templates.product_sheets import read_product_frame, write_frame_sheet
    from workbook_templates.quality_sheet import QUALITY_SHEET, quality_sheet_part
    from workbook_templates.company import load_company

    path = Path(path)
    # the workbook, its edited KPI dictionary and the reps' activity workbooks listed in Settings
    data = load_company(path)
    chosen = resolve_view(view, current_view_cell(path), data.setting("cockpit_view") or data.setting("vue"))
    as_of = to_date(as_of) if as_of is not None else data_today(data).date()
    now = now or datetime.now().replace(microsecond=0)
    context = prepare(data)
    spec = build_cockpit(data, as_of, view=chosen, who=who, refreshed_at=now,
                         targets_at=targets_location(data), n_sims=n_sims, context=context,
                         quality_sheet=QUALITY_SHEET, dictionary=data.dictionary)
    # the forecast snapshot of the day (month and quarter, every scope): its accuracy is measured
    # once the period is over
    history = read_product_frame(path, schema.FORECAST_HISTORY)
    for period in ("month", "quarter"):
        history = append_forecasts(history, forecast_all(data, period, as_of, n_sims=n_sims, context=context),
                                   on=as_of)
    sheets = {
        SHEET_NAME: SheetPart(lambda wb, ws: write_cockpit(wb, spec, ws)),
        QUALITY_SHEET: quality_sheet_part(data),
        schema.FORECAST_HISTORY.sheet_fr: SheetPart(
            lambda wb, ws: write_frame_sheet(wb, ws, history, schema.FORECAST_HISTORY), "hidden"),
    }
    # one photograph of the pipeline a week, taken live (as of the date of the data): the weekly
    # deck's "what moved" and the backtest's as-of values come from them, since a CRM overwrites
    # amounts, stages and close dates. The sheet is rewritten only in a week that has none yet.
    snaps = data.pipeline_snapshots
    week_start = pd.Timestamp(as_of) - pd.Timedelta(days=as_of.weekday())
    if as_of == data_today(data).date() and not (snaps["snapshot_on"] >= week_start).any():
        snaps = append_pipeline_snapshot(data, as_of)
        sheets[schema.PIPELINE_SNAPSHOTS.sheet_fr] = SheetPart(
            lambda wb, ws: write_frame_sheet(wb, ws, snaps, schema.PIPELINE_SNAPSHOTS), "hidden")
    result = replace_sheets(path, sheets, backup=backup)
    return RefreshOutcome(result.path, result.backup, chosen, as_of, spec, data, history)


# --------------------------------------------------------------------------- decks, activity workbook
# Added for the ribbon (addin.live_actions) and the CLI: each takes the canonical
# data, wherever it was read from (a file, or the live workbook through xlwings).

DECK_KINDS = {"weekly": ("build_weekly", "Revue hebdo"), "monthly": ("build_monthly", "Revue mensuelle")}


def export_deck(data: PipelineData, kind: str, as_of: date, out_path: Path, template: Path | None = None) -> Path:
    """The weekly or monthly ritual deck of ``data`` as of ``as_of``, written to ``out_path``."""
    from kpicore.errors import UsageError
    from workbook_templates.archive_guard import check_archive

    if kind not in DECK_KINDS:
        raise UsageError(f"deck « {kind} » inconnu : choisissez weekly (hebdo) ou monthly (mensuel).")
    from ritual_decks import deck as decks

    if template is not None:  # a client's .pptx is untrusted input like any workbook
        check_archive(template)
    build = getattr(decks, DECK_KINDS[kind][0])
    return Path(build(data, as_of, Path(out_path), template=template))


def deck_name(kind: str, as_of: date) -> str:
    return f"{DECK_KINDS[kind][1]} {as_of:%Y-%m-%d}"


def deck_beside(data: PipelineData, kind: str, folder: Path) -> Path:
    """The deck as of the date of the data, in ``folder`` under a name no existing file has
    (the ribbon's and the LibreOffice menu's « Deck hebdo » / « Deck mensuel »)."""
    from kpicore.asof import data_today
    from workbook_templates.activity_workbook import free_path

    as_of = data_today(data).date()
    return export_deck(data, kind, as_of, free_path(Path(folder), deck_name(kind, as_of), ".pptx"))


def new_activity_workbook(data: PipelineData | None, folder: Path, stem: str = "Activités commerciales") -> Path:
    """A new shared activity workbook in ``folder`` (never over an existing file), reps from ``data``."""
    from workbook_templates.activity_workbook import free_path, write_activity_workbook

    reps: list[str] = []
    if data is not None and len(data.reps):
        reps = sorted(str(r) for r in data.reps["rep"].dropna().unique())
    return write_activity_workbook(free_path(Path(folder), stem), reps)
