"""La reconnaissance des colonnes par indices : ce que disent l'en-tête et les valeurs d'une colonne, les
colonnes devinées, l'en-tête choisi disparu, le montant TTC, les lignes de décor d'un rapport."""

MESSAGES = {
    "recognition.evidence.join": "{first} ; {rest}",
    # why a column was recognised (kpicore.ingest.evidence)
    "recognition.evidence.header": "en-tête : « {word} » → {column}",
    "recognition.evidence.dates": "{share:percent} des valeurs sont des dates",
    "recognition.evidence.amounts": "{share:percent} des valeurs sont des montants",
    "recognition.evidence.numbers": "{share:percent} des valeurs sont des nombres",
    "recognition.evidence.percents": "{share:percent} des valeurs sont des pourcentages",
    "recognition.evidence.stages": "{share:percent} des valeurs sont des étapes de vente",
    "recognition.evidence.statuses": "{share:percent} des valeurs sont des statuts (gagnée, perdue, en cours)",
    "recognition.evidence.activities": "{share:percent} des valeurs sont des types d'activité",
    "recognition.evidence.names": "{n:count|nom répété|noms répétés}",
    "recognition.evidence.ids": "{share:percent} des valeurs sont des codes tous différents",
    "recognition.evidence.texts": "{share:percent} des valeurs sont du texte",
    "recognition.evidence.labels": "{share:percent} des valeurs sont des libellés",
    "recognition.evidence.long_texts": "{share:percent} des valeurs sont du texte libre",
    "recognition.evidence.bools": "{share:percent} des valeurs sont oui / non",
    "recognition.evidence.ht_first": "montant HT préféré au montant TTC",
    # helper columns, as the reader names them
    "recognition.column.deal_name": "Nom de l'affaire",
    "recognition.column.close_date": "Date de clôture (prévue ou réelle)",
    "recognition.column.won_on": "Date de gain",
    "recognition.column.lost_on": "Date de perte",
    # how a column was chosen
    "recognition.how.person": "Correspondances",
    "recognition.how.evidence": "indices",
    "recognition.how.derived": "dérivée",
    # the badge of the cockpit, with the columns guessed
    "recognition.badge.guesses": "{badge} ; {n:count|colonne devinée|colonnes devinées}",
    # pilotage check
    "recognition.check.choices": "Colonnes reconnues sans en-tête connu (à vérifier, les devinées d'abord) :",
    "recognition.check.notes": "Ce que Pilotage a déduit de vos fichiers :",
    "recognition.check.where": "{table}, feuille « {sheet} »",
    "recognition.check.choice": ("{letter} « {header} » → {column} ({how}, confiance {confidence:percent}) — "
                                 "{where}"),
    "recognition.check.guess": ("{letter} « {header} » → {column} : DEVINÉE ({how}, confiance "
                                "{confidence:percent}) — {where}"),
    "recognition.check.none": "{column} : aucune colonne du fichier — {where}",
    "recognition.check.evidence": "indices : {evidence}",
    "recognition.check.runner_up": "ensuite : {letter} « {header} » (confiance {confidence:percent})",
    "recognition.check.vanished": "l'en-tête choisi « {header} » n'est plus dans le fichier",
    # issues
    "recognition.problem.vanished": ("l'en-tête « {header} » choisi pour {column} n'est plus dans le fichier : "
                                     "la colonne devinée « {guess} » est utilisée"),
    "recognition.problem.vanished_none": ("l'en-tête « {header} » choisi pour {column} n'est plus dans le "
                                          "fichier, et aucune autre colonne ne convient"),
    "recognition.fix.vanished": ("Choisissez à nouveau l'en-tête dans la feuille « Correspondances » (ou "
                                 "corrigez la clé mapping.* de la feuille Paramètres)."),
    "recognition.problem.ttc_only": ("seul un montant TTC (« {header} ») est dans le fichier : les montants "
                                     "sont lus TTC"),
    "recognition.fix.ttc_only": ("Ajoutez une colonne de montant HT, ou choisissez-la dans la feuille "
                                 "« Correspondances »."),
    "recognition.note.ttc_used": "Montants lus TTC (colonne « {header} ») : aucun montant HT dans le fichier.",
    "recognition.problem.footer_row": "ligne de pied de rapport ignorée (mention, copyright)",
    "recognition.fix.footer_row": "Rien à faire : ce n'est pas une affaire.",
    # the quality sheet
    "recognition.sheet.guesses": "Colonnes devinées",
    "recognition.sheet.header.table": "Table",
    "recognition.sheet.header.column": "Colonne Pilotage",
    "recognition.sheet.header.header": "En-tête du fichier",
    "recognition.sheet.header.confidence": "Confiance",
    "recognition.sheet.header.evidence": "Indices",
    "recognition.sheet.header.runner_up": "Autre candidat",
    "recognition.sheet.fix": "Vérifiez ces colonnes ; corrigez-les au besoin dans la feuille « Correspondances ».",
}
