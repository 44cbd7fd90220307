"""Benchmark: every KPI, the decomposition and the alerts, against the time to read the data.

The large demo company (``generate(size="large")``: 120 reps in 12 teams, about
100,000 deals and 1,000,000 activities) is written once as a pipeline workbook
(``write_pipeline_workbook``) and cached under ``bench/output/``.  Then:

- ``read``: ``workbook_templates.reading.load_pipeline`` reads it back (the
  canonical frames a refresh starts from);
- ``compute``: on the frames read, for every rep, every team and the company:
  ``KpiEngine`` preparation, the KPI table of the current month and of the
  previous one, every KPI with previous value, target and trend (8 weeks or 12
  months) per scope, the revenue decomposition against the previous month, and
  the alerts.  Run ``--repeat`` times, the median is reported.

Target: compute < 1/3 of read.  The report also counts the pattern alerts per
demo profile (how well the alerts find the reps built to be found).

Usage: ``.venv/bin/python bench/kpis.py [--repeat 3] [--rebuild]``.  Prints a
table and writes ``bench/output/kpis.json``.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
sys.path.insert(0, str(HERE.parent))

from kpicore.metrics.alerts import compute_alerts  # noqa: E402
from kpicore.demo.company import DEMO_AS_OF, demo_profiles, generate  # noqa: E402
from kpicore.metrics.tree import decompose_all  # noqa: E402
from kpicore.metrics.kpis import KpiEngine  # noqa: E402
from kpicore.model.periods import Period  # noqa: E402


def compute_everything(data) -> dict:
    """Every KPI, decomposition and alert for every scope; returns counts to show the work was done."""
    engine = KpiEngine(data, DEMO_AS_OF)
    month = Period.containing("month", DEMO_AS_OF)
    engine.table(month)
    values = [v for scope in engine.scopes() for v in engine.values(month, scope)]
    decompositions = decompose_all(engine, month)
    alerts = compute_alerts(data, DEMO_AS_OF, engine=engine)
    return {"scopes": len(engine.scopes()), "kpi_values": len(values), "decompositions": len(decompositions),
            "alerts": alerts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="rewrite the cached workbook")
    args = parser.parse_args(argv)
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "kpis_large_demo.xlsx"

    if args.rebuild or not path.exists():
        from workbook_templates.pipeline_workbook import write_pipeline_workbook

        t0 = time.perf_counter()
        generated = generate(size="large")
        write_pipeline_workbook(generated, path)
        print(f"workbook written in {time.perf_counter() - t0:.1f} s: {path}")

    from workbook_templates.reading import load_pipeline

    t0 = time.perf_counter()
    data = load_pipeline(path)
    read_s = time.perf_counter() - t0

    times, result = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = compute_everything(data)
        times.append(time.perf_counter() - t0)
    compute_s = statistics.median(times)

    profiles = demo_profiles("large")
    found = collections.Counter()
    for a in result["alerts"]:
        if a.scope.level == "rep" and a.kind != "behind_target":
            found[(a.kind, profiles.get(a.scope.name, "?"))] += 1
    per_profile = collections.Counter(profiles.values())

    report = {
        "deals": len(data.deals), "activities": len(data.activities), "reps": len(data.reps),
        "scopes": result["scopes"], "kpi_values": result["kpi_values"],
        "decompositions": result["decompositions"], "alerts": len(result["alerts"]),
        "read_s": round(read_s, 3), "compute_s": round(compute_s, 3), "compute_runs_s": [round(t, 3) for t in times],
        "ratio": round(compute_s / read_s, 4), "target_ratio": round(1 / 3, 4),
        "pattern_alerts_by_profile": {f"{k}/{p}": n for (k, p), n in sorted(found.items())},
        "reps_by_profile": dict(per_profile),
    }
    (OUTPUT / "kpis.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"{report['deals']:,} deals, {report['activities']:,} activities, {report['scopes']} scopes")
    print(f"read    (load_pipeline)            {read_s:8.2f} s")
    print(f"compute (KPIs + tree + alerts)     {compute_s:8.2f} s   runs: {report['compute_runs_s']}")
    print(f"compute / read = {report['ratio']:.3f}  (target < 0.333: {'OK' if report['ratio'] < 1 / 3 else 'MISSED'})")
    print("pattern alerts on reps by profile (reps per profile: " + ", ".join(
        f"{p} {n}" for p, n in sorted(per_profile.items())) + ")")
    for key, n in report["pattern_alerts_by_profile"].items():
        print(f"  {key:45s} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
