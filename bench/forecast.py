"""Benchmark: the forecast of every rep, team and company, and the backtest.

- ``large``: the large demo company (``generate(size="large")``: 120 reps in 12
  teams, about 100,000 deals).  Timed: ``prepare`` (the weekly photographs of
  the open deals the calibration learns from, built once per refresh), then
  ``forecast_all`` of the quarter and of the month with ``N_SIMS`` simulations for
  every rep, every team and the company (133 scopes), the method shown being
  fixed and the range left as simulated (the method choice and the range's
  widening are the backtest, timed apart);
- ``small``: the small demo company (9 reps, about 2,000 deals): the weekly
  backtest of its second year (month and quarter, company), which is also
  what chooses the method shown at each refresh;
- ``--large-backtest`` adds the same backtest on the large company.

Each step runs ``--repeat`` times; the median is reported.  Timings depend on
the machine and its load: the report records the number of CPUs and the load
average at the start.

Usage: ``.venv/bin/python bench/forecast.py [--repeat 3] [--large-backtest]``.
Prints a table and writes ``bench/output/forecast.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
sys.path.insert(0, str(HERE.parent))

import pandas as pd  # noqa: E402

from kpicore.forecast.backtest import backtest, backtest_json  # noqa: E402
from kpicore.text.catalogue import render  # noqa: E402
from kpicore.demo.company import DEMO_AS_OF, generate  # noqa: E402
from kpicore.forecast.forecasting import N_SIMS, prepare
from kpicore.forecast.shown import forecast_all  # noqa: E402


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sims", type=int, default=N_SIMS)
    parser.add_argument("--large-backtest", action="store_true", help="also backtest the large company")
    args = parser.parse_args(argv)
    OUTPUT.mkdir(exist_ok=True)
    report: dict = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(), "repeat": args.repeat,
                    "n_sims": args.sims, "steps": {}}
    rows = []

    def record(name: str, median: float, times: list[float], **extra) -> None:
        report["steps"][name] = {"median_s": round(median, 3), "runs_s": [round(t, 3) for t in times], **extra}
        rows.append((name, median, extra))

    t0 = time.perf_counter()
    large = generate(size="large")
    report["large"] = {"deals": len(large.deals), "open": int((large.deals["status"] == "open").sum()),
                       "reps": len(large.reps), "generate_s": round(time.perf_counter() - t0, 2)}
    med, times, ctx = timed(lambda: prepare(large), args.repeat)
    record("large: prepare (weekly photographs)", med, times, photographs=len(ctx.history.ref))
    for period in ("quarter", "month"):
        med, times, fcs = timed(lambda: forecast_all(large, period, context=ctx, method_shown="calibrated",
                                                     n_sims=args.sims, measured_range=False), args.repeat)
        company = fcs[0]
        record(f"large: forecast_all {period}", med, times, scopes=len(fcs), p50=round(company.p50),
               p10=round(company.p10), p90=round(company.p90))
    if args.large_backtest:
        start = pd.Timestamp(DEMO_AS_OF) - pd.Timedelta(days=365)
        med, times, bt = timed(lambda: backtest(large, start=start, context=ctx), 1)
        record("large: backtest of the last year", med, times, as_of_dates=len(bt.as_of_dates))
        report["large_backtest"] = backtest_json(bt, source=large.source, text=render)

    small = generate()
    ctx_small = prepare(small)
    start = pd.Timestamp(DEMO_AS_OF) - pd.Timedelta(days=365)
    med, times, bt = timed(lambda: backtest(small, start=start, context=ctx_small), args.repeat)
    record("small: backtest of the second year", med, times, as_of_dates=len(bt.as_of_dates),
           forecasts=int(len(bt.rows) / 3))
    report["small_backtest"] = backtest_json(bt, source=small.source, text=render)
    med, times, _ = timed(lambda: forecast_all(small, "quarter", n_sims=args.sims), args.repeat)
    record("small: forecast_all quarter with method choice", med, times)

    (OUTPUT / "forecast.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"{'step':<50} {'median s':>9}  details")
    for name, med, extra in rows:
        print(f"{name:<50} {med:>9.2f}  {extra}")
    print()
    print(bt.summary.to_string(index=False))
    print(bt.method_shown, "-", render(bt.reason))
    print(f"load average at start: {report['load_average_at_start']}; written {OUTPUT / 'forecast.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
