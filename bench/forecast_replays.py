"""Benchmark of the forecast's accuracy: the figures users see, replayed on documented processes.

Every process of ``tests/support/processes.py`` (steady, growth with seasonality, few large deals,
a small company, a change of regime) is drawn with each of its scoring seeds (``SCORING_SEEDS``,
never looked at while the method was tuned), and each month and quarter of 2024-2025 is forecast as the
product shows it at Day-One and mid-period (``tests/support/replays.py``).  Pooled over the seeds,
per process × horizon × figure (the shown one and each method), it prints: n, MAPE, the share
within ±10 %, the coverage of the P10-P90 shown, the share of actuals exactly on its P10 (a period
that won nothing more than the range's floor), and P(reach target)'s Brier score beside the
naive reference's (the share of past periods that reached their target); then the coverage pooled
over the processes per horizon with its 80 % ± 2σ band, σ = √(0.16 / n).

Usage: ``.venv/bin/python bench/forecast_replays.py [--seeds 40] [--jobs 2] [--sims 2000] [--tuning]
[--processes steady,small]``.
Writes ``bench/output/forecast_replays.csv`` (one row per forecast) and ``..._table.csv``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from kpicore.forecast.forecasting import N_SIMS  # noqa: E402
from tests.support.processes import PROCESSES, SCORING_SEEDS, TUNING_SEEDS  # noqa: E402
from tests.support.replays import replay, score  # noqa: E402


def one(job: tuple[str, int, int]) -> pd.DataFrame:
    name, seed, sims = job
    return replay(name, seed, n_sims=sims)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SCORING_SEEDS), help="first N scoring seeds")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sims", type=int, default=N_SIMS)
    parser.add_argument("--tuning", action="store_true",
                        help="the tuning seeds (what may be looked at while tuning) instead of the scoring ones")
    parser.add_argument("--processes", default=",".join(PROCESSES), help="comma-separated names")
    args = parser.parse_args(argv)
    seeds = (TUNING_SEEDS if args.tuning else SCORING_SEEDS)[:args.seeds]
    jobs = [(name, seed, args.sims) for name in args.processes.split(",") for seed in seeds]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = pd.concat(list(pool.map(one, jobs)), ignore_index=True)
    elapsed = time.perf_counter() - t0
    table = score(rows)
    OUTPUT.mkdir(exist_ok=True)
    rows.to_csv(OUTPUT / "forecast_replays.csv", index=False)
    table.to_csv(OUTPUT / "forecast_replays_table.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    print("\ncoverage of the P10-P90 shown, pooled over the processes (80 % ± 2σ):")
    for (gran, point), g in rows.groupby(["granularity", "point"], sort=False):
        inside = ((g["p10"] <= g["actual"]) & (g["actual"] <= g["p90"])).mean()
        two_sigma = 2 * np.sqrt(0.16 / len(g))
        print(f"  {gran:8s} {point:11s} n={len(g):5d} coverage={inside:.3f} band={0.8 - two_sigma:.3f}-"
              f"{0.8 + two_sigma:.3f}")
    print("\nshown figure's MAPE against the best single method and the run rate (points), per horizon:")
    for (gran, point), g in table.groupby(["granularity", "point"], sort=False):
        mape = g.pivot(index="process", columns="figure", values="mape")
        best = mape[["calibrated", "run_rate", "weighted_declared"]].min(axis=1)
        print(f"  {gran:8s} {point:11s} shown − best {100 * (mape['shown'] - best).mean():+.1f} on average; "
              f"shown − run rate worst {100 * (mape['shown'] - mape['run_rate']).max():+.1f}")
    print(f"\n{len(jobs)} histories, {len(rows)} forecasts in {elapsed:.0f} s with {args.jobs} jobs, "
          f"{args.sims} simulations each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
