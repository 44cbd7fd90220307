"""Checks shared by the ingest tests: no row may disappear without being listed."""

from __future__ import annotations

from collections import Counter

from kpicore.model.pipeline_data import ATTRIBUTES, PipelineData
from kpicore.model.quality import ERROR, WARNING

_ATTR = {t.name: a for a, t in ATTRIBUTES.items()}


def assert_rows_accounted(data: PipelineData) -> None:
    """Every data row of every sheet read is kept, or named by an error, or (an exact
    duplicate) named by a warning; and the clean frames hold exactly the kept rows.

    A row of a wide or yearly targets table becomes several long rows with the same Excel row
    (``GridReport.data_rows`` lists it once per long row): the rows are counted as a multiset, each
    long row kept, excluded or merged."""
    assert data.ingest is not None
    kept_per_table: dict[str, int] = {}
    errors = {(i.file, i.sheet, i.row) for i in data.quality.issues if i.severity == ERROR}
    table_errors = {(i.file, i.sheet) for i in data.quality.issues if i.severity == ERROR and i.row is None}
    warnings = {(i.file, i.sheet, i.row) for i in data.quality.issues if i.severity == WARNING}
    for g in data.ingest.read:
        excl, merged = set(g.excluded), set(g.merged)
        assert Counter(g.data_rows) == Counter(g.kept) + Counter(g.excluded) + Counter(g.merged), g.sheet
        for r in excl:
            assert (g.file, g.sheet, r) in errors or (g.file, g.sheet) in table_errors, (g.sheet, r)
        for r in merged:
            assert (g.file, g.sheet, r) in warnings
        for r in g.total_rows:
            assert (g.file, g.sheet, r) in warnings
        kept_per_table[g.table] = kept_per_table.get(g.table, 0) + len(g.kept)
    for table, n in kept_per_table.items():
        assert len(getattr(data, _ATTR[table])) == n, table
