"""Which cells of a cockpit carry which style, as few rectangles: what a live writer formats in one call.

A live engine pays per call (COM for Excel, UNO for Calc), so it formats a style's whole area at once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from kpicore.cockpit.spec import CockpitSpec


def rectangles(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of (row, col) with few rectangles: runs along rows, stacked when they repeat."""
    by_row: dict[int, list[int]] = defaultdict(list)
    for r, c in cells:
        by_row[r].append(c)
    runs: dict[int, list[tuple[int, int]]] = {}
    for r, cols in by_row.items():
        cols = sorted(set(cols))
        out, start, prev = [], cols[0], cols[0]
        for c in cols[1:]:
            if c != prev + 1:
                out.append((start, prev))
                start = c
            prev = c
        out.append((start, prev))
        runs[r] = out
    rects: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], int] = {}  # (c1, c2) -> first row of a rectangle still growing
    last_row: dict[tuple[int, int], int] = {}
    for r in sorted(runs):
        for run in runs[r]:
            if run in open_ and last_row[run] == r - 1:
                last_row[run] = r
            else:
                if run in open_:
                    rects.append((open_[run], run[0], last_row[run], run[1]))
                open_[run], last_row[run] = r, r
    for run, r1 in open_.items():
        rects.append((r1, run[0], last_row[run], run[1]))
    return sorted(rects)


def styled_rectangles(spec: CockpitSpec) -> list[tuple[str, str, list[tuple[int, int, int, int]]]]:
    """(block name, style, rectangles) in block order, styles sorted within a block.

    A merged area takes the style of its first cell, as in the file writer.
    """
    out = []
    for b in spec.blocks:
        merged_style: dict[tuple[int, int], str] = {}
        for r1, c1, r2, c2 in b.merges:
            first = b.cells[r1 - b.row][c1 - b.col].style
            merged_style.update({(r, c): first for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)})
        groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, row in enumerate(b.cells):
            for j, cell in enumerate(row):
                rc = (b.row + i, b.col + j)
                groups[merged_style.get(rc, cell.style)].append(rc)
        out += [(b.name, style, rectangles(groups[style])) for style in sorted(groups)]
    return out
