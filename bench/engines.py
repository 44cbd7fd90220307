"""Benchmark: one refresh of the small demo workbook through each engine, in one run.

- ``file``: ``FileWorkbook`` (one read of the file, the product sheets written at the package level);
- ``xlwings (recording)``: ``XlwingsWorkbook`` over the recording engine of the tests, so the time
  of xlwings' own classes and of the action, not of COM (only Excel can time COM);
- ``uno``: ``UnoWorkbook`` on the document open in a headless LibreOffice (start and open not counted);
- ``refresh --engine uno``: the command line's whole job: its own LibreOffice started, the file opened,
  the same action, the copy saved, LibreOffice stopped.

Each refresh is the first of its workbook copy (the backtest is computed each time). Prints seconds
and the ratio to the file engine.

Usage: ``.venv/bin/python bench/engines.py [--n-sims 2000]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))


def main() -> None:
    from addin.actions.refresh import refresh
    from addin.cli import main as cli
    from addin.engines.file import FileWorkbook
    from addin.engines.uno import UnoWorkbook
    from addin.engines.xlwings import XlwingsWorkbook
    from addin.engines.uno_bridge import Office
    from kpicore.demo.company import generate
    from kpicore.forecast.forecasting import N_SIMS
    from support.recorded import recorded_book
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--n-sims", type=int, default=N_SIMS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pilotage-bench-engines-") as tmp:
        tmp = Path(tmp)
        demo = write_pipeline_workbook(generate(), tmp / "demo.xlsx")

        def copy(name: str) -> Path:
            return Path(shutil.copy(demo, tmp / name))

        times: dict[str, float] = {}
        t = time.perf_counter()
        refresh(FileWorkbook(copy("file.xlsx"), backup=False, progress=None), n_sims=args.n_sims)
        times["file"] = time.perf_counter() - t

        book = recorded_book(copy("xlwings.xlsx"))
        t = time.perf_counter()
        refresh(XlwingsWorkbook(book), n_sims=args.n_sims)
        times["xlwings (recording)"] = time.perf_counter() - t

        with Office() as office:
            doc = office.open(copy("uno.xlsx"))
            t = time.perf_counter()
            refresh(UnoWorkbook(doc), n_sims=args.n_sims)
            times["uno (document open)"] = time.perf_counter() - t
            doc.close(True)

        source = copy("cli.xlsx")
        t = time.perf_counter()
        cli(["refresh", str(source), "--engine", "uno", "--out", str(tmp / "cli-copy.xlsx")])
        times["refresh --engine uno (start, open, refresh, save, stop)"] = time.perf_counter() - t

    base = times["file"]
    print(f"\n{'refresh of the small demo':<60} {'seconds':>8} {'× file':>7}")
    for name, seconds in times.items():
        print(f"{name:<60} {seconds:>8.1f} {seconds / base:>7.2f}")


if __name__ == "__main__":
    main()
