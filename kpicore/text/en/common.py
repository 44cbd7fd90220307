"""Words every part of the product uses: scopes, periods, levels."""

MESSAGES = {
    "scope.company": "Company",
    "scope.label": "{scope}",  # a scope's label alone (JSON outputs)
    "period.label": "{period}",  # a period's label alone (JSON outputs)
    "scope.team": "Team {name}",
    "scope.no_team": "Reps without a team",  # the roster's team of the reps no file gives a team
    "period.day": "{month} {day}, {year}",
    "period.week": "Week {week} {year}",
    "period.week_short": "W{week}",
    "period.month": "{month} {year}",
    "period.quarter": "Q{quarter} {year}",
    "period.fiscal_year": "Fiscal year {name}",
    "period.fiscal_quarter": "Q{quarter} of fiscal year {name}",
    "period.range": "from {start} to {end}",
}
