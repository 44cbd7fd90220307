"""A stable deal id for a Deals table that has none (pure): a Salesforce report, an Odoo export, a
hand-kept list of deals.

The id is ``"D-"`` and 8 hex digits of the SHA-1 of the deal's folded name, account and creation
date, so the same file gives the same ids at every refresh (and an edit of another deal changes
none).  Without a name column the id comes from the account, owner, creation date and amount.
Two rows with the same key but different contents are two real deals: the second (by order of
appearance) takes the suffix ``-2``, the third ``-3``...; two rows identical in every cell share
one id, so the duplicate check still merges them.  Everything is computed over whole columns,
the hash over the distinct keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpicore.ingest.parsing import fold

NOTE_FROM_NAME = "vocabulary.note.derived_ids"  # name, account and creation date
NOTE_WITHOUT_NAME = "vocabulary.note.derived_ids_no_name"  # account, owner, creation date, amount, row order
PREFIX = "D-"


@dataclass(frozen=True)
class DerivedIds:
    ids: pd.Series  # string dtype, one per row
    note: str  # NOTE_FROM_NAME or NOTE_WITHOUT_NAME
    twins: int  # rows that share their key with an earlier, different row (suffixed "-2", "-3"...)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as folded text over its distinct values ('' when absent or empty)."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    s = frame[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").fillna("").astype(object)
    if pd.api.types.is_numeric_dtype(s):
        return s.map(lambda v: "" if pd.isna(v) else f"{float(v):.2f}").astype(object)
    text = s.astype(object).where(s.notna(), "")
    return text.map({v: fold(str(v)) for v in pd.unique(text)}).astype(object)


def _sha(keys: pd.Series) -> pd.Series:
    digest = {k: PREFIX + hashlib.sha1(k.encode("utf-8")).hexdigest()[:8] for k in pd.unique(keys)}
    return keys.map(digest)


def derive_deal_ids(frame: pd.DataFrame, content: pd.DataFrame) -> DerivedIds:
    """Ids for the rows of ``frame`` (parsed Deals columns, with the helper ``deal_name`` when the file
    has it); ``content`` holds every cell of each row as text, to tell a twin from an exact duplicate."""
    has_name = "deal_name" in frame and frame["deal_name"].notna().any()
    parts = ("deal_name", "account", "created_on") if has_name else ("account", "owner", "created_on", "amount")
    key = _text(frame, parts[0])
    for p in parts[1:]:
        key = key + "|" + _text(frame, p)
    base = _sha(key)
    if len(content.columns):
        signature = pd.util.hash_pandas_object(content, index=False).to_numpy()
    else:
        signature = np.zeros(len(frame), dtype=np.uint64)
    work = pd.DataFrame({"base": base.to_numpy(), "sig": signature, "i": np.arange(len(frame))})
    # the first row of each distinct content, ranked within its key by order of appearance
    first = work.groupby(["base", "sig"], sort=False)["i"].transform("min")
    rank = first.groupby(work["base"]).rank(method="dense").astype(int)
    suffix = np.where(rank.to_numpy() > 1, "-" + rank.astype(str).to_numpy(), "")
    ids = pd.Series(base.to_numpy().astype(object) + suffix, index=frame.index, dtype="string")
    twins = int((rank > 1).sum())
    return DerivedIds(ids, NOTE_FROM_NAME if has_name else NOTE_WITHOUT_NAME, twins)
