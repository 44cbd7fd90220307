"""What the reader made of a file, kept as a golden file, so that a new reader can be proven to read the same.

A record holds the file's quality report as ``pilotage check --json`` gives it in French (every message, every
column chosen and why) and each canonical table it read: its columns, their types and every cell (the corpus's
tables are small), or for a large file a digest of each column's cells, which still tells which column moved.

The records live in ``tests/golden/reading/``.  They were written by the row-wise reader; to write them again
after a deliberate change of a reading rule, run the tests that check them with ``PILOTAGE_WRITE_GOLDEN=1`` and
read the diff before committing it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "reading"
WRITE = os.environ.get("PILOTAGE_WRITE_GOLDEN") == "1"
MAX_DIFFERENCES = 12


def cell_text(value: Any) -> str | None:
    """A cell as text that tells apart what a reader could get wrong: a date from a datetime, 1 from 1.0
    from "1", a missing value from an empty text."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return "ts:" + value.isoformat()
    if isinstance(value, bool):
        return f"bool:{value}"
    if isinstance(value, float):
        return "float:" + repr(value)
    if isinstance(value, int):
        return f"int:{value}"
    if isinstance(value, str):
        return "str:" + value
    return f"{type(value).__name__}:{value!r}"


def _column_cells(frame: pd.DataFrame, column: str) -> list[str | None]:
    return [cell_text(v) for v in frame[column].astype(object).tolist()]


def reading_record(data, *, every_cell: bool) -> dict:
    """The record of ``data`` (a ``PipelineData`` read from a file)."""
    from kpicore.text.check import check_report_json

    tables = {}
    for name, frame in sorted(data.frames().items()):
        table: dict[str, Any] = {"rows": len(frame), "columns": list(frame.columns),
                                 "dtypes": [str(t) for t in frame.dtypes]}
        if every_cell:
            table["cells"] = [[cell_text(v) for v in row] for row in frame.astype(object).itertuples(index=False)]
        else:
            table["digests"] = {c: hashlib.sha256(json.dumps(_column_cells(frame, c)).encode()).hexdigest()
                                for c in frame.columns}
        tables[name] = table
    return {"quality": check_report_json(data, "fr"), "tables": tables}


def golden_path(name: str) -> Path:
    return GOLDEN / (re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".json")


def differences(got: Any, want: Any, where: str = "") -> list[str]:
    """Where ``got`` and ``want`` (JSON values) differ, each as a path and the two values."""
    if isinstance(got, dict) and isinstance(want, dict):
        out = []
        for key in sorted(set(got) | set(want)):
            if key not in want:
                out.append(f"{where}/{key}: not in the golden file")
            elif key not in got:
                out.append(f"{where}/{key}: missing")
            else:
                out += differences(got[key], want[key], f"{where}/{key}")
        return out
    if isinstance(got, list) and isinstance(want, list):
        out = [] if len(got) == len(want) else [f"{where}: {len(got)} items, golden {len(want)}"]
        for i, (g, w) in enumerate(zip(got, want)):
            out += differences(g, w, f"{where}[{i}]")
        return out
    return [] if got == want else [f"{where}: {got!r}, golden {want!r}"]


def check_golden(name: str, record: dict) -> list[str]:
    """The differences between ``record`` and the golden record of file ``name`` (written instead when
    ``PILOTAGE_WRITE_GOLDEN=1``); the record goes through JSON as the golden file did."""
    path = golden_path(name)
    record = json.loads(json.dumps(record, ensure_ascii=False, default=str))
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return []
    if not path.exists():
        return [f"no golden file {path.name}: write it with PILOTAGE_WRITE_GOLDEN=1"]
    found = differences(record, json.loads(path.read_text(encoding="utf-8")))
    return found[:MAX_DIFFERENCES] + ([f"... and {len(found) - MAX_DIFFERENCES} more"]
                                      if len(found) > MAX_DIFFERENCES else [])
