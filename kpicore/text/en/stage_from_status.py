"""A deals table with a status column but no stage column: the stage is the file's status."""

MESSAGES = {
    "stage_from_status.note": (
        "No stage column: each deal's stage is its status as the file words it (\u201c{column}\u201d)"),
    "stage_from_status.fix": (
        "Add a stage column (Stage, Phase) to follow how far the open deals have gone."),
}
