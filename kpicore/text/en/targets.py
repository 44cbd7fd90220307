"""Targets read in the shapes SMEs keep: totals set aside, the year found, a yearly target spread over the
months (kpicore.ingest.targets_shapes)."""

MESSAGES = {
    "targets.problem.total_row": "Total row skipped (Pilotage recomputes target totals)",
    "targets.fix.total_row": "Nothing to do: the team and the company add up their reps' targets.",
    "targets.problem.total_column": "Total column skipped (“Total”, “Cumulative”, quarter)",
    "targets.fix.total_column": "Nothing to do: the quarter and the year add up the monthly targets.",
    "targets.refresh.read_only.xls": ("Excel 97-2003 workbook (.xls): Pilotage reads it (check, kpis, forecast, "
                                      "decks, diagnostic) but writes its cockpit only into an .xlsx workbook."),
    "targets.refresh.read_only.ods": ("OpenDocument workbook (.ods): Pilotage reads it (check, kpis, forecast, "
                                      "decks, diagnostic) but writes its cockpit only into an .xlsx workbook."),
    "targets.refresh.save_as_xlsx": ("Save it as an Excel Workbook (*.xlsx) (File > Save As), then refresh the "
                                     "new workbook."),
    "targets.column.company": "(company)",
    "targets.note.year": "Targets of sheet “{sheet}”: months read as those of fiscal year {year} ({source}).",
    "targets.year_from.sheet": "year taken from the sheet name",
    "targets.year_from.title": "year taken from the title above the table",
    "targets.year_from.column": "year taken from the “Year” column",
    "targets.year_from.data": "no year written: fiscal year of the deals' latest date",
    "targets.year_from.today": "no year written and no dated deal: current fiscal year",
    "targets.note.spread_history": ("Yearly targets of sheet “{sheet}” ({year}) spread over the twelve months "
                                    "by each month's share of revenue won in {before} "
                                    "(setting targets.spread = history)."),
    "targets.note.spread_history_borrowed": (
        "Yearly targets of sheet “{sheet}” ({year}) spread over the twelve months by each month's share of "
        "revenue won in {before}; the company's spread is used for {borrowed:count|scope|scopes} with fewer than "
        "{minimum} deals won that year (setting targets.spread = history)."),
    "targets.note.spread_even": ("Yearly targets of sheet “{sheet}” ({year}) spread evenly over the twelve "
                                 "months: no twelve months of deals won in {before} to follow the seasons."),
    "targets.note.spread_even_setting": ("Yearly targets of sheet “{sheet}” ({year}) spread evenly over the "
                                         "twelve months (setting targets.spread = even)."),
    "targets.note.rates_repeated": ("Sheet “{sheet}”: a rate, deal size or duration target is not spread; "
                                    "each month takes the yearly value."),
}
