"""A rep's own file: their cockpit view and their own activity rows, nothing else.

Individual activity tracking is regulated in France and a rep's view holds only
their own numbers (DESIGN.md): the file is built from the rep view of the
cockpit (``build_cockpit(view="rep", who=rep)``, which shows no colleague's
name or figure), its targets written as values (no formula into a Targets
sheet that would have to travel with it), and the rep's activity rows.  No
other sheet, no hidden sheet, no defined name pointing elsewhere.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from kpicore.model import schema
from kpicore.cockpit.build import build_cockpit
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import InputFileError, UsageError
from kpicore.forecast.forecasting import N_SIMS
from kpicore.ingest.parsing import fold
from kpicore.model.periods import to_date
from kpicore.model.roster import rep_team_of
from kpicore.text.catalogue import language_of, say
from kpicore.text.sheets import rendered
from workbook_templates import styles
from workbook_templates.activity_workbook import lay_out_activity_table
from workbook_templates.cockpit_sheet import write_cockpit
from workbook_templates.safe_file import publish

ACTIVITY_SHEET = "Mes activités"
ACTIVITY_TABLE = "MesActivites"
# The rep's own rows of the last three months: what they check against their cockpit
# (the whole history would print as hundreds of pages).
ACTIVITY_DAYS = 92


def _rep_name(data: PipelineData, rep: str) -> str:
    known = rep_team_of(data)  # the one roster: the Reps sheet's reps and every owner, activity rep, rep target
    match = [r for r in known if fold(r) == fold(rep)]
    if not match:
        raise UsageError(f"commercial « {rep} » inconnu : vérifiez l'orthographe dans la feuille Commerciaux.")
    return match[0]


def export_rep(data: PipelineData, rep: str, out_path: str | os.PathLike, *, as_of: date | str,
               refreshed_at: datetime | None = None, n_sims: int = N_SIMS,
               activity_days: int = ACTIVITY_DAYS) -> Path:
    """Write ``rep``'s own cockpit and activity rows (the last ``activity_days`` days up to
    ``as_of``) to ``out_path`` (atomic); return the path.

    For ``pilotage export rep NAME FILE --out OUT.xlsx``.  ``UsageError`` for an
    unknown rep, ``InputFileError`` when the destination is open in Excel or its
    folder is missing.
    """
    out_path = Path(out_path)
    name = _rep_name(data, rep)
    if not out_path.parent.is_dir():
        raise InputFileError("le dossier de destination n'existe pas", file=str(out_path),
                             fix="Créez le dossier ou choisissez un autre chemin.")
    if (out_path.parent / f"~${out_path.name}").exists():
        raise InputFileError("le classeur est ouvert dans Excel", file=str(out_path),
                             fix="Fermez le classeur dans Excel, puis relancez.")
    as_of = to_date(as_of)
    lang = language_of(data.setting("language"))
    spec = rendered(build_cockpit(data, as_of, view="rep", who=name, refreshed_at=refreshed_at, targets_at=None,
                                  dictionary=data.dictionary, n_sims=n_sims), lang)
    acts = data.activities
    first = pd.Timestamp(as_of) - pd.Timedelta(days=activity_days - 1)
    mine = acts[(acts["rep"] == name).fillna(False)
                & acts["date"].between(first, pd.Timestamp(as_of)).fillna(False)]
    mine = mine.sort_values("date", ascending=False, kind="stable")
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.stem}-", suffix=".xlsx", dir=out_path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        # no company or author metadata beyond the rep's own title
        wb.set_properties({"title": say("cockpit.export.title", lang, name=name), "author": "", "company": "",
                           "comments": say("cockpit.export.comments", lang)})
        write_cockpit(wb, spec)
        _write_activities(wb, mine)
        wb.close()
        publish(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out_path


def _write_activities(wb, rows) -> None:
    fmts = styles.xlsxwriter_formats(wb)
    cols = [c for c in schema.ACTIVITIES.columns]
    ws = wb.add_worksheet(ACTIVITY_SHEET)
    labels = schema.ACTIVITY_TYPE_LABELS_FR
    lay_out_activity_table(ws, fmts, ACTIVITY_TABLE, max(len(rows), 1),
                           lambda col: styles.KIND_WIDTHS.get(col.kind, 45 if col.name == "note" else 22))
    for r, rec in enumerate(rows[[c.name for c in cols]].itertuples(index=False), start=1):
        for c, (col, value) in enumerate(zip(cols, rec)):
            if value is None or value is pd.NA or value is pd.NaT:
                continue
            if col.kind == "date":
                ws.write_datetime(r, c, value.to_pydatetime(), fmts["date"])
            elif col.name == "type":
                ws.write_string(r, c, labels.get(str(value), str(value)))
            else:
                ws.write_string(r, c, str(value))


def export_rep_file(pipeline: str | os.PathLike, rep: str, out_path: str | os.PathLike, *,
                    as_of: date | str | None = None, refreshed_at: datetime | None = None,
                    n_sims: int = N_SIMS) -> Path:
    """``pilotage export rep NAME FILE --out OUT.xlsx``: read the company as the refresh does
    (activity workbooks gathered, edited dictionary), then ``export_rep``.

    ``as_of`` defaults to the date of the data, as for the refresh.
    """
    from kpicore.forecast.asof import data_today
    from workbook_templates.company import load_company

    data = load_company(pipeline)
    as_of = to_date(as_of) if as_of is not None else data_today(data).date()
    return export_rep(data, rep, out_path, as_of=as_of, refreshed_at=refreshed_at, n_sims=n_sims)
