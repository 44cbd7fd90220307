"""Words every part of the product uses: scopes, periods, levels."""

MESSAGES = {
    "scope.company": "Entreprise",
    "scope.label": "{scope}",  # a scope's label alone (JSON outputs)
    "period.label": "{period}",  # a period's label alone (JSON outputs)
    "scope.team": "Équipe {name}",
    "scope.no_team": "Commerciaux sans équipe",  # the roster's team of the reps no file gives a team
    "period.day": "{day} {month} {year}",
    "period.week": "Semaine {week} {year}",
    "period.week_short": "S{week}",
    "period.month": "{month} {year}",
    "period.quarter": "T{quarter} {year}",
    "period.fiscal_year": "Exercice {name}",
    "period.fiscal_quarter": "T{quarter} exercice {name}",
    "period.range": "du {start} au {end}",
}
