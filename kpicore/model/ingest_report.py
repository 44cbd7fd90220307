"""How each sheet of a source was read: the table recognised, its header, the choice of every column
and of every label, and the fate of every row.

The recognition (``kpicore.ingest``) fills these; the edges render them (``pilotage check``, the
quality sheet, « Correspondances », the diagnostic).  A person's choices made in « Correspondances »
come back into the ingest as :class:`PersonChoices` and always win over a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from kpicore.model.messages import Message

# How a column (or a label) was chosen, strongest first.
HOW_PERSON = "correspondances"  # a person's choice in « Correspondances »
HOW_SETTING = "paramètre"  # a Settings ``mapping.<Table>.<column>`` key
HOW_SYNONYM = "synonyme"  # the header is a known header of that column (exact, folded)
HOW_EVIDENCE = "indices"  # scored from the header's words and the column's values
HOW_DERIVED = "dérivé"  # no column: the values are derived (a deal id from name, account and date)

# Below this confidence a column chosen by evidence is a guess: used, but marked in the badge, the
# quality sheet, and listed first in « Correspondances ».
GUESS_BELOW = 0.6


@dataclass(frozen=True)
class Candidate:
    """A header that could be a canonical column, with how sure the recognition is."""

    header: str
    letter: str
    confidence: float  # 0..1
    evidence: tuple[Message, ...] = ()  # recognition.evidence.* messages (header words, values seen)


@dataclass(frozen=True)
class ColumnChoice:
    """The choice made for one canonical (or helper) column of one table of one grid."""

    table: str
    column: str
    chosen: Candidate | None  # None: no column of the file was taken
    how: str  # HOW_*
    runner_up: Candidate | None = None
    vanished: str = ""  # a person's or a setting's header no longer in the file (the guess is used)

    @property
    def guess(self) -> bool:
        return self.how == HOW_EVIDENCE and self.chosen is not None and self.chosen.confidence < GUESS_BELOW


@dataclass(frozen=True)
class LabelChoice:
    """How one label of a vocabulary column (activity type, stage, status) was read."""

    table: str
    column: str  # "type", "stage", "status"
    label: str  # as written in the file
    count: int  # rows holding it
    value: str | None  # canonical value ("meeting", "won"...); None = unmapped (kept as "other" for activities)
    how: str  # HOW_PERSON, HOW_SYNONYM (a known label), HOW_EVIDENCE, or "" when unmapped
    order: int | None = None  # a stage's place in the funnel, when the label is a stage


@dataclass(frozen=True)
class NameVariants:
    """Spellings that may be one person ("DUPONT Marie", "Marie Dupont", "M. Dupont"): proposed, never merged
    unless a person accepts it in « Correspondances »."""

    names: tuple[str, ...]
    proposed: str  # the spelling proposed for all of them
    accepted: bool = False


@dataclass(frozen=True)
class PersonChoices:
    """What a person chose in « Correspondances »: it wins over any guess and any Settings key."""

    # (table, canonical column) -> header as written in the file; "" means "no column of the file"
    columns: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # (table, column, label as written) -> canonical value ("meeting", "won", ...)
    labels: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    # a name as written -> the one person it is (accepted merges of NameVariants)
    names: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.labels or self.names)


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
    choices: tuple[ColumnChoice, ...] = ()  # one per canonical column of the table, found or not
    shape: str = ""  # for Targets: "long", "per_metric", "wide_months", "yearly" (kpicore.ingest.targets_shapes)
    # said once for this grid (the rule a yearly target was spread by, where a missing year came from);
    # IngestReport.notes gathers them
    notes: tuple[Message, ...] = ()


@dataclass(frozen=True)
class IngestReport:
    grids: tuple[GridReport, ...] = ()
    labels: tuple[LabelChoice, ...] = ()  # every distinct label of the vocabulary columns
    name_variants: tuple[NameVariants, ...] = ()
    # said once for the whole source: a derived deal id, a yearly target spread by a rule, TTC used...
    notes: tuple[Message, ...] = ()

    def __post_init__(self) -> None:
        # the notes of each grid are the source's notes too: the ingest need not copy them itself
        gathered = tuple(n for g in self.grids for n in g.notes if n not in self.notes)
        if gathered:
            object.__setattr__(self, "notes", self.notes + tuple(dict.fromkeys(gathered)))

    @property
    def read(self) -> tuple[GridReport, ...]:
        return tuple(g for g in self.grids if g.table)

    @property
    def ignored(self) -> tuple[GridReport, ...]:
        return tuple(g for g in self.grids if not g.table)

    @property
    def guesses(self) -> tuple[ColumnChoice, ...]:
        return tuple(c for g in self.grids for c in g.choices if c.guess)
