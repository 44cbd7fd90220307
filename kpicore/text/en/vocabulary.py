"""The client's vocabularies: activity types, stages and statuses not recognised, derived deal ids."""

MESSAGES = {
    "vocabulary.problem.unknown_activity_type": (
        "Activity type \u201c{label}\u201d not recognised ({rows:count|row|rows}), counted as \u201cOther\u201d"),
    "vocabulary.fix.activity_type": (
        "Choose its type in the \u201cCorrespondances\u201d sheet (call, meeting, qualified meeting, proposal, "
        "follow-up, co-visit, other)."),
    "vocabulary.problem.unknown_stage": (
        "Stage \u201c{label}\u201d with no recognised status ({rows:count|row|rows}), counted as open"),
    "vocabulary.fix.stage": (
        "Say in the \u201cCorrespondances\u201d sheet (or the Stages sheet) whether this stage is won, lost "
        "or open."),
    "vocabulary.note.derived_ids": (
        "No id column: ids taken from the name, account and creation date for {deals:count|deal|deals}; "
        "{twins:count|namesake deal kept apart|namesake deals kept apart} (suffix -2, -3\u2026)"),
    "vocabulary.note.derived_ids_no_name": (
        "No id or deal name column: ids taken from the account, owner, creation date and amount for "
        "{deals:count|deal|deals}; {twins:count|namesake deal kept apart|namesake deals kept apart} "
        "(suffix -2, -3\u2026)"),
    "vocabulary.fix.derived_ids": (
        "Add an id column (deal number) so that an id does not change when a name, an account or a date "
        "is corrected."),
}
