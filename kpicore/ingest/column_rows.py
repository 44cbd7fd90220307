"""A grid's rows kept as columns: what a columnar reader gives, seen as the rows the ingest reads.

The ingest asks a grid for a few rows (the header among the first twenty, a sample below it, a total row
at the end) and for its body column by column (``row_kinds.columns_of``).  A reader that gives columns
(fastexcel's Arrow arrays, ``workbook_templates.columnar``) hands them over as :class:`ColumnRows`: a
row is built only when one is asked for, and the body's columns are the reader's arrays themselves, so a
table of a million rows never becomes a million Python lists.

Each column is a one-dimensional object array of the cells as a row reader gives them (``str``,
``float``, ``bool``, ``datetime``/``date``, ``""`` for an empty cell), all of the same length.
"""

from __future__ import annotations

from typing import Iterator, Sequence, overload

import numpy as np


class ColumnRows(Sequence[list]):
    """The rows of a grid whose cells are held column by column (see the module's docstring)."""

    def __init__(self, columns: Sequence[np.ndarray]) -> None:
        self.columns = list(columns)
        lengths = {len(c) for c in self.columns}
        if len(lengths) > 1:
            raise ValueError("columns of different lengths")
        self._n = lengths.pop() if lengths else 0

    @property
    def width(self) -> int:
        return len(self.columns)

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> list: ...

    @overload
    def __getitem__(self, index: slice) -> "ColumnRows": ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._n)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return ColumnRows([c[start:stop] for c in self.columns])
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        return [c[index] for c in self.columns]

    def __iter__(self) -> Iterator[list]:
        # rows built a block at a time: a caller that reads every row pays one list per row, no more
        block = 4096
        for start in range(0, self._n, block):
            yield from map(list, zip(*(c[start:start + block] for c in self.columns)))

    def __setitem__(self, index: tuple[int, int], value: object) -> None:
        """``rows[i, j] = value``: one cell written in its column (a row handed out is a copy)."""
        i, j = index
        self.columns[j][i] = value


def rows_width(rows: Sequence[Sequence[object]]) -> int:
    """The number of cells of the longest row."""
    if isinstance(rows, ColumnRows):
        return rows.width if len(rows) else 0
    return max(map(len, rows), default=0)
