"""A refresh against the floor of reading the client's file, on the large and the small demo.

For each company, in one run on one machine:

- **bare read**: fastexcel reading every table sheet into pandas (the floor the ratios are to), and
  python-calamine reading the same sheets into Python rows (what the reader falls back on);
- ``pilotage check``: read and validate;
- ``pilotage refresh`` on a copy of the workbook: the first refresh, which replays the history (the
  backtest) and keeps it in the product's hidden sheets;
- ``pilotage refresh`` again the next day, in the same week: the backtest kept;
- ``pilotage refresh --as-of`` the following Monday on the same copy: the backtest kept (it is keyed by
  the week of the data, and the data are still dated the Friday), the weekly snapshot appended;
- ``pilotage refresh --as-of`` the first Monday of the next month, then the day after: the first reads
  data dated the Monday before (its snapshot), a new week over the same past, so last week's replay is
  extended with nothing to replay (no period over since); the second reads data dated that Monday,
  whose replay scores the month just over: the extension replays only the dates that forecast it;
- ``pilotage forecast --period quarter``.

Each command runs in its own process (Python's start and imports included, as a manager's click
includes them); ``os.wait4`` gives its CPU time and peak resident memory.  The ratios are to the bare
fastexcel read of the same run.  Timings depend on the machine and its load: the load average is printed.

    .venv/bin/python bench/refresh_large.py [--only small|large]

The large workbook is cached as ``bench/output/pipeline_large.xlsx`` (``bench/read_workbook.py`` builds it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kpicore.model import schema  # noqa: E402

PILOTAGE = [sys.executable, "-c", "import sys; from addin.cli import main; sys.exit(main())"]
TABLE_SHEETS = [t.sheet_fr for t in schema.TABLES.values()]


def run(args: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak resident MB and exit code of ``pilotage ARGS`` in its own process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(PILOTAGE + args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: the data have quality warnings, the work is done
        raise SystemExit(f"pilotage {' '.join(args)} a échoué ({code}) : {proc.stderr.read().decode()[-400:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def bare_calamine(path: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(path))
    rows = sum(len(wb.get_sheet_by_name(s).to_python()) for s in wb.sheet_names if s in TABLE_SHEETS)
    return time.perf_counter() - t0, rows


def bare_fastexcel(path: Path) -> float:
    import logging

    import fastexcel

    logging.getLogger("fastexcel.types.dtype").setLevel(logging.ERROR)  # an empty column, read as text

    t0 = time.perf_counter()
    reader = fastexcel.read_excel(str(path))
    for s in reader.sheet_names:
        if s in TABLE_SHEETS:
            reader.load_sheet_by_name(s).to_pandas()
    return time.perf_counter() - t0


def workbook(size: str, folder: Path) -> Path:
    if size == "large":
        from read_workbook import build

        return build()
    from kpicore.demo.company import generate
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    path = folder / "pipeline_small.xlsx"
    write_pipeline_workbook(generate(size="small"), path)
    return path


def measure(size: str) -> None:
    from kpicore.demo.company import DEMO_AS_OF

    with tempfile.TemporaryDirectory() as tmp:
        source = workbook(size, Path(tmp))
        copy = Path(tmp) / "refreshed.xlsx"
        shutil.copyfile(source, copy)
        read, rows = bare_calamine(source)
        fast = bare_fastexcel(source)
        monday = DEMO_AS_OF + timedelta(days=7 - DEMO_AS_OF.weekday())
        # the first Monday of the next month: the replay of its week scores the month of DEMO_AS_OF
        next_month = (DEMO_AS_OF.replace(day=28) + timedelta(days=4)).replace(day=1)
        month_over = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
        same_week = DEMO_AS_OF + timedelta(days=1 if DEMO_AS_OF.weekday() < 6 else 0)
        steps = [
            ("check", ["check", str(source)]),
            ("refresh (backtest computed)", ["refresh", str(copy), "--as-of", DEMO_AS_OF.isoformat()]),
            ("refresh same week (backtest kept)", ["refresh", str(copy), "--as-of", same_week.isoformat()]),
            ("refresh next Monday (new week)", ["refresh", str(copy), "--as-of", monday.isoformat()]),
            ("refresh next month's Monday", ["refresh", str(copy), "--as-of", month_over.isoformat()]),
            ("refresh the day after (month over)",
             ["refresh", str(copy), "--as-of", (month_over + timedelta(days=1)).isoformat()]),
            ("forecast --period quarter", ["forecast", str(copy), "--period", "quarter"]),
        ]
        print(f"\n== {size} demo: {source.name}, {rows:,} table rows (load average {os.getloadavg()[0]:.1f}, "
              f"{os.cpu_count()} CPUs)")
        print(f"{'step':<38}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'× read':>8}")
        print(f"{'bare read, fastexcel to pandas':<38}{fast:>9.1f}{'':>9}{'':>9}{1:>8.1f}")
        print(f"{'bare read, python-calamine rows':<38}{read:>9.1f}{'':>9}{'':>9}{read / fast:>8.1f}")
        for name, args in steps:
            wall, cpu, peak, _ = run(args)
            print(f"{name:<38}{wall:>9.1f}{cpu:>9.1f}{peak:>9.0f}{wall / fast:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("small", "large"))
    args = parser.parse_args()
    for size in (args.only,) if args.only else ("small", "large"):
        measure(size)


if __name__ == "__main__":
    main()
