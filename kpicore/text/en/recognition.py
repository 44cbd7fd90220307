"""Recognising columns by evidence: what a column's header and values say, guessed columns, a chosen
header gone from the file, the amount read with VAT, a report's furniture rows."""

MESSAGES = {
    "recognition.evidence.join": "{first}; {rest}",
    "recognition.evidence.header": "header: \u201c{word}\u201d \u2192 {column}",
    "recognition.evidence.dates": "{share:percent} of the values are dates",
    "recognition.evidence.amounts": "{share:percent} of the values are amounts",
    "recognition.evidence.numbers": "{share:percent} of the values are numbers",
    "recognition.evidence.percents": "{share:percent} of the values are percentages",
    "recognition.evidence.stages": "{share:percent} of the values are sales stages",
    "recognition.evidence.statuses": "{share:percent} of the values are statuses (won, lost, open)",
    "recognition.evidence.activities": "{share:percent} of the values are activity types",
    "recognition.evidence.names": "{n:count|repeated name|repeated names}",
    "recognition.evidence.ids": "{share:percent} of the values are distinct codes",
    "recognition.evidence.texts": "{share:percent} of the values are text",
    "recognition.evidence.labels": "{share:percent} of the values are labels",
    "recognition.evidence.long_texts": "{share:percent} of the values are free text",
    "recognition.evidence.bools": "{share:percent} of the values are yes / no",
    "recognition.evidence.ht_first": "amount before VAT preferred to the amount with VAT",
    "recognition.column.deal_name": "Deal name",
    "recognition.column.close_date": "Close date (expected or actual)",
    "recognition.column.won_on": "Won date",
    "recognition.column.lost_on": "Lost date",
    "recognition.how.person": "Correspondences",
    "recognition.how.evidence": "evidence",
    "recognition.how.derived": "derived",
    "recognition.badge.guesses": "{badge}; {n:count|guessed column|guessed columns}",
    "recognition.check.choices": "Columns recognised without a known header (to check, guesses first):",
    "recognition.check.notes": "What Pilotage inferred from your files:",
    "recognition.check.where": "{table}, sheet \u201c{sheet}\u201d",
    "recognition.check.choice": ("{letter} \u201c{header}\u201d \u2192 {column} ({how}, confidence "
                                 "{confidence:percent}) \u2014 {where}"),
    "recognition.check.guess": ("{letter} \u201c{header}\u201d \u2192 {column}: GUESSED ({how}, confidence "
                                "{confidence:percent}) \u2014 {where}"),
    "recognition.check.none": "{column}: no column of the file \u2014 {where}",
    "recognition.check.evidence": "evidence: {evidence}",
    "recognition.check.runner_up": "next: {letter} \u201c{header}\u201d (confidence {confidence:percent})",
    "recognition.check.vanished": "the chosen header \u201c{header}\u201d is no longer in the file",
    "recognition.problem.vanished": ("the header \u201c{header}\u201d chosen for {column} is no longer in the "
                                     "file: the guessed column \u201c{guess}\u201d is used"),
    "recognition.problem.vanished_none": ("the header \u201c{header}\u201d chosen for {column} is no longer in "
                                          "the file, and no other column fits"),
    "recognition.fix.vanished": ("Choose the header again in the \u201cCorrespondances\u201d sheet (or fix the "
                                 "mapping.* key of the Settings sheet)."),
    "recognition.problem.ttc_only": ("only an amount including VAT (\u201c{header}\u201d) is in the file: amounts "
                                     "are read including VAT"),
    "recognition.fix.ttc_only": ("Add an amount column before VAT, or choose it in the \u201cCorrespondances\u201d "
                                 "sheet."),
    "recognition.note.ttc_used": "Amounts read including VAT (column \u201c{header}\u201d): no amount before VAT in the file.",
    "recognition.problem.footer_row": "report footer row skipped (notice, copyright)",
    "recognition.fix.footer_row": "Nothing to do: it is not a deal.",
    "recognition.sheet.guesses": "Guessed columns",
    "recognition.sheet.header.table": "Table",
    "recognition.sheet.header.column": "Pilotage column",
    "recognition.sheet.header.header": "Header in the file",
    "recognition.sheet.header.confidence": "Confidence",
    "recognition.sheet.header.evidence": "Evidence",
    "recognition.sheet.header.runner_up": "Other candidate",
    "recognition.sheet.fix": "Check these columns; fix them if needed in the \u201cCorrespondances\u201d sheet.",
}
