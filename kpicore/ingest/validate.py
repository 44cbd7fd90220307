"""One validation pass per canonical table: clean frames plus the issues found (pure).

Input is what the ingest cut out of the client's grids (:class:`TablePart`: raw
cells per canonical column, with the Excel row numbers); output is a frame
that passes ``schema.conform`` and a list of ``Issue`` whose problem and fix are
catalogue messages (``quality.problem.*``, ``quality.fix.*``).

The rule: every data row ends either in the clean frame or in an *error*
issue naming its file, sheet, Excel row and column (exact duplicates, of
which one copy is kept, are listed as warnings).  Repairs keep the row and
add a *warning*: dates typed as French text or kept as Excel serials,
amounts typed as French text, stray spaces, a stage typed in another case
than the Stages table spells it.  Exclusions: a required value missing or
unreadable, a missing required column (one error for the whole table, naming
the column and the headers found), a negative amount, a close date before
the creation date, the same id with different contents (every copy excluded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.ingest.deal_ids import derive_deal_ids
from kpicore.ingest.mapping import HELPER_COLUMNS, HELPER_KINDS, KEPT_HELPERS, choice_value
from kpicore.ingest.parsing import Parsed, fold, parse_column
from kpicore.ingest.vocabularies import LabelsRead, merge_labels, read_activity_types, read_stages, read_statuses
from kpicore.model.ingest_report import LabelChoice, PersonChoices
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.quality import ERROR, WARNING, Issue

# Above this many repaired cells in one column, one warning for the column
# replaces one warning per cell (the report stays readable; the rows are named).
CELL_WARNINGS_MAX = 20
_ROWS_SHOWN = 10

_SCORE_COLUMNS = ("discovery_quality", "proposal_relevance", "customer_satisfaction")


@dataclass(frozen=True)
class TablePart:
    """The rows of one grid mapped onto one canonical table, cells still raw."""

    table: str
    file: str
    sheet: str
    rows: tuple[int, ...]  # Excel row number of each data row
    columns: dict[str, Sequence[object]] = field(default_factory=dict)  # canonical or helper column -> cells
    # canonical or helper column -> header in file (a Message naming its letter when it has none)
    headers: dict[str, str | Message] = field(default_factory=dict)
    extras: dict[str, Sequence[object]] = field(default_factory=dict)  # header -> cells (unknown columns, kept)
    headers_found: tuple[str, ...] = ()
    # column -> the type code of each of its cells, where the row rules read them (``cell_types``)
    codes: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class RowOutcome:
    """What became of each data row of one part (by Excel row number)."""

    file: str
    sheet: str
    kept: tuple[int, ...]
    excluded: tuple[int, ...]  # an error issue names each of them
    merged: tuple[int, ...]  # exact duplicates of a kept row (a warning names each)


@dataclass(frozen=True)
class TableResult:
    table: str
    frame: pd.DataFrame
    issues: tuple[Issue, ...]
    outcomes: tuple[RowOutcome, ...]
    labels: tuple[LabelChoice, ...] = ()  # every distinct label of the vocabulary columns (types, stages, statuses)
    notes: tuple[Message, ...] = ()  # said once for the table (a derived deal id)


def _rows_text(rows: list[int]) -> Message | str:
    shown = ", ".join(str(r) for r in rows[:_ROWS_SHOWN])
    if len(rows) > _ROWS_SHOWN:
        return Message.of("quality.rows_more", rows=shown, more=len(rows) - _ROWS_SHOWN)
    return shown


def _fmt(value: object) -> Message | str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return Message.of("quality.value.date", day=value)
    return str(value)[:80]


def _sheet_row(sheet: str, row: object) -> Message:
    return Message.of("quality.sheet_row", sheet=sheet, row=int(row))


class _Part:
    """Mutable working state of one part during validation."""

    def __init__(self, part: TablePart, choices: PersonChoices | None = None) -> None:
        self.p = part
        self.person = choices.labels if choices else {}
        self.labels: list[LabelChoice] = []
        self.notes: list[Message] = []
        self.n = len(part.rows)
        self.rows = np.asarray(part.rows, dtype=np.int64)
        self.excluded = np.zeros(self.n, dtype=bool)
        self.issues: list[Issue] = []
        self.flagged: set[tuple[int, str]] = set()  # (row index, column) already in an error

    def issue(self, severity: str, problem: Message, fix: Message, *, i: int | None = None, column: str = "",
              value: object = "") -> None:
        self.issues.append(Issue(severity, self.p.table, problem, fix, self.p.file, self.p.sheet,
                                 None if i is None else int(self.rows[i]), self.p.headers.get(column, column),
                                 _fmt(value)))

    def error(self, i: int, column: str, value: object, problem: Message, fix: Message) -> None:
        self.excluded[i] = True
        self.flagged.add((int(i), column))
        self.issue(ERROR, problem, fix, i=i, column=column, value=value)

    def repairs(self, column: str, parsed: Parsed, raw: Sequence[object]) -> None:
        idx = np.flatnonzero(parsed.repaired & ~parsed.bad)
        if not len(idx) or not parsed.note:
            return
        fix = Message.of("quality.fix.repaired")
        if len(idx) <= CELL_WARNINGS_MAX:
            problem = Message.of("quality.problem.repaired", note=parsed.note)
            for i in idx:
                self.issue(WARNING, problem, fix, i=int(i), column=column, value=raw[i])
        else:
            rows = [int(self.rows[i]) for i in idx]
            self.issue(WARNING, Message.of("quality.problem.repaired_cells", note=parsed.note, cells=len(idx),
                                           rows=_rows_text(rows)), fix, column=column, value=raw[idx[0]])


_FIX_REQUIRED = Message.of("quality.fix.required")
_KINDS = ("date", "amount", "number", "fraction", "int", "bool")


def _kind(kind: str) -> Message:
    """What a column holds (« une date »), for « on attendait ... »."""
    return Message.of(f"quality.kind.{kind if kind in _KINDS else 'text'}")


def _fix_kind(kind: str, otherwise: Message) -> Message:
    return Message.of(f"quality.fix.kind.{kind}") if kind in _KINDS else otherwise


def _month_text(v: object) -> str | None:
    """A Targets period as ``YYYY-MM`` from a date cell, ``2025-03``, ``03/2025`` or ``2025-03-01``."""
    if isinstance(v, pd.Timestamp) or hasattr(v, "year") and hasattr(v, "month"):
        return f"{v.year:04d}-{v.month:02d}"
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?", s)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", s)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{int(m.group(2)):04d}-{int(m.group(1)):02d}"
    return None


def _parse_part(w: _Part, table: schema.Table, stages: pd.DataFrame | None) -> pd.DataFrame:
    """Typed values of one part; marks excluded rows and records issues on ``w``."""
    p = w.p
    data: dict[str, pd.Series] = {}
    bad_cells: dict[str, np.ndarray] = {}
    kinds = {c.name: c.kind for c in table.columns}
    kinds.update({h: HELPER_KINDS[h] for h in HELPER_COLUMNS.get(table.name, ())})
    for name, cells in p.columns.items():
        kind = kinds[name]
        col = table._by_name.get(name)
        if table.name == "Targets" and name == "period":
            vals = [_month_text(v) for v in cells]
            parsed = parse_column("text", cells)
            bad = np.array([v is None and not parsed.empty[i] for i, v in enumerate(vals)], dtype=bool)
            parsed = Parsed(pd.Series(vals, dtype="string"), bad, np.zeros(w.n, dtype=bool))
        else:
            parsed = parse_column(kind, cells, p.codes.get(name))
        values = parsed.values.copy()
        bad_cells[name] = parsed.bad
        required = bool(col and col.required)
        for i in np.flatnonzero(parsed.bad):
            if required:
                w.error(int(i), name, cells[i], Message.of("quality.problem.unreadable_required", kind=_kind(kind)),
                        _fix_kind(kind, _FIX_REQUIRED))
            else:
                w.issue(WARNING, Message.of("quality.problem.unreadable_ignored", kind=_kind(kind)),
                        _fix_kind(kind, Message.of("quality.fix.correct_value")), i=int(i), column=name,
                        value=cells[i])
        w.repairs(name, parsed, cells)
        if col is not None and col.kind == "choice":
            values = _choices(w, table, name, values, cells)
        if name in _SCORE_COLUMNS:
            out = values.notna() & ((values < 1) | (values > 5))
            for i in np.flatnonzero(out.to_numpy()):
                w.issue(WARNING, Message.of("quality.problem.score_out_of_range"), Message.of("quality.fix.score"),
                        i=int(i), column=name, value=cells[i])
            values = values.mask(out)
        data[name] = values
    frame = pd.DataFrame(data, index=range(w.n))
    if table.name == "Deals" and "deal_id" not in frame:
        frame["deal_id"] = _derived_ids(w, frame)
        bad_cells["deal_id"] = np.zeros(w.n, dtype=bool)
    if table.name == "Deals" and "stage" not in frame and "status" in frame:
        frame["stage"] = _stage_from_status(w)
        bad_cells["stage"] = np.zeros(w.n, dtype=bool)
    # required values that are simply empty
    for col in table.columns:
        if not col.required or (table.name == "Deals" and col.name == "status"):
            continue
        if col.name not in frame:
            continue
        # every missing value of the row is listed, not only the first one
        empty = frame[col.name].isna().to_numpy() & ~bad_cells[col.name]
        for i in np.flatnonzero(empty):
            if (int(i), col.name) in w.flagged:
                continue
            w.error(int(i), col.name, "", Message.of("quality.problem.missing_value",
                                                     column=p.headers.get(col.name, col.label_fr)), _FIX_REQUIRED)
    for col in table.columns:  # amounts are never negative
        if col.kind == "amount" and col.name in frame:
            neg = (frame[col.name] < 0).fillna(False).to_numpy()
            for i in np.flatnonzero(neg):
                w.error(int(i), col.name, p.columns[col.name][i], Message.of("quality.problem.negative_amount"),
                        Message.of("quality.fix.negative_amount"))
    if table.name == "Deals":
        frame = _deals_rules(w, frame, stages)
    if table.name in ("Deals", "StageHistory", "PipelineSnapshots") and "stage" in frame and stages is not None:
        frame["stage"] = _stage_spelling(w, frame["stage"], stages)
    return frame


def _choices(w: _Part, table: schema.Table, name: str, values: pd.Series, cells: Sequence[object]) -> pd.Series:
    if table.name == "Activities" and name == "type":
        read = read_activity_types(values, w.person)
        _label_warnings(w, name, values, read, "vocabulary.problem.unknown_activity_type",
                        Message.of("vocabulary.fix.activity_type"))
        return read.values
    if table.name == "Deals" and name == "status":
        read = read_statuses(values, w.person)
        _label_warnings(w, name, values, read, "quality.problem.unknown_status", Message.of("quality.fix.statuses"))
        return read.values
    # the other choice columns (ritual, action status, target level): one decision per distinct value
    known = {v: choice_value(table.name, name, v) for v in values.dropna().unique()}
    mapped = values.map(known)
    unknown = (values.notna() & mapped.isna()).to_numpy()
    required = table.column(name).required
    fix = Message.of("quality.fix.choices", choices=", ".join(table.column(name).choices))
    for i in np.flatnonzero(unknown):  # each row named: a required value excludes it
        if required:
            w.error(int(i), name, cells[i], Message.of("quality.problem.unknown_choice_required"), fix)
        else:
            w.issue(WARNING, Message.of("quality.problem.unknown_choice_ignored"), fix, i=int(i), column=name,
                    value=cells[i])
    return mapped.astype("string")


def _label_warnings(w: _Part, name: str, values: pd.Series, read: LabelsRead, code: str, fix: Message) -> None:
    """The labels read, and one warning per unmapped label (its count, its first row), not one per row."""
    w.labels.extend(read.labels)
    for c in read.unmapped:
        first = int(np.flatnonzero((values == c.label).fillna(False).to_numpy())[0])
        problem = Message.of(code) if code.startswith("quality.") else Message.of(code, label=c.label, rows=c.count)
        w.issue(WARNING, problem, fix, i=first, column=name, value=c.label)


def _deals_rules(w: _Part, frame: pd.DataFrame, stages: pd.DataFrame | None) -> pd.DataFrame:
    """Status from the stage when absent, the single "Close Date" split by status,
    Pipedrive's won/lost times, and close before creation."""
    status = frame["status"] if "status" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
    stage = frame["stage"] if "stage" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
    # one decision per distinct stage, not per row (100,000 deals share a dozen stages)
    read = read_stages(stage, stages, w.person)
    if "stage" in w.p.columns:
        _label_warnings(w, "stage", stage, read, "vocabulary.problem.unknown_stage", Message.of("vocabulary.fix.stage"))
    derived = read.values.fillna("open").astype("string")
    if "status" not in w.p.columns and "lost_reason" in frame:
        # no status column: a lost reason on a deal not won means lost (Odoo archives lost
        # opportunities in their last stage with a lost reason, crm_lead.py lost_reason_id)
        derived = derived.mask((derived == "open") & frame["lost_reason"].notna(), "lost")
    status = status.fillna(derived)
    frame["status"] = status
    closed = status.isin(["won", "lost"]).to_numpy()
    for c in ("expected_close_on", "closed_on"):
        if c not in frame:
            frame[c] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for helper, which in (("won_on", "won"), ("lost_on", "lost")):
        if helper in frame:
            use = (status == which).to_numpy()
            frame.loc[use, "closed_on"] = frame.loc[use, "closed_on"].fillna(frame.loc[use, helper])
    if "close_date" in frame:
        # one date that means "expected" while open and "actual" once won or lost
        cd = frame["close_date"]
        frame.loc[closed, "closed_on"] = frame.loc[closed, "closed_on"].fillna(cd[closed])
        frame.loc[~closed, "expected_close_on"] = frame.loc[~closed, "expected_close_on"].fillna(cd[~closed])
    if "created_on" in frame:
        before = (frame["closed_on"] < frame["created_on"]).fillna(False).to_numpy()
        col = "closed_on" if "closed_on" in w.p.columns else ("close_date" if "close_date" in w.p.columns else
                                                              "closed_on")
        for i in np.flatnonzero(before):
            w.error(int(i), col, frame["closed_on"].iloc[i],
                    Message.of("quality.problem.closed_before_created", created=frame["created_on"].iloc[i]),
                    Message.of("quality.fix.one_of_two_dates"))
    return frame.drop(columns=[h for h in HELPER_COLUMNS["Deals"] if h in frame and h not in KEPT_HELPERS])


def _stage_spelling(w: _Part, stage: pd.Series, stages: pd.DataFrame) -> pd.Series:
    """Stages typed in another case or without accents take the Stages table's spelling."""
    spelling = {fold(str(s)): str(s) for s in stages["stage"].dropna()}
    fixes = {}
    for v in stage.dropna().unique():
        right = spelling.get(fold(str(v)))
        if right is not None and right != v:
            fixes[v] = right
    if not fixes:
        return stage
    hit = stage.isin(list(fixes)).to_numpy()
    for i in np.flatnonzero(hit):
        v = stage.iloc[i]
        w.issue(WARNING, Message.of("quality.problem.stage_respelled", stage=fixes[v]),
                Message.of("quality.fix.spelling"), i=int(i), column="stage", value=v)
    return stage.where(~hit, stage.map(fixes)).astype("string")


def _stage_from_status(w: _Part) -> pd.Series:
    """No stage column, a status one (« Statut » of a hand-kept table, Dynamics' statecode): each deal's
    stage is its status as the file words it (« En cours », « Gagnée »), so that the status alone carries
    the deals.  A deal with neither is excluded, the status column named."""
    stage = parse_column("text", w.p.columns["status"]).values.astype("string")
    note = Message.of("stage_from_status.note", column=w.p.headers["status"])
    w.notes.append(note)
    w.issue(WARNING, note, Message.of("stage_from_status.fix"), column="status")
    for i in np.flatnonzero(stage.isna().to_numpy()):
        w.error(int(i), "status", "", Message.of("quality.problem.missing_value", column=w.p.headers["status"]),
                _FIX_REQUIRED)
        w.flagged.add((int(i), "stage"))
    return stage


def _derived_ids(w: _Part, frame: pd.DataFrame) -> pd.Series:
    """Deals without an id column: a stable id from the name, account and creation date, said once."""
    content = pd.DataFrame({k: pd.Series(list(v), dtype=object).astype(str) for k, v in
                            {**w.p.columns, **w.p.extras}.items()}, index=frame.index)
    derived = derive_deal_ids(frame, content)
    note = Message.of(derived.note, deals=int(derived.ids.nunique()), twins=derived.twins)
    w.notes.append(note)
    w.issue(WARNING, note, Message.of("vocabulary.fix.derived_ids"), column="deal_id")
    return derived.ids


# Helper columns also kept as an extra column under the file's header once used.
_SHOWN_HELPERS = {"Deals": ("deal_name",)}

# A Deals part may lack an id: one is derived (kpicore.ingest.deal_ids); and a stage when it has a status
# (the stage is then the status in the file's words, _stage_from_status).
_OPTIONAL_WHEN_DERIVED = {"Deals": ("deal_id",)}
_OPTIONAL_WITH = {"Deals": {"stage": "status"}}


def _missing_columns(part: TablePart, table: schema.Table) -> list[str]:
    have = set(part.columns)
    missing = []
    for c in table.required:
        if c in have or c in _OPTIONAL_WHEN_DERIVED.get(table.name, ()):
            continue
        if _OPTIONAL_WITH.get(table.name, {}).get(c) in have:
            continue
        missing.append(c)
    return missing


def validate_table(table_name: str, parts: list[TablePart], stages: pd.DataFrame | None = None,
                   choices: PersonChoices | None = None) -> TableResult:
    """Clean, conformed frame of ``table_name`` from its parts, with the issues and row outcomes.

    ``choices``: a person's choices from « Correspondances »; its labels win over every reading of
    the activity types, stages and statuses."""
    table = schema.TABLES[table_name]
    issues: list[Issue] = []
    outcomes: list[RowOutcome | None] = [None] * len(parts)  # in the order of ``parts``
    frames: list[pd.DataFrame] = []
    works: list[_Part] = []
    positions: list[int] = []  # position in ``parts`` of each entry of ``works``
    for pos, part in enumerate(parts):
        w = _Part(part, choices)
        missing = _missing_columns(part, table)
        if missing:
            for c in missing:
                label = Message.of(f"quality.column.{table.name}.{c}")
                w.issue(ERROR, Message.of("quality.problem.missing_column", label=label, column=c, rows=w.n),
                        Message.of("quality.fix.missing_column", label=label, table=table.name, column=c,
                                   headers=", ".join(part.headers_found) or Message.of("quality.none")))
            w.excluded[:] = True
            issues.extend(w.issues)
            outcomes[pos] = RowOutcome(part.file, part.sheet, (), tuple(int(r) for r in w.rows), ())
            continue
        frame = _parse_part(w, table, stages)
        for header, cells in part.extras.items():
            frame[header] = pd.Series(list(cells), index=frame.index, dtype=object)
        for helper in _SHOWN_HELPERS.get(table.name, ()):
            # a deal's name serves the derived id, and stays in the frame under its own header
            header = part.headers.get(helper)
            if helper in part.columns and isinstance(header, str) and header not in frame:
                frame[header] = pd.Series(list(part.columns[helper]), index=frame.index, dtype=object)
        frame["__part"] = len(works)
        frame["__i"] = np.arange(w.n)
        works.append(w)
        positions.append(pos)
        frames.append(frame)
    merged: dict[int, list[int]] = {k: [] for k in range(len(works))}
    if frames:
        allf = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        excluded = np.concatenate([w.excluded for w in works])
        keep = ~excluded
        if table.key and all(k in allf for k in table.key):
            keep = _duplicates(allf, keep, table, works, merged)
        for k, w in enumerate(works):
            issues.extend(w.issues)
            merged_set = set(merged[k])
            kept_at = ~np.asarray(w.excluded, dtype=bool)
            kept_at[list(merged_set)] = False
            kept = np.asarray(w.rows)[kept_at].tolist()
            outcomes[positions[k]] = RowOutcome(w.p.file, w.p.sheet, tuple(kept),
                                                tuple(int(w.rows[i]) for i in np.flatnonzero(w.excluded)),
                                                tuple(int(w.rows[i]) for i in sorted(merged_set)))
        clean = allf.loc[keep].drop(columns=["__part", "__i"]).reset_index(drop=True)
    else:
        clean = table.empty()
    helpers = [h for h in HELPER_COLUMNS.get(table.name, ()) if h in clean and h not in KEPT_HELPERS]
    clean = schema.conform(clean.drop(columns=helpers), table)
    labels = merge_labels([c for w in works for c in w.labels])
    notes = tuple(n for w in works for n in w.notes)
    return TableResult(table.name, clean, tuple(issues), tuple(o for o in outcomes if o is not None), labels, notes)


def _duplicates(allf: pd.DataFrame, keep: np.ndarray, table: schema.Table, works: list[_Part],
                merged: dict[int, list[int]]) -> np.ndarray:
    """Same key twice: identical rows keep one copy (warning), different rows are all excluded."""
    keep = keep.copy()
    key = list(table.key)
    live = allf.loc[keep]
    dup = live.duplicated(key, keep=False)
    if not dup.any():
        return keep
    content = [c for c in live.columns if c not in ("__part", "__i")]
    sub = live.loc[dup]
    hashed = pd.util.hash_pandas_object(sub[content].astype(str), index=False)
    for _, grp in sub.groupby(key, sort=False, dropna=False):  # a company target has no scope_name
        h = hashed.loc[grp.index]
        where = [(int(pt), int(i)) for pt, i in zip(grp["__part"], grp["__i"])]
        rows = [_sheet_row(works[pt].p.sheet, works[pt].rows[i]) for pt, i in where]
        ident = " / ".join(str(grp.iloc[0][k]) for k in key)
        if h.nunique() == 1:
            for pt, i in where[1:]:  # the first copy is kept
                keep[grp.index[where.index((pt, i))]] = False
                merged[pt].append(i)
                works[pt].issue(WARNING, Message.of("quality.problem.duplicate_same", first=rows[0]),
                                Message.of("quality.fix.remove_duplicate"), i=i, column=key[0], value=ident)
        else:
            for pt, i in where:
                keep[grp.index[where.index((pt, i))]] = False
                me = _sheet_row(works[pt].p.sheet, works[pt].rows[i])
                others = chained("quality.list", [r for r in rows if r != me])
                works[pt].error(i, key[0], ident, Message.of("quality.problem.duplicate_different", others=others),
                                Message.of("quality.fix.duplicate_id"))
    return keep
