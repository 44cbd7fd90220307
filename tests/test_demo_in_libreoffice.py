"""The demo workbook opens in a real spreadsheet application and holds what the frames hold."""

import csv

import pytest

from kpicore.model import schema
from workbook_templates.libreoffice import convert

# Export every sheet (token 12 = -1) as UTF-8 (76) CSV with ',' (44) and '"' (34).
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.mark.libreoffice
def test_libreoffice_opens_demo_workbook_with_every_table(soffice, demo_workbook, demo_data, tmp_path):
    convert(demo_workbook, ALL_SHEETS_CSV, tmp_path)
    for attr, frame in demo_data.frames().items():
        table = {
            "deals": schema.DEALS, "activities": schema.ACTIVITIES, "reps": schema.REPS,
            "targets": schema.TARGETS, "stages": schema.STAGES,
        }.get(attr)
        if table is None:
            continue
        sheet_csv = tmp_path / f"{demo_workbook.stem}-{table.sheet_fr}.csv"
        with sheet_csv.open(encoding="utf-8") as fh:
            rows = [r for r in csv.reader(fh) if any(r)]
        assert rows[0][: len(table.columns)] == [c.label_fr for c in table.columns]
        assert len(rows) - 1 == len(frame), attr
