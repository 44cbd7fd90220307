"""Les fonctions de cellule PILOT_… : ce qu'une cellule dit quand un argument ne va pas."""

MESSAGES = {
    "udf.error": "#PILOTAGE : {text}",
    "udf.not_a_table": ("l'argument {position} ({name}) doit être une table avec sa ligne d'en-tête, "
                        "ex. {example}[#All]."),
    "udf.no_header": ("l'argument {position} ({name}) n'a pas de ligne d'en-tête : passez la table avec [#All] "
                      "(en-têtes compris)."),
    "udf.date_outside": "date de référence {value} hors des dates d'Excel.",
    "udf.date_unreadable": "date de référence « {value} » illisible : écrivez jj/mm/aaaa ou AUJOURDHUI().",
    "udf.scope_needs_reps": ("le périmètre « {scope} » demande la table des commerciaux (leurs équipes) : "
                             "passez-la en argument {position}, ex. Commerciaux[#All]."),
    "udf.unexpected": "erreur inattendue ({kind}) ; signalez-la au support.",
    "udf.needs.activites": ("{function} a besoin de la table des activités : passez-la en argument {position}, "
                            "ex. Activites[#All]."),
    "udf.needs.objectifs": ("{function} a besoin de la table des objectifs : passez-la en argument {position}, "
                            "ex. Objectifs[#All]."),
    "udf.unknown_kpi": "KPI « {kpi} » inconnu : choisissez parmi {ids}.",
    "udf.kpi_needs_activities": ("le KPI {kpi} compte des activités : passez la table des activités en argument "
                                 "{position} (ex. Activites[#All])."),
    "udf.period_over": ("la période {period} est finie au {day:date} : la prévision porte sur une période en cours "
                        "ou à venir (pour le passé, voyez PILOT_CA_SIGNE)."),
    "udf.unknown_scope": "périmètre « {scope} » inconnu dans les tables passées.",
}
