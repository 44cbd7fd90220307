"""Une table d'affaires sans colonne d'étape mais avec un statut : l'étape est le statut du fichier."""

MESSAGES = {
    "stage_from_status.note": (
        "Pas de colonne d'étape : l'étape de chaque affaire est son statut tel que le fichier l'écrit "
        "(« {column} »)"),
    "stage_from_status.fix": (
        "Ajoutez une colonne d'étape (Étape, Phase) pour suivre l'avancement des affaires en cours."),
}
