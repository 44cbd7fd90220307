"""What the product took for each canonical column of a file: for the corpus tests and the benchmark."""

from __future__ import annotations


def taken_headers(data, table: str) -> dict[str, str]:
    """canonical (or helper) column -> the header the ingest took for it, over the grids read as ``table``.

    The recognition's choices (``GridReport.choices``) when it reports them, else the columns it mapped
    (``GridReport.columns``): both say which header the frames were built from.
    """
    taken: dict[str, str] = {}
    for grid in (data.ingest.read if data.ingest else ()):
        if grid.table != table:
            continue
        for col in grid.columns:
            if col.column and col.column not in taken:
                taken[col.column] = col.header
        for choice in grid.choices:
            if choice.chosen is not None:
                taken[choice.column] = choice.chosen.header
    return taken
