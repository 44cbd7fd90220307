"""Les vocabulaires du client : types d'activité, étapes et statuts non reconnus, identifiants
d'affaire dérivés."""

MESSAGES = {
    "vocabulary.problem.unknown_activity_type": (
        "Type d'activité « {label} » non reconnu ({rows:count|ligne|lignes}), compté comme « Autre »"),
    "vocabulary.fix.activity_type": (
        "Choisissez son type dans la feuille « Correspondances » (appel, RDV, RDV qualifié, proposition, "
        "relance, co-visite, autre)."),
    "vocabulary.problem.unknown_stage": (
        "Étape « {label} » sans statut reconnu ({rows:count|ligne|lignes}), comptée comme en cours"),
    "vocabulary.fix.stage": (
        "Indiquez dans la feuille « Correspondances » (ou la feuille Étapes) si cette étape est gagnée, "
        "perdue ou en cours."),
    "vocabulary.note.derived_ids": (
        "Pas de colonne d'identifiant : identifiant tiré du nom, du client et de la date de création pour "
        "{deals:count|affaire|affaires} ; {twins:count|affaire homonyme gardée à part|affaires homonymes "
        "gardées à part} (suffixe -2, -3…)"),
    "vocabulary.note.derived_ids_no_name": (
        "Pas de colonne d'identifiant ni de nom d'affaire : identifiant tiré du client, du commercial, de la date "
        "de création et du montant pour {deals:count|affaire|affaires} ; {twins:count|affaire homonyme gardée à "
        "part|affaires homonymes gardées à part} (suffixe -2, -3…)"),
    "vocabulary.fix.derived_ids": (
        "Ajoutez une colonne d'identifiant (N° affaire) pour que l'identifiant ne change pas "
        "quand un nom, un client ou une date est corrigé."),
}
