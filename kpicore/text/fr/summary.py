"""La synthèse qui ouvre chaque deck de rituel (``kpicore.cockpit.summary``) : ses trois chiffres et sa phrase."""

MESSAGES = {
    # the three numbers
    "summary.figure.revenue": "CA signé · {period}",
    "summary.figure.ytd_revenue": "CA cumulé · {first:period_short} – {last:period_short}",
    "summary.figure.forecast": "Prévision · {period}",
    "summary.figure.qualified_meetings": "RDV qualifiés / semaine · {period:period_short}",
    # the headline: what was won, then where the forecast is heading
    "summary.headline.both": "{actual} ; {outlook}",
    "summary.headline.alone": "{actual}",
    "summary.actual.share": "{period} : {won:money} signés, {share:percent} de l'objectif",
    "summary.actual.no_target": "{period} : {won:money} signés",
    "summary.outlook.short": "prévision {forecast:money}, {gap:money} sous l'objectif",
    "summary.outlook.reached": "prévision {forecast:money}, {gap:money} au-dessus de l'objectif",
    "summary.outlook.no_target": "prévision {forecast:money}, sans objectif",
    "summary.outlook.short_of": "{period} prévu à {forecast:money}, {gap:money} sous l'objectif",
    "summary.outlook.reached_of": "{period} prévu à {forecast:money}, {gap:money} au-dessus de l'objectif",
    "summary.outlook.no_target_of": "{period} prévu à {forecast:money}, sans objectif",
}
