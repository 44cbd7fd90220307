"""Benchmark: the two ritual decks from the demo workbook.

The small demo company (``generate()``: 9 reps, 2 teams, 26 months) is written
as a pipeline workbook (``write_pipeline_workbook``) under ``bench/output/``,
read back with ``workbook_templates.reading.load_pipeline`` (what ``pilotage
deck`` starts from), then each deck is built ``--repeat`` times and the median
is reported, split into the kpicore work and the writing of the .pptx (the
forecast, with its backtest choosing the method shown, dominates).  With
``--pdf`` the last deck of each kind is also converted by LibreOffice.

Usage: ``.venv/bin/python bench/decks.py [--repeat 3] [--n-sims 10000] [--pdf]``.
Prints a table and writes ``bench/output/decks.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
sys.path.insert(0, str(HERE.parent))

from kpicore.demo.company import DEMO_AS_OF, generate  # noqa: E402
from kpicore.forecast.forecasting import N_SIMS  # noqa: E402
from ritual_decks.deck import monthly_deck, to_pdf, weekly_deck  # noqa: E402
from workbook_templates.pipeline_workbook import write_pipeline_workbook  # noqa: E402
from workbook_templates.reading import load_pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-sims", type=int, default=N_SIMS)
    ap.add_argument("--pdf", action="store_true", help="also time LibreOffice's conversion to PDF")
    args = ap.parse_args(argv)

    OUTPUT.mkdir(exist_ok=True)
    workbook = OUTPUT / "decks_demo.xlsx"
    write_pipeline_workbook(generate(), workbook)
    t0 = time.perf_counter()
    data = load_pipeline(workbook)
    read_s = time.perf_counter() - t0

    results: dict[str, dict] = {"read_workbook_s": round(read_s, 3), "n_sims": args.n_sims,
                                "repeat": args.repeat, "decks": {}}
    with tempfile.TemporaryDirectory(prefix="pilotage-bench-") as tmp:
        for kind, build in (("weekly", weekly_deck), ("monthly", monthly_deck)):
            times, slides, size = [], 0, 0
            for i in range(args.repeat):
                out = Path(tmp) / f"{kind}-{i}.pptx"
                t = time.perf_counter()
                report = build(data, DEMO_AS_OF, out, n_sims=args.n_sims)
                times.append(time.perf_counter() - t)
                slides, size = len(report.slides) + 1, out.stat().st_size
            row = {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
                   "max_s": round(max(times), 3), "slides": slides, "bytes": size}
            if args.pdf:
                t = time.perf_counter()
                to_pdf(out, Path(tmp))
                row["pdf_s"] = round(time.perf_counter() - t, 3)
            results["decks"][kind] = row

    print(f"lecture du classeur de démonstration : {read_s:.2f} s")
    print(f"{'deck':<10}{'médiane':>10}{'min':>8}{'max':>8}{'diapos':>8}{'octets':>10}{'pdf':>8}")
    for kind, r in results["decks"].items():
        pdf = f"{r['pdf_s']:.2f}" if "pdf_s" in r else "-"
        print(f"{kind:<10}{r['median_s']:>10.2f}{r['min_s']:>8.2f}{r['max_s']:>8.2f}{r['slides']:>8}"
              f"{r['bytes']:>10}{pdf:>8}")
    (OUTPUT / "decks.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
