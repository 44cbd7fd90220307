"""Cell functions over a large table: 500 cells of the KPI functions over one Deals table of about
100,000 rows (the large demo's), the table passed by reference as the add-in passes it (xlwings'
``range`` converter, ``tests/support/excel_ranges.py``: each read of its values hands a fresh
two-dimensional list, as marshalling through COM does), against the same cells with the table passed by
its values, a fresh list at each call, as before (the baseline, on a few cells: it costs a parse per call).

Only Python's time is measured: Excel's own (recalculation, COM) is not here, and only Excel can show it.

    .venv/bin/python bench/udfs.py [--cells 500] [--baseline-cells 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from addin.excel import udfs  # noqa: E402
from kpicore.demo.company import DEMO_AS_OF, generate  # noqa: E402
from kpicore.model import schema  # noqa: E402
from support.excel_ranges import table_range  # noqa: E402

FUNCTIONS = ("PILOT_CA_SIGNE", "PILOT_CONVERSION", "PILOT_PANIER_MOYEN", "PILOT_CYCLE_JOURS",
             "PILOT_AFFAIRES_GAGNEES", "PILOT_PIPELINE", "PILOT_TAUX_GAIN", "PILOT_PROPOSITIONS")
PERIODS = ("2026-10", "2026-09", "2026-Q3", "2026")


def deals_rows() -> list[list]:
    """The large demo's Deals table as Excel holds it: the French header row, then one row per deal."""
    deals = generate(size="large").deals
    columns = [c for c in schema.DEALS.columns if c.name in deals.columns]
    rows = [[c.label_fr for c in columns]]
    frame = deals[[c.name for c in columns]].astype(object).where(deals[[c.name for c in columns]].notna(), None)
    for record in frame.itertuples(index=False):
        rows.append([v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in record])
    return rows


def cells(rows: list[list], n: int) -> list[tuple[str, str, str]]:
    reps = sorted({r[2] for r in rows[1:] if r[2]})[:40]
    scopes = [""] + [f"rep:{r}" for r in reps]
    combos = [(f, s, p) for p in PERIODS for s in scopes for f in FUNCTIONS]
    return list(islice(cycle(combos), n))


def run(table, wanted: list[tuple[str, str, str]]) -> tuple[float, list]:
    t0 = time.perf_counter()
    values = [getattr(udfs, f)(table() if callable(table) else table, scope, period, DEMO_AS_OF)
              for f, scope, period in wanted]
    return time.perf_counter() - t0, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--baseline-cells", type=int, default=5)
    args = parser.parse_args()
    rows = deals_rows()
    wanted = cells(rows, args.cells)
    print(f"Deals table: {len(rows) - 1:,} rows × {len(rows[0])} columns; {len(wanted)} cells")

    udfs.clear_caches()
    rng = table_range(rows, address=f"$A$1:$O${len(rows)}")
    seconds, by_range = run(rng, wanted)
    print(f"by reference: {seconds:.2f} s for {len(wanted)} cells ({seconds / len(wanted) * 1000:.1f} ms a cell), "
          f"values marshalled {rng.reads} time(s)")
    udfs.clear_caches()
    rng2 = table_range(rows, address=f"$A$1:$O${len(rows)}")
    run(rng2, wanted[:1])
    warm, _ = run(rng2, wanted)
    print(f"by reference, table already parsed: {warm:.2f} s ({warm / len(wanted) * 1000:.2f} ms a cell)")

    udfs.clear_caches()
    few = wanted[:args.baseline_cells]
    base, by_value = run(lambda: [list(r) for r in rows], few)
    per_cell = base / len(few)
    print(f"baseline, by value (a fresh list each call): {base:.2f} s for {len(few)} cells "
          f"({per_cell:.2f} s a cell, so about {per_cell * len(wanted):.0f} s for {len(wanted)})")
    assert by_value == by_range[:len(few)], "the two ways must give the same cells"
    print(f"ratio baseline / by reference for {len(wanted)} cells: {per_cell * len(wanted) / seconds:.0f}×")


if __name__ == "__main__":
    main()
