"""Benchmark: how much of each corpus file the product recognises, and which of the five KPIs it gives.

For every file of ``tests/corpus`` (issue 16's corpus of client-shaped files), the
file is written into a temporary folder, read as ``pilotage kpis FILE --json
--period 2026-03 --as-of 2026-03-31`` reads it (the CLI's main, in-process), and
compared with what the corpus says it holds:

* **recognised**: of the canonical columns the file has (its expected choices), how
  many were taken from the right header;
* **KPIs**: which of the five KPIs of the method come out with a value (not None):
  ``oui``, ``0`` for a value of zero (a count where nothing was counted, e.g. meetings
  without any activity log), ``—`` for none, ``refusé`` when the command refuses the
  file (no deal read, a format not read).  The totals count every value, zeros included.

The .xls and .ods files are converted by LibreOffice when it is installed (one
``soffice --convert-to`` each), else listed as not run.

The corpus comes from this checkout; the product read may come from another one,
so that the same corpus measures a branch before and after a merge:

    PYTHONPATH=. python bench/corpus_recognition.py                  # this checkout's product
    python bench/corpus_recognition.py --product /work/main          # the product of another checkout

Prints a table and the totals, and writes ``bench/output/corpus_recognition.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
KPIS = ("qualified_meetings_per_week", "proposals_per_month", "proposal_conversion", "average_deal_size",
        "sales_cycle_days")
SHORT = {"qualified_meetings_per_week": "RDV", "proposals_per_month": "Prop", "proposal_conversion": "Conv",
         "average_deal_size": "Panier", "sales_cycle_days": "Cycle"}


def _cli_json(path: Path, period: str, as_of: str) -> dict | None:
    from addin.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(["kpis", str(path), "--json", "--period", period, "--as-of", as_of])
        except SystemExit as exc:
            code = exc.code
    return json.loads(out.getvalue()) if code == 0 else None


def _taken(path: Path, f, as_of: str) -> dict[str, dict[str, str]]:
    """table -> column -> header taken, for the tables the corpus file names."""
    from corpus.recognition import taken_headers
    from workbook_templates.company import load_company
    from workbook_templates.reading import load_pipeline

    try:
        data = load_company(path, today=date.fromisoformat(as_of))
    except Exception:  # a file the product refuses recognises nothing
        return {}
    out = {}
    for table in f.choices:
        beside = [n for n, t in f.extra.items() if t == table]
        source = data
        if beside:
            try:
                source = load_pipeline(path.parent / beside[0])
            except Exception:
                out[table] = {}
                continue
        out[table] = taken_headers(source, table)
    return out


def _build(f, folder: Path) -> Path | None:
    if not f.convert_to:
        return f.build(folder)
    from workbook_templates.libreoffice import convert, soffice_path

    if soffice_path() is None:
        return None
    (folder / "_xlsx").mkdir(exist_ok=True)
    return convert(f.build(folder / "_xlsx"), f.convert_to, folder)


def measure(folder: Path) -> list[dict]:
    from corpus import AS_OF, PERIOD, all_files

    rows = []
    for f in all_files():
        path = _build(f, folder)
        if path is None:
            rows.append({"file": f.name, "shape": f.shape, "run": False})
            continue
        taken = _taken(path, f, AS_OF)
        expected = [(t, c, h) for t, cols in f.choices.items() for c, h in cols.items()]
        right = [(t, c) for t, c, h in expected if taken.get(t, {}).get(c) == h]
        out = _cli_json(path, PERIOD, AS_OF)
        values = {k["id"]: k["value"] for k in out["kpis"]} if out else {}
        rows.append({"file": f.name, "shape": f.shape, "run": True, "columns": len(expected),
                     "recognised": len(right), "refused": out is None,
                     "kpis": {k: values.get(k) for k in KPIS},
                     "missed": sorted(f"{t}.{c}" for t, c, _ in expected if (t, c) not in right)})
    return rows


def _mark(row: dict, kpi: str) -> str:
    """refusé (file refused), — (no value), 0 (a value of zero: e.g. meetings counted without any log), oui."""
    if row["refused"]:
        return "refusé"
    value = row["kpis"][kpi]
    return "—" if value is None else ("0" if value == 0 else "oui")


def report(rows: list[dict]) -> str:
    lines = [f"{'fichier':<58} {'colonnes':>9} {'part':>5}  " + " ".join(f"{SHORT[k]:>6}" for k in KPIS)]
    for r in rows:
        name = r["file"] if len(r["file"]) <= 58 else r["file"][:55] + "..."
        if not r["run"]:
            lines.append(f"{name:<58} {'(LibreOffice absent : non mesuré)':>30}")
            continue
        share = r["recognised"] / r["columns"] if r["columns"] else 0
        marks = " ".join(f"{_mark(r, k):>6}" for k in KPIS)
        lines.append(f"{name:<58} {r['recognised']:>4}/{r['columns']:<4} {share:>5.0%}  {marks}")
    run = [r for r in rows if r["run"]]
    cols, rec = sum(r["columns"] for r in run), sum(r["recognised"] for r in run)
    avail = {k: sum(1 for r in run if r["kpis"][k] is not None) for k in KPIS}
    lines.append(f"{'TOTAL (' + str(len(run)) + ' fichiers)':<58} {rec:>4}/{cols:<4} {rec / max(cols, 1):>5.0%}  "
                 + " ".join(f"{avail[k]:>6}" for k in KPIS))
    lines.append(f"fichiers refusés par « pilotage kpis » : {sum(1 for r in run if r['refused'])} / {len(run)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--product", type=Path, default=HERE.parent,
                    help="checkout whose kpicore/addin/workbook_templates are measured (default: this one)")
    args = ap.parse_args(argv)
    sys.path[:0] = [str(args.product.resolve()), str(HERE.parent / "tests")]
    with tempfile.TemporaryDirectory(prefix="pilotage-corpus-") as tmp:
        rows = measure(Path(tmp))
    print(report(rows))
    OUTPUT.mkdir(exist_ok=True)
    result = {"product": str(args.product.resolve()), "files": rows}
    (OUTPUT / "corpus_recognition.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return result


if __name__ == "__main__":
    main()
