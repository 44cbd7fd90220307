"""The PILOT_… cell functions: what a cell says when an argument is wrong."""

MESSAGES = {
    "udf.error": "#PILOTAGE: {text}",
    "udf.not_a_table": "argument {position} ({name}) must be a table with its header row, e.g. {example}[#All].",
    "udf.no_header": "argument {position} ({name}) has no header row: pass the table with [#All] (headers included).",
    "udf.date_outside": "as-of date {value} is outside Excel's dates.",
    "udf.date_unreadable": "as-of date \u201c{value}\u201d is unreadable: write dd/mm/yyyy or TODAY().",
    "udf.scope_needs_reps": ("scope \u201c{scope}\u201d needs the reps table (their teams): pass it as argument "
                             "{position}, e.g. Commerciaux[#All]."),
    "udf.unexpected": "unexpected error ({kind}); please report it to support.",
    "udf.needs.activites": ("{function} needs the activities table: pass it as argument {position}, "
                            "e.g. Activites[#All]."),
    "udf.needs.objectifs": ("{function} needs the targets table (objectifs): pass it as argument {position}, "
                            "e.g. Objectifs[#All]."),
    "udf.unknown_kpi": "unknown KPI \u201c{kpi}\u201d: choose among {ids}.",
    "udf.kpi_needs_activities": ("KPI {kpi} counts activities: pass the activities table as argument {position} "
                                 "(e.g. Activites[#All])."),
    "udf.period_over": ("period {period} is over on {day:date}: a forecast is of a current or coming period "
                        "(for the past, see PILOT_CA_SIGNE)."),
    "udf.unknown_scope": "scope \u201c{scope}\u201d is unknown in the tables passed.",
}
