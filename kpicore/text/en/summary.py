"""The summary that opens every ritual deck (``kpicore.cockpit.summary``): its three numbers and its sentence."""

MESSAGES = {
    # the three numbers
    "summary.figure.revenue": "Revenue won · {period}",
    "summary.figure.ytd_revenue": "Revenue to date · {first:period_short} – {last:period_short}",
    "summary.figure.forecast": "Forecast · {period}",
    "summary.figure.qualified_meetings": "Qualified meetings / week · {period:period_short}",
    # the headline: what was won, then where the forecast is heading
    "summary.headline.both": "{actual}; {outlook}",
    "summary.headline.alone": "{actual}",
    "summary.actual.share": "{period}: {won:money} won, {share:percent} of target",
    "summary.actual.no_target": "{period}: {won:money} won",
    "summary.outlook.short": "forecast {forecast:money}, {gap:money} short of target",
    "summary.outlook.reached": "forecast {forecast:money}, {gap:money} above target",
    "summary.outlook.no_target": "forecast {forecast:money}, no target",
    "summary.outlook.short_of": "{period} forecast at {forecast:money}, {gap:money} short of target",
    "summary.outlook.reached_of": "{period} forecast at {forecast:money}, {gap:money} above target",
    "summary.outlook.no_target_of": "{period} forecast at {forecast:money}, no target",
}
