"""Run ``pilotage diagnostic`` on a list of files and check what it wrote, for any client file.

``diagnose_files(paths, out)`` runs the command line in-process with ``--json --out`` (and ``--pdf``)
and returns the JSON document; ``check_outputs(doc, out)`` checks the deck (2 to 4 slides, every text
in its box, the numbers of the slides equal to the JSON ones), the PDF (2 to 4 pages) and the sheet
(its figures equal to the JSON ones).  The corpus files of tests/corpus can be given as they are.
"""

from __future__ import annotations

import io
import json
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Sequence

import jsonschema
from pptx import Presentation

from addin.cli import main
from kpicore.model.json_schemas import load_schema
from kpicore.text import formats
from support.deck_text import chart_texts, check_fit, deck_texts


def diagnose_files(paths: Sequence[Path | str], out: Path, *, pdf: bool = True) -> dict:
    """``pilotage diagnostic PATHS… --out OUT --json [--pdf]``: the document it printed, schema-checked."""
    argv = ["diagnostic", *[str(p) for p in paths], "--out", str(out), "--json", *(["--pdf"] if pdf else [])]
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(argv)
    assert code == 0, stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
    doc = json.loads(stdout.getvalue())
    jsonschema.validate(doc, load_schema("diagnostic"))
    return doc


def _one(out: Path, suffix: str) -> Path:
    found = sorted(out.glob(f"*{suffix}"))
    assert len(found) == 1, (suffix, found)
    return found[0]


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _kpi_text(kpi: dict, language: str) -> str:
    value, unit = kpi["value"], kpi["unit"]
    if value is None:
        return formats.DASH
    if unit == "fraction":
        return formats.percent(value, locale=language)
    if unit == "eur":
        return formats.money(value, locale=language)
    if unit == "days":
        n = formats.number(value, 0, locale=language)
        return f"{n}\u00a0j" if language == "fr" else f"{n} {'day' if round(value) == 1 else 'days'}"
    return formats.number(value, 1, locale=language)


def slide_texts(deck: Path) -> list[str]:
    """All the text of each slide, one string per slide (tables and charts included)."""
    def texts(shapes):
        for sh in shapes:
            if sh.has_text_frame:
                yield sh.text_frame.text
            if getattr(sh, "has_table", False) and sh.has_table:
                yield from (cell.text for row in sh.table.rows for cell in row.cells)
            if getattr(sh, "has_chart", False) and sh.has_chart:
                yield from chart_texts(sh.chart)

    return ["\n".join(texts(slide.shapes)) for slide in Presentation(str(deck)).slides]


def check_outputs(doc: dict, out: Path, *, pdf: bool = True, language: str = "fr") -> Path:
    """The deck, PDF and sheet in ``out`` say what ``doc`` says; returns the deck."""
    deck = _one(out, ".pptx")
    prs = Presentation(str(deck))
    assert 2 <= len(prs.slides) <= 4
    assert check_fit(prs) > 0
    assert deck_texts(deck)
    slides = slide_texts(deck)
    glued = lambda s: s.replace("\u2060", "")  # noqa: E731 - the word joiner that ties a sign to its number
    summary, recognition, kpis, accuracy = (glued(s) for s in slides)
    # slide 1: the KPIs supported and the share of columns recognised, as --json says
    assert f" {doc['supported']} " in summary.splitlines()[0]
    assert formats.percent(doc["recognition"]["share"], locale=language) in summary
    # slide 2: each table read with its columns found of its canonical ones
    for t in doc["recognition"]["tables"]:
        assert f"{t['found']} / {t['canonical']}" in recognition
    # slide 3: each supported KPI's value, and each missing one's unlock
    for k in doc["kpis"]:
        if k["supported"]:
            assert _kpi_text(k, language) in kpis, k
        else:
            assert k["unlock"] and k["unlock"].split()[0] in kpis, k
    assert formats.number(doc["quality"]["rows"], locale=language) in kpis
    # slide 4: each method's error, or the reason it cannot be measured
    if doc["accuracy"]["measurable"]:
        for m in doc["accuracy"]["methods"]:
            assert f"±{formats.percent(m['error'], locale=language)}" in accuracy, m
    else:
        assert doc["accuracy"]["reason"].split(":")[0] in accuracy
    if pdf:
        assert 2 <= pdf_pages(_one(out, ".pdf")) <= 4
    _check_sheet(doc, _one(out, ".xlsx"))
    return deck


def _check_sheet(doc: dict, sheet: Path) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(sheet))
    rows = wb.get_sheet_by_index(0).to_python()
    values = {str(r[1]): r[2] for r in rows[1:]}
    for k in doc["kpis"]:
        got = values[k["label"]]
        if k["value"] is None:
            assert got in ("", None), (k, got)
        else:
            assert abs(float(got) - k["value"]) < 1e-3, (k, got)
    for m in doc["accuracy"]["methods"]:
        assert abs(float(values[m["label"]]) - m["error"]) < 1e-3
