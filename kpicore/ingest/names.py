"""Spellings of one person across the tables (pure): "DUPONT Marie" in the deals, "Marie Dupont" in
the activities, "M. Dupont" in the targets.

They are *proposed* as one (``NameVariants``, shown in « Correspondances »), never merged silently:
two people may share a surname.  A person's accepted merge (``PersonChoices.names``, a spelling ->
the person) is applied to every table that names reps (deal owners, activity and co-visit reps, rep
targets, the Reps sheet) before any KPI.

Two spellings are variants when their folded words are the same in any order (case, accents and
punctuation ignored: "DUPONT Marie", "marie dupont"), or when one gives an initial where the other
gives the word ("M. Dupont", "Dupont M.", "Marie D.") and exactly one fuller spelling fits it.  The
work is over the distinct names (a few dozen), never over the rows.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from kpicore.ingest.parsing import fold
from kpicore.model.ingest_report import NameVariants, PersonChoices

# Where the tables name a person: attribute of PipelineData -> column.
PERSON_COLUMNS: tuple[tuple[str, str], ...] = (("deals", "owner"), ("activities", "rep"), ("co_visits", "rep"),
                                               ("reps", "rep"), ("targets", "scope_name"))
# Civilities dropped before comparing ("M." alone stays: it may be Marie's initial).
_CIVILITIES = frozenset({"mme", "mr", "mlle", "madame", "monsieur", "mrs", "ms", "miss", "mister"})


def _person_cells(frames: Mapping[str, pd.DataFrame], attr: str, column: str) -> pd.Series | None:
    frame = frames.get(attr)
    if frame is None or column not in frame or not len(frame):
        return None
    cells = frame[column]
    if attr == "targets" and "scope_type" in frame:
        cells = cells[frame["scope_type"] == "rep"]  # a team's or the company's target names no person
    return cells.dropna().astype(str)


def _words(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words of two letters or more, initials) of a folded name, civilities dropped."""
    words = [w for w in fold(name).split() if w not in _CIVILITIES]
    return tuple(sorted(w for w in words if len(w) > 1)), tuple(sorted(w for w in words if len(w) == 1))


def _fits(full: tuple[str, ...], words: tuple[str, ...], initials: tuple[str, ...]) -> bool:
    """Whether a spelling with initials fits a full spelling: every word in it, every initial the first
    letter of one of the other words (« J. Picard » fits « Jean-Luc Picard »)."""
    rest = list(full)
    for w in words:
        if w not in rest:
            return False
        rest.remove(w)
    for i in initials:
        hit = next((r for r in rest if r.startswith(i)), None)
        if hit is None:
            return False
        rest.remove(hit)
    return True


def _well_written(name: str) -> bool:
    """« Marie Dupont » rather than « DUPONT Marie » or « marie dupont »: the spelling proposed."""
    words = name.split()
    return all(w[:1].isupper() and not (len(w) > 2 and w.isupper()) for w in words if w[:1].isalpha())


def name_variants(counts: pd.Series, accepted: Mapping[str, str] | None = None) -> tuple[NameVariants, ...]:
    """Groups of spellings of one person among the distinct names of ``counts`` (name -> rows, in order
    of first appearance)."""
    accepted = accepted or {}
    names = [str(n) for n in counts.index]
    parsed = {n: _words(n) for n in names}
    groups: dict[tuple[str, ...], list[str]] = {}
    for n in names:  # full spellings: the same words in any order
        words, initials = parsed[n]
        if words and not initials:
            groups.setdefault(words, []).append(n)
    for n in names:  # spellings with an initial join the only full spelling they fit
        words, initials = parsed[n]
        if not initials or not words:
            continue
        fits = [key for key in groups if len(key) > len(words) and _fits(key, words, initials)]
        key = fits[0] if len(fits) == 1 else words + tuple(i + "." for i in initials)
        groups.setdefault(key, []).append(n)
    out = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        full = [m for m in members if not parsed[m][1]] or members
        proposed = max(full, key=lambda m: (_well_written(m), int(counts[m]), -names.index(m)))
        ordered = tuple(sorted(members, key=names.index))
        chosen = {accepted.get(m) for m in ordered}
        out.append(NameVariants(ordered, proposed, len(chosen) == 1 and None not in chosen))
    return tuple(out)


def merge_names(frames: dict[str, pd.DataFrame], choices: PersonChoices | None = None
                ) -> tuple[dict[str, pd.DataFrame], tuple[NameVariants, ...]]:
    """The frames with a person's accepted merges applied to every column naming a rep, and the name
    variants found among the spellings as written in the file."""
    seen = [c for attr, col in PERSON_COLUMNS if (c := _person_cells(frames, attr, col)) is not None]
    if not seen:
        return frames, ()
    every = pd.concat(seen, ignore_index=True)
    counts = every.value_counts().reindex(pd.unique(every))  # in order of first appearance
    accepted = dict(choices.names) if choices else {}
    variants = name_variants(counts, accepted)
    if not accepted:
        return frames, variants
    out = dict(frames)
    for attr, col in PERSON_COLUMNS:
        frame = frames.get(attr)
        if frame is None or col not in frame or not len(frame):
            continue
        cells = frame[col]
        mask = cells.isin(list(accepted))
        if attr == "targets" and "scope_type" in frame:
            mask &= frame["scope_type"] == "rep"
        if mask.any():
            frame = frame.copy()
            frame[col] = cells.where(~mask, cells.map(accepted)).astype(cells.dtype)
            out[attr] = frame
    return out, variants
