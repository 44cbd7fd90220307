"""The demo workbook reads as its golden record (``tests/support/golden_reading.py``): its quality report
message for message, and each canonical table column by column (a digest of every cell: it is large).
The corpus files are checked the same way, cell by cell, in ``tests/test_corpus.py``."""

from __future__ import annotations

from kpicore.demo.company import DEMO_AS_OF


def test_the_demo_workbook_reads_as_its_golden_record(demo_workbook):
    from support.golden_reading import check_golden, reading_record
    from workbook_templates.company import load_company

    data = load_company(demo_workbook, today=DEMO_AS_OF)
    assert check_golden("pipeline_demo.xlsx", reading_record(data, every_cell=False)) == []
