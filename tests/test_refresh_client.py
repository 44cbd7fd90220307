"""`pilotage refresh` on a client's own workbook: only the product's sheets change.

The client workbook holds real pipeline tables (the demo company's, under the
client's own sheet names) beside what clients keep in their files: a chart, an
image, a comment, data validation, a defined name, a pivot table with its
cache, a calcChain, and in the .xlsm a VBA project. After one refresh and a
second one (which replaces the product sheets), every member that is not the
product's is byte-identical and the shared parts only gained entries
(``test_package``'s checks, reused), and LibreOffice opens the result.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

import test_package as corpus
from addin.cli import main
from kpicore.model import schema
from kpicore.cockpit.build import SHEET_NAME
from workbook_templates.quality_sheet import QUALITY_SHEET

PRODUCT_SHEETS = {SHEET_NAME, QUALITY_SHEET, schema.CORRESPONDENCES_SHEET, schema.FORECAST_HISTORY.sheet_fr,
                  schema.BACKTEST_SHEET}


def _write_table(wb, sheet_name: str, table: schema.Table, frame: pd.DataFrame, date_fmt) -> None:
    ws = wb.add_worksheet(sheet_name)
    cols = table.columns
    rows = []
    for rec in frame[[c.name for c in cols]].itertuples(index=False):
        rows.append([None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else
                                              (str(v) if c.kind in ("text", "key", "choice") else
                                               float(v) if c.kind not in ("bool",) else bool(v)))
                     for v, c in zip(rec, cols)])
    ws.add_table(0, 0, len(rows), len(cols) - 1, {
        "name": table.name, "data": rows,
        "columns": [{"header": c.label_fr, "format": date_fmt if c.kind == "date" else None} for c in cols]})


def _client(path: Path, data, *, macro: bool) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    acts = data.activities.sort_values("date").tail(6000)
    _write_table(wb, "Affaires", schema.DEALS, data.deals, date_fmt)
    deals = wb.get_worksheet_by_name("Affaires")
    deals.write_comment("A1", "Numéro de l'affaire dans le CRM")
    deals.data_validation(1, 3, len(data.deals), 3, {"validate": "list", "source": list(data.stages["stage"])})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Affaires!$F$2:$F$20", "name": "Montants"})
    deals.insert_chart("R2", chart)
    deals.insert_image("R20", "logo.png", {"image_data": io.BytesIO(corpus._png())})
    _write_table(wb, "Activités", schema.ACTIVITIES, acts, date_fmt)
    _write_table(wb, "Commerciaux", schema.REPS, data.reps, date_fmt)
    _write_table(wb, "Objectifs", schema.TARGETS, data.targets, date_fmt)
    _write_table(wb, "Étapes", schema.STAGES, data.stages, date_fmt)
    wb.define_name("MontantsAffaires", f"=Affaires!$F$2:$F${len(data.deals) + 1}")
    if macro:
        wb.add_vba_project(io.BytesIO(corpus._vba_project()), is_stream=True)
    wb.close()
    corpus._add_pivot_and_calc_chain(path)  # a pivot on the first sheet, and a calcChain
    return path


def _product_parts(path: Path) -> set[str]:
    parts = corpus._sheet_parts(path)
    own = {parts[name] for name in PRODUCT_SHEETS if name in parts}
    return own | {p.replace("worksheets/", "worksheets/_rels/") + ".rels" for p in own}


@pytest.mark.libreoffice
@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_refresh_changes_only_the_product_sheets(demo_data, tmp_path, soffice, suffix, capsys):
    from workbook_templates.libreoffice import convert

    original = _client(tmp_path / f"pipeline{suffix}", demo_data, macro=suffix == ".xlsm")
    before = tmp_path / f"before{suffix}"
    before.write_bytes(original.read_bytes())

    assert main(["refresh", str(original), "--as-of", "2026-11-20"]) == 0
    first = tmp_path / f"first{suffix}"
    first.write_bytes(original.read_bytes())
    corpus._check_only_product_changed(before, first, _product_parts(first))
    corpus._check_package_consistent(first)
    assert PRODUCT_SHEETS <= set(corpus._sheet_parts(first))

    assert main(["refresh", str(original), "--as-of", "2026-11-20"]) == 0  # replaces them in place
    corpus._check_only_product_changed(first, original, _product_parts(original))
    corpus._check_package_consistent(original)
    with zipfile.ZipFile(original) as z:
        names = z.namelist()
    assert any(n.startswith("xl/pivotTables/") for n in names) and any("chart" in n for n in names)
    assert ("xl/vbaProject.bin" in names) == (suffix == ".xlsm")
    capsys.readouterr()

    # LibreOffice opens it and recalculates the cockpit
    out = convert(original, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                  tmp_path / "lo")
    cockpit_csv = tmp_path / "lo" / f"pipeline-{SHEET_NAME}.csv"
    assert out.exists() and cockpit_csv.exists()
    text = cockpit_csv.read_text(encoding="utf-8")
    assert "Cockpit commercial" in text and "#NAME" not in text and "Err:" not in text
