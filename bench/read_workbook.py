"""Reading benchmark: python-calamine against openpyxl on the large demo workbook.

Builds the large demo company (``generate(size="large")``: ~100,000 deals,
~1,000,000 activities) and writes it with ``write_pipeline_workbook`` once,
cached as ``bench/output/pipeline_large.xlsx`` (``--rebuild`` writes it again
and times it), then reads its Deals and Activities sheets with both readers, in
one run, and prints rows, seconds and the ratio.  Every value is materialised
(rows as Python lists / tuples), so both readers do the same work.

    .venv/bin/python bench/read_workbook.py [--rebuild] [--skip-openpyxl]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kpicore.model import schema  # noqa: E402
from kpicore.demo.company import generate  # noqa: E402
from workbook_templates.pipeline_workbook import write_pipeline_workbook  # noqa: E402

OUTPUT = ROOT / "bench" / "output"
WORKBOOK = OUTPUT / "pipeline_large.xlsx"
SHEETS = (schema.DEALS.sheet_fr, schema.ACTIVITIES.sheet_fr)


def build(rebuild: bool = False) -> Path:
    if WORKBOOK.exists() and not rebuild:
        print(f"classeur en cache : {WORKBOOK} ({WORKBOOK.stat().st_size / 1e6:.1f} Mo)")
        return WORKBOOK
    OUTPUT.mkdir(parents=True, exist_ok=True)
    data, t_gen, c_gen = timed(generate, 7, "large")
    _, t_write, c_write = timed(write_pipeline_workbook, data, WORKBOOK)
    cells = sum(len(f) * len(f.columns) for f in data.frames().values())
    print(f"génération : {t_gen:.1f} s (CPU {c_gen:.1f} s) ; "
          f"{len(data.deals):,} affaires, {len(data.activities):,} activités")
    print(f"écriture   : {t_write:.1f} s (CPU {c_write:.1f} s) ; "
          f"{cells:,} cellules, {WORKBOOK.stat().st_size / 1e6:.1f} Mo")
    return WORKBOOK


def read_calamine(path: Path, sheet: str) -> int:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return len(rows) - 1  # without the header


def read_openpyxl(path: Path, sheet: str) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    return len(rows) - 1


def timed(fn, *args) -> tuple[int, float, float]:
    """(result, wall seconds, CPU seconds of this process): on a shared machine the CPU time
    is the steadier figure."""
    t0, c0 = time.perf_counter(), time.process_time()
    n = fn(*args)
    return n, time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true",
                        help="réécrire le classeur (et chronométrer l'écriture)")
    parser.add_argument("--skip-openpyxl", action="store_true", help="ne chronométrer que python-calamine")
    args = parser.parse_args(argv)
    path = build(args.rebuild)
    print("secondes écoulées (secondes CPU du processus)")
    print(f"{'feuille':<12} {'lignes':>10} {'calamine':>16} {'openpyxl':>18} {'rapport':>8}")
    for sheet in SHEETS:
        n_cal, t_cal, c_cal = timed(read_calamine, path, sheet)
        if args.skip_openpyxl:
            print(f"{sheet:<12} {n_cal:>10,} {t_cal:>7.2f} ({c_cal:>6.2f})")
            continue
        n_opx, t_opx, c_opx = timed(read_openpyxl, path, sheet)
        assert n_cal == n_opx, (sheet, n_cal, n_opx)
        print(f"{sheet:<12} {n_cal:>10,} {t_cal:>7.2f} ({c_cal:>6.2f}) {t_opx:>8.2f} ({c_opx:>7.2f}) "
              f"{t_opx / t_cal:>7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
