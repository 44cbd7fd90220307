"""The diagnostic of three corpus files, as a consultant would run it on a prospect's exports (issue 16):
a Salesforce report kept with its furniture and no id, an Odoo 17 export on « Sheet1» with no id, and a
hand-kept workbook whose activity log came as a second file.

For each: 2 to 4 slides and PDF pages, every text inside its box, the deck, PDF and sheet saying what
``pilotage diagnostic --json`` says (``support.diagnostic_checks.check_outputs``), and the month's average
deal size and cycle worked out by hand from the twelve deals of ``corpus.rows``.  The diagnostic speaks of
the last month over before the files' last date:
- without the activity log, the last date is 30 March 2026 (deal 1012 won): February 2026, whose only won
  deal is 1010 (6 000 €, created 5 January, won 25 February: 26 + 25 = 51 days);
- with it, 1 April 2026 (the log's last call): March 2026, won 1001, 1002, 1003, 1012 (12 000 + 8 000 +
  5 000 + 10 000 = 35 000 € over 4), cycles 54, 39, 18 and 56 days, median (39 + 54) / 2 = 46.5.
"""

from __future__ import annotations

import pytest

from corpus import all_files
from support.diagnostic_checks import check_outputs, diagnose_files

FILES = {f.name: f for f in all_files()}
CHOSEN = ("Opportunites_trimestre.xlsx", "crm.lead.xlsx", "Affaires 2026.xlsx")
# the month the diagnostic speaks of -> (average deal size, median cycle in days)
BY_MONTH = {"2026-02": (6_000, 51), "2026-03": (35_000 / 4, 46.5)}
MONTH_OF = {"Opportunites_trimestre.xlsx": "2026-02", "crm.lead.xlsx": "2026-02", "Affaires 2026.xlsx": "2026-03"}


def _kpi(doc: dict, kpi: str) -> dict:
    return next(k for k in doc["kpis"] if k["kpi"] == kpi)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CHOSEN)
def test_the_diagnostic_of_a_corpus_file_fits_and_says_what_its_json_says(name, tmp_path, soffice, pdftoppm):
    from workbook_templates.libreoffice import to_png

    corpus = FILES[name]
    (tmp_path / "files").mkdir()
    path = corpus.build(tmp_path / "files")
    paths = [path, *(path.parent / extra for extra in corpus.extra)]
    out = tmp_path / "out"
    doc = diagnose_files(paths, out)
    check_outputs(doc, out)
    pngs = to_png(next(out.glob("*.pdf")), tmp_path / "page", dpi=30)
    assert 2 <= len(pngs) <= 4
    assert doc["period"]["code"] == MONTH_OF[name]
    size, cycle = BY_MONTH[MONTH_OF[name]]
    assert _kpi(doc, "average_deal_size")["value"] == pytest.approx(size)
    assert _kpi(doc, "sales_cycle_days")["value"] == pytest.approx(cycle)
