"""How each sheet of a source was read: the table recognised, its header, and the fate of every row."""

from __future__ import annotations

from dataclasses import dataclass

from kpicore.model.messages import Message


@dataclass(frozen=True)
class GridReport:
    """How one grid was read: for ``pilotage check`` and for the row accounting."""

    file: str
    sheet: str
    table_name: str | None  # Excel Table name, if the grid is one
    table: str | None  # canonical table, None when ignored
    chosen_by: Message | str  # quality.found_by.* (Excel table, sheet name, headers) or quality.ignored.*
    header_row: int | None  # Excel row of the header
    columns: tuple = ()  # ColumnMapping per column of the grid
    data_rows: tuple[int, ...] = ()  # Excel rows holding data (after empty and total rows)
    total_rows: tuple[int, ...] = ()  # rows skipped as totals (each in a warning)
    kept: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()  # each named by an error issue
    merged: tuple[int, ...] = ()  # exact duplicates of a kept row (each in a warning)
    headers_seen: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestReport:
    grids: tuple[GridReport, ...] = ()

    @property
    def read(self) -> tuple[GridReport, ...]:
        return tuple(g for g in self.grids if g.table)

    @property
    def ignored(self) -> tuple[GridReport, ...]:
        return tuple(g for g in self.grids if not g.table)
