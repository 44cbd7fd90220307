"""The "Mappings" sheet (« Correspondances »): for each table read, the header taken for each column, how and
how sure, and the person's choice; then the labels (activity types, stages, statuses) and the variants of one
name."""

from kpicore.model import schema

MESSAGES = {
    "correspondences.sheet.title": "Mappings",
    "correspondences.sheet.intro": ("How Pilotage read your tables. To correct a reading, pick in the “Your choice” "
                                    "column, then refresh: your choice always wins and stays in place at the "
                                    "next refreshes."),
    "correspondences.sheet.guesses_first": ("Guessed columns, required columns not found and choices whose "
                                            "header has gone come first."),
    "correspondences.section.columns": "Columns",
    "correspondences.section.labels": "Labels",
    "correspondences.section.names": "Names that seem to be one person",
    "correspondences.header.table": "Table",
    "correspondences.header.sheet": "Sheet",
    "correspondences.header.column": "Pilotage column",
    "correspondences.header.chosen": "Header taken",
    "correspondences.header.how": "How",
    "correspondences.header.confidence": "Confidence",
    "correspondences.header.evidence": "Evidence",
    "correspondences.header.runner_up": "Runner-up",
    "correspondences.header.choice": "Your choice",
    "correspondences.header.label": "Label in the file",
    "correspondences.header.count": "Rows",
    "correspondences.header.value": "Read as",
    "correspondences.header.names": "Names seen",
    "correspondences.header.proposed": "Proposed name",
    "correspondences.header.merge": "Merge?",
    "correspondences.how.person": "your choice",
    "correspondences.how.setting": "setting",
    "correspondences.how.synonym": "known header",
    "correspondences.how.evidence": "evidence",
    "correspondences.how.derived": "derived",
    "correspondences.how.guess": "guessed",
    "correspondences.how.missing": "not found",
    "correspondences.how.unmapped": "not recognised",
    "correspondences.none": "(none)",
    "correspondences.required_missing": "required, not found",
    "correspondences.not_found": "—",
    "correspondences.vanished": "header not found: “{header}”",
    "correspondences.runner_up": "{header} ({confidence:percent})",
    "correspondences.list": "{first}; {rest}",
    "correspondences.yes": "yes",
    "correspondences.no": "no",
    "correspondences.names": "{first}\n{rest}",
    "correspondences.validation.title": "Your choice",
    "correspondences.validation.column": "Pick the header of your file that holds this column, or (none).",
    "correspondences.validation.label": "Pick what this label means.",
    "correspondences.validation.merge": "yes: these names are one person.",
    "correspondences.validation.error": "Pick a value from the list.",
    "correspondences.value.status.open": "open",
    "correspondences.value.status.won": "won",
    "correspondences.value.status.lost": "lost",
}
MESSAGES.update({f"correspondences.value.type.{t}": label for t, label in {
    "call": "call", "meeting": "meeting", "qualified_meeting": "qualified meeting",
    "proposal": "proposal", "follow_up": "follow-up", "co_visit": "joint visit", "other": "other"}.items()})
assert set(schema.ACTIVITY_TYPES) == {c.rsplit(".", 1)[1] for c in MESSAGES if c.startswith("correspondences.value.type.")}
