"""A live Excel workbook for the tests: a recording ``xw.Book`` that holds a file's tables where the file has them."""

from __future__ import annotations

from pathlib import Path


def recorded_book(path: Path):
    """A recording ``xw.Book`` holding the workbook's tables where the file has them (its full name: ``path``)."""
    from support.recording_engine import new_book, put_table
    from workbook_templates.reading import read_source

    book, _ = new_book(path.name, ())
    book.impl.fullname = str(path)
    for grid in read_source(path).grids:
        put_table(book, grid.sheet, [list(r) for r in grid.rows], top_left=(grid.first_row, grid.first_col),
                  table_name=grid.table_name)
    return book
