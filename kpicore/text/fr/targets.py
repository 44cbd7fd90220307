"""Les objectifs lus dans les formes que tiennent les PME : totaux écartés, année trouvée, objectif annuel
réparti sur les mois (kpicore.ingest.targets_shapes)."""

MESSAGES = {
    "targets.problem.total_row": "Ligne de total ignorée (les totaux d'objectifs sont recalculés par Pilotage)",
    "targets.fix.total_row": "Rien à faire : l'équipe et l'entreprise additionnent les objectifs des commerciaux.",
    "targets.problem.total_column": "Colonne de total ignorée (« Total », « Cumul », trimestre)",
    "targets.fix.total_column": ("Rien à faire : le trimestre et l'année additionnent les objectifs "
                                 "mensuels."),
    "targets.refresh.read_only.xls": ("classeur Excel 97-2003 (.xls) : Pilotage le lit (check, kpis, forecast, decks, "
                                      "diagnostic) mais n'écrit son cockpit que dans un classeur .xlsx."),
    "targets.refresh.read_only.ods": ("classeur OpenDocument (.ods) : Pilotage le lit (check, kpis, forecast, decks, "
                                      "diagnostic) mais n'écrit son cockpit que dans un classeur .xlsx."),
    "targets.refresh.save_as_xlsx": ("Enregistrez-le au format Classeur Excel (*.xlsx) (Fichier > Enregistrer "
                                     "sous), puis actualisez le nouveau classeur."),
    "targets.column.company": "(entreprise)",
    "targets.note.year": "Objectifs de la feuille « {sheet} » : mois lus comme ceux de l'exercice {year} ({source}).",
    "targets.year_from.sheet": "année tirée du nom de la feuille",
    "targets.year_from.title": "année tirée du titre au-dessus du tableau",
    "targets.year_from.column": "année tirée de la colonne « Année »",
    "targets.year_from.data": "aucune année écrite : exercice de la dernière date des affaires",
    "targets.year_from.today": "aucune année écrite ni aucune affaire datée : exercice en cours",
    "targets.note.spread_history": ("Objectifs annuels de la feuille « {sheet} » ({year}) répartis sur les "
                                    "douze mois selon la part de chaque mois dans le CA signé de {before} "
                                    "(paramètre targets.spread = history)."),
    "targets.note.spread_history_borrowed": (
        "Objectifs annuels de la feuille « {sheet} » ({year}) répartis sur les douze mois selon la part de "
        "chaque mois dans le CA signé de {before} ; la répartition de l'entreprise sert pour "
        "{borrowed:count|périmètre|périmètres} ayant moins de {minimum} affaires gagnées cette année-là "
        "(paramètre targets.spread = history)."),
    "targets.note.spread_even": ("Objectifs annuels de la feuille « {sheet} » ({year}) répartis à parts égales "
                                 "sur les douze mois : pas douze mois d'affaires gagnées en {before} pour "
                                 "suivre la saisonnalité."),
    "targets.note.spread_even_setting": ("Objectifs annuels de la feuille « {sheet} » ({year}) répartis à parts "
                                         "égales sur les douze mois (paramètre targets.spread = even)."),
    "targets.note.rates_repeated": ("Feuille « {sheet} » : un objectif de taux, de panier moyen ou de durée "
                                    "ne se répartit pas ; chaque mois reprend la valeur annuelle."),
}
