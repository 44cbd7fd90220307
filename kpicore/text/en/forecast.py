"""The forecast: the methods' names and why one of them is shown."""

MESSAGES = {
    "forecast.method.calibrated": "Calibrated forecast (the company's history)",
    "forecast.method.run_rate": "Run rate of the last 91 days",
    "forecast.method.weighted_declared": "Pipeline weighted by the declared probabilities",
    "forecast.method.blend": "Calibrated / run rate blend (weights learned on past periods)",
    "forecast.method_inline.calibrated": "calibrated forecast (the company's history)",
    "forecast.method_inline.run_rate": "run rate of the last 91 days",
    "forecast.method_inline.weighted_declared": "pipeline weighted by the declared probabilities",
    "forecast.method_inline.blend": "calibrated / run rate blend",
    "forecast.granularity.quarter": "quarterly",
    "forecast.granularity.month": "monthly",
    "forecast.reason.best_method": ("Backtest over {n} past forecasts: \u201c{method}\u201d has the lowest mean "
                                    "{granularity} error ({error:percent}; {others})."),
    "forecast.reason.best_shown": ("Backtest over {n} past forecasts: \u201c{method}\u201d has the lower mean "
                                   "{granularity} error of the run rate of the last 91 days and the calibrated / "
                                   "run rate blend ({error:percent}; {others})."),
    "forecast.reason.blend_within_noise": ("Backtest over {n} past forecasts: the calibrated / run rate blend has "
                                           "a mean {granularity} error of {error:percent}, the run rate of the last "
                                           "91 days {run_rate:percent}; a gap within the noise of the measure "
                                           "(±{noise:percent}): the blend stays shown until the run rate does better "
                                           "beyond chance."),
    "forecast.reason.best_method_alone": ("Backtest over {n} past forecasts: \u201c{method}\u201d has a mean "
                                          "{granularity} error of {error:percent}."),
    "forecast.reason.other_method": "{method} {error:percent}",
    "forecast.reason.short_history": ("History too short for a backtest: the run rate of the last 91 days is "
                                      "shown for want of proof that another method does better."),
    "forecast.reason.forced": "Method chosen by the user.",
    "forecast.list": "{first}, {rest}",
    "forecast.note.declared_probabilities": "History too short to calibrate: the declared probabilities are used.",
    "forecast.note.range_widened": ("P10–P90 range widened by the error measured over {periods} past periods "
                                    "(the simulation alone does not hold the model's error)."),
    "forecast.reach.came_true": ("Measured reliability: when Pilotage said about {around:percent}, "
                                 "the target was reached {reached} times out of {n}."),
    "forecast.reach.beats": ("Reliability measured on {n} past forecasts: closer than the share of periods that "
                             "reached their target (Brier score {brier:number2} against {brier_reference:number2})."),
    "forecast.reach.not_shown": ("Probability not shown: replayed on {n} past forecasts, it does no better than the "
                                 "share of past periods that reached their target ({reference:percent})."),
}
