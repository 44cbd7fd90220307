"""Benchmark: refreshing the cockpit inside a big client workbook, at the package level.

The client's workbook holds a ``Deals`` sheet of ``--rows`` rows (1,000,000 by
default, 6 columns) and a small ``Targets`` range. It is written once with
XlsxWriter in constant_memory mode and cached under ``bench/output/``. Then,
each in a child process of its own (so that peak memory is measured per step):

- ``package``: ``replace_sheets`` adds the Cockpit and a hidden history sheet
  to a copy of the workbook (atomic write, backup), then replaces them again;
- ``calamine``: python-calamine reads the Deals sheet (rows as lists), the
  least a refresh that reads the data costs;
- ``openpyxl``: ``load_workbook`` and ``save`` of the same file, what a
  refresh through openpyxl would cost (and it would still lose parts).

Usage: ``.venv/bin/python bench/refresh_package.py [--rows N] [--skip-openpyxl]``.
Prints a table and writes ``bench/output/refresh_package.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
sys.path.insert(0, str(HERE.parent))


def build_client(path: Path, rows: int) -> None:
    import xlsxwriter

    tmp = path.with_suffix(".partial.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    deals = wb.add_worksheet("Deals")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    money = wb.add_format({"num_format": "#,##0 €"})
    deals.write_row(0, 0, ["Réf", "Client", "Commercial", "Étape", "Montant", "Créée le"])
    stages = ["Découverte", "Proposition", "Négociation", "Gagné", "Perdu"]
    reps = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid"]
    start = dt.date(2020, 1, 1)
    for r in range(1, rows + 1):
        deals.write_string(r, 0, f"D{r:07d}")
        deals.write_string(r, 1, f"Client {r % 5000}")
        deals.write_string(r, 2, reps[r % len(reps)])
        deals.write_string(r, 3, stages[r % len(stages)])
        deals.write_number(r, 4, 1000 + (r * 7919) % 90000, money)
        deals.write_datetime(r, 5, start + dt.timedelta(days=r % 2000), date_fmt)
    # constant_memory cannot write tables: the targets are a plain range here
    targets = wb.add_worksheet("Targets")
    for r, row in enumerate([["Période", "Commercial", "Objectif"], ["2026-11", "Alice", 120000],
                             ["2026-11", "Bruno", 80000]]):
        targets.write_row(r, 0, row)
    wb.close()
    tmp.replace(path)


def _cockpit(wb, ws) -> None:
    title = wb.add_format({"bold": True, "font_size": 14})
    pct = wb.add_format({"num_format": "0.0%"})
    bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    ws.write("A1", "Cockpit commercial", title)
    for row in range(2, 40):
        ws.write(row, 0, f"Indicateur {row}")
        ws.write_number(row, 1, row / 100, pct)
        ws.write_formula(row, 2, '=SUMIFS(Targets!$C:$C,Targets!$A:$A,"2026-11")', None, 200000)
    ws.conditional_format("B3:B40", {"type": "cell", "criteria": "<", "value": 0.25, "format": bad})


def _history(wb, ws) -> None:
    for row in range(400):
        ws.write_row(row, 0, ["2026-11-23", "2026-11", "Alice", 1234.5 + row])


def step_package(path: Path) -> dict:
    from workbook_templates.package import SheetPart, replace_sheets

    work = path.with_name("package_refresh" + path.suffix)
    shutil.copy(path, work)
    sheets = {"Cockpit": SheetPart(_cockpit), "_Historique prévisions": SheetPart(_history, "hidden")}
    t0 = time.perf_counter()
    replace_sheets(work, sheets)
    t1 = time.perf_counter()
    replace_sheets(work, sheets)
    t2 = time.perf_counter()
    shutil.rmtree(work.parent / ".pilotage_backups", ignore_errors=True)
    work.unlink()
    return {"add_s": t1 - t0, "replace_s": t2 - t1}


def step_calamine(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Deals").to_python()
    return {"read_s": time.perf_counter() - t0, "rows": len(rows)}


def step_openpyxl(path: Path) -> dict:
    import openpyxl

    out = path.with_name("openpyxl_saved" + path.suffix)
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    t1 = time.perf_counter()
    wb.create_sheet("Cockpit")["A1"] = "Cockpit commercial"
    wb.save(out)
    t2 = time.perf_counter()
    out.unlink()
    return {"load_s": t1 - t0, "save_s": t2 - t1}


STEPS = {"package": step_package, "calamine": step_calamine, "openpyxl": step_openpyxl}


def run_child(step: str, path: Path) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--step", step, "--file", str(path)],
                            stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"step {step} failed ({proc.returncode})")
    result = json.loads(out)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-openpyxl", action="store_true")
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args.file)))
        return

    OUTPUT.mkdir(exist_ok=True)
    client = OUTPUT / f"client_{args.rows}_rows.xlsx"
    if not client.exists():
        t0 = time.perf_counter()
        build_client(client, args.rows)
        print(f"built {client.name} in {time.perf_counter() - t0:.1f} s")
    with zipfile.ZipFile(client) as z:
        big = max(z.infolist(), key=lambda i: i.file_size)
    facts = {"rows": args.rows, "file_mb": client.stat().st_size / 1e6,
             "largest_member": big.filename, "largest_member_mb": big.file_size / 1e6,
             "largest_member_ratio": big.file_size / big.compress_size}
    results = {"facts": facts}
    for step in ("package", "calamine") + (() if args.skip_openpyxl else ("openpyxl",)):
        results[step] = run_child(step, client)
        print(step, results[step], flush=True)
    (OUTPUT / "refresh_package.json").write_text(json.dumps(results, indent=2))

    print(f"\nClient workbook: {args.rows:,} rows in Deals, {facts['file_mb']:.1f} MB on disk; "
          f"{big.filename} is {facts['largest_member_mb']:.0f} MB uncompressed "
          f"(ratio {facts['largest_member_ratio']:.1f}:1)\n")
    print("| operation | time (s) | peak RSS (MB) |\n|---|---|---|")
    p = results["package"]
    print(f"| package level: add Cockpit + hidden sheet (atomic, backup) | {p['add_s']:.2f} | "
          f"{p['peak_rss_mb']:.0f} |")
    print(f"| package level: replace them again | {p['replace_s']:.2f} | (same process) |")
    c = results["calamine"]
    print(f"| python-calamine: read Deals ({c['rows']:,} rows) | {c['read_s']:.2f} | {c['peak_rss_mb']:.0f} |")
    if "openpyxl" in results:
        o = results["openpyxl"]
        print(f"| openpyxl: load_workbook | {o['load_s']:.1f} | {o['peak_rss_mb']:.0f} |")
        print(f"| openpyxl: add a sheet + save | {o['save_s']:.1f} | (same process) |")


if __name__ == "__main__":
    main()
