"""Le diagnostic gratuit (``pilotage diagnostic``) : le deck, la feuille, le JSON et la ligne de commande."""

MESSAGES = {
    # the command line
    "cli.help.diagnostic": "diagnostic gratuit des fichiers d'un prospect : deck de 2 à 4 diapositives et feuille, "
                           "écrits dans un dossier, jamais dans ses fichiers",
    "cli.help.diagnostic.files": "classeurs (.xlsx, .xlsm, .xls, .ods) ou exports CSV, ou un dossier qui les "
                                 "contient (affaires et activités exportées à part)",
    "cli.help.diagnostic.out": "dossier où écrire le diagnostic (défaut : «\u00a0Diagnostic <nom>\u00a0» "
                               "à côté du premier fichier)",
    "cli.help.diagnostic.pdf": "convertit aussi le deck en PDF avec LibreOffice",
    "cli.help.diagnostic.json": "affiche le diagnostic en JSON (schéma diagnostic.v1.json)",
    "cli.metavar.files": "FICHIER",
    "cli.diagnostic.step": "Diagnostic de {files} ...",
    "cli.diagnostic.deck": "Deck écrit : {path}",
    "cli.diagnostic.sheet": "Feuille écrite : {path}",
    "cli.diagnostic.pdf": "PDF écrit : {path}",
    "cli.diagnostic.empty_folder": "{option} : le dossier « {folder} » ne contient aucun fichier que Pilotage lit "
                                   "({kinds}) → indiquez les fichiers eux-mêmes",
    # the folder and file names
    "diagnostic.folder": "Diagnostic {stem}",
    "diagnostic.file.deck": "Diagnostic {day}",
    "diagnostic.file.sheet": "Diagnostic {day}",
    "diagnostic.files": "{first} et {more:count|autre fichier|autres fichiers}",
    "diagnostic.read_only": "le diagnostic lit les fichiers du prospect et n'y écrit jamais",
    "diagnostic.created": "Diagnostic écrit dans : {path}",
    "diagnostic.progress": "Diagnostic des données au {as_of:date} ...",
    # the names it uses
    "diagnostic.kpi.qualified_meetings_per_week": "RDV qualifiés / semaine",
    "diagnostic.kpi.proposals_per_month": "Propositions envoyées / mois",
    "diagnostic.kpi.proposal_conversion": "Transformation proposition → commande",
    "diagnostic.kpi.average_deal_size": "Panier moyen",
    "diagnostic.kpi.sales_cycle_days": "Durée du cycle de vente",
    "diagnostic.kpi.forecast": "Prévision du mois",
    "diagnostic.method.weighted_declared": "Vos probabilités déclarées",
    "diagnostic.method.run_rate": "Rythme des 91 derniers jours",
    "diagnostic.method.calibrated": "Prévision calibrée Pilotage",
    "diagnostic.method.blend": "Mélange calibré / rythme Pilotage",
    "diagnostic.how.person": "votre choix",
    "diagnostic.how.setting": "paramètre",
    "diagnostic.how.synonym": "en-tête connu",
    "diagnostic.how.evidence": "déduit ({confidence:percent} sûr)",
    "diagnostic.how.derived": "calculé",
    "diagnostic.yes": "oui",
    "diagnostic.no": "non",
    # what would unlock a KPI
    "diagnostic.unlock.activity_log": "un journal d'activités (date, commercial, type) avec les RDV qualifiés",
    "diagnostic.unlock.qualified_type": "un type « RDV qualifié » dans le journal d'activités "
                                        "({activities:count|activité lue|activités lues}, aucune de ce type)",
    "diagnostic.unlock.proposal": "une date de proposition par affaire, ou un journal d'activités avec les "
                                  "propositions envoyées",
    "diagnostic.unlock.proposal_link": "le N° d'affaire sur chaque proposition du journal d'activités, ou une date "
                                       "de proposition par affaire",
    "diagnostic.unlock.decided": "des affaires gagnées ou perdues avec leur date de clôture",
    "diagnostic.unlock.won": "des affaires gagnées avec leur date de signature",
    "diagnostic.unlock.amount": "le montant HT des affaires gagnées",
    "diagnostic.unlock.created": "la date de création des affaires",
    "diagnostic.unlock.open_deals": "des affaires en cours avec leur montant",
    # forecast accuracy
    "diagnostic.accuracy.short_history": "Précision non mesurable encore : il faut {needed} mois d'historique "
                                         "d'affaires (un an pour apprendre, puis des mois terminés à rejouer) ; "
                                         "vos fichiers en couvrent {months:number1}.",
    "diagnostic.accuracy.nothing_won": "Précision non mesurable : aucun mois rejoué n'a d'affaire gagnée "
                                       "({months:number1} mois d'historique).",
    "diagnostic.accuracy.not_replayed": "Précision non mesurée dans ce diagnostic.",
    "diagnostic.reliable": "fiable à ±{error:percent}",
    # slide 1: the summary
    "diagnostic.title": "Diagnostic de vos données commerciales",
    "diagnostic.subtitle": "{source} · données au {as_of:date} · {deals:count|affaire|affaires}",
    "diagnostic.summary.title": "Pilotage suit {supported} des 5 indicateurs avec vos fichiers actuels",
    "diagnostic.summary.recognised": "colonnes utiles reconnues",
    "diagnostic.summary.kept": "lignes utilisables",
    "diagnostic.summary.accuracy": "précision de votre prévision actuelle (±)",
    "diagnostic.summary.accuracy_none": "précision : pas encore mesurable",
    "diagnostic.summary.risk": "À corriger d'abord : {what}",
    "diagnostic.summary.risk_unlock": "pour « {kpi} », il manque {what}",
    "diagnostic.summary.risk_guess": "{guesses:count|colonne devinée|colonnes devinées} à confirmer dans "
                                     "« Correspondances »",
    "diagnostic.summary.risk_errors": "{excluded:count|ligne exclue|lignes exclues} pour erreur de saisie",
    "diagnostic.summary.risk_none": "rien de bloquant, vos fichiers sont utilisables tels quels",
    "diagnostic.summary.ask": "Proposition : installer Pilotage sur ce classeur, confirmer les correspondances, "
                              "puis suivre les indicateurs chaque semaine.",
    "diagnostic.summary.reliable": "Votre prévision actuelle est fiable à ±{error:percent} ; celle que "
                                   "Pilotage afficherait ({method}) l'est à ±{shown:percent}, mesurée sur votre "
                                   "historique rejoué.",
    # slide 2: recognition
    "diagnostic.recognition.title": "Ce que Pilotage a reconnu dans vos fichiers",
    "diagnostic.head.table": "Table",
    "diagnostic.head.where": "Fichier · feuille",
    "diagnostic.head.columns": "Colonnes reconnues",
    "diagnostic.head.sure": "Sûres",
    "diagnostic.head.guessed": "Devinées",
    "diagnostic.head.rows": "Lignes gardées",
    "diagnostic.where": "{file} · {sheet}",
    "diagnostic.of": "{found} / {total}",
    "diagnostic.recognition.absent": "Tables absentes : {tables}.",
    "diagnostic.recognition.none_absent": "Toutes les tables utiles sont présentes.",
    "diagnostic.recognition.guesses": "À confirmer : {columns}.",
    "diagnostic.recognition.guess": "« {header} » lu comme {column} ({confidence:percent} sûr)",
    "diagnostic.recognition.no_guess": "Aucune colonne devinée : chaque choix repose sur un en-tête connu ou un "
                                       "paramètre.",
    "diagnostic.recognition.missing": "Colonnes obligatoires manquantes : {columns}.",
    "diagnostic.recognition.note": "Chaque choix se corrige dans la feuille « Correspondances » après la "
                                   "première actualisation.",
    # slide 3: KPIs and quality
    "diagnostic.kpis.title": "Les indicateurs que vos données permettent, et ce qui débloquerait les autres",
    "diagnostic.kpis.title_all": "Les cinq indicateurs sont mesurables avec vos données",
    "diagnostic.head.kpi": "Indicateur",
    "diagnostic.head.supported": "Mesurable",
    "diagnostic.head.value": "{period:period}",
    "diagnostic.head.unlock": "Ce qui le débloquerait",
    "diagnostic.quality.title": "Qualité des données",
    "diagnostic.quality.rows": "{rows:count|ligne lue|lignes lues} : {kept} gardées, {excluded} exclues, "
                               "{merged} doublons fusionnés.",
    "diagnostic.quality.issues": "{errors:count|erreur|erreurs} (ligne exclue), "
                                 "{warnings:count|correction|corrections} (ligne gardée).",
    "diagnostic.quality.problem": "{problem} : {count}",
    "diagnostic.quality.clean": "Aucun problème de saisie trouvé.",
    # slide 4: forecast accuracy
    "diagnostic.accuracy.title": "La précision de votre prévision, rejouée sur votre propre historique",
    "diagnostic.accuracy.title_none": "La précision de votre prévision n'est pas encore mesurable",
    "diagnostic.accuracy.series": "Écart moyen (±)",
    "diagnostic.accuracy.line": "{method} : fiable à ±{error:percent} ({within:percent} des prévisions à ±10 %)",
    "diagnostic.accuracy.how": "Chaque semaine de votre historique, le pipeline est reconstitué tel qu'il était, "
                               "le mois est prévu par chaque méthode, puis comparé au CA réellement signé "
                               "({scored:count|prévision rejouée|prévisions rejouées}).",
    "diagnostic.accuracy.stage_defaults": "Sans probabilité par affaire dans vos fichiers, les probabilités par "
                                          "défaut des étapes tiennent lieu de probabilités déclarées.",
    "diagnostic.accuracy.meanwhile": "En attendant : {deals:count|affaire|affaires}, dont "
                                     "{won:count|gagnée|gagnées} et {open:count|en cours|en cours} ; "
                                     "le cockpit donne déjà la prévision du mois avec sa fourchette.",
    "diagnostic.footer": "Diagnostic Pilotage · {source} · {as_of:date}",
    # the sheet
    "diagnostic.sheet.name": "Diagnostic",
    "diagnostic.sheet.head.section": "Rubrique",
    "diagnostic.sheet.head.item": "Élément",
    "diagnostic.sheet.head.value": "Valeur",
    "diagnostic.sheet.head.detail": "Détail",
    "diagnostic.sheet.section.summary": "Synthèse",
    "diagnostic.sheet.section.recognition": "Reconnaissance",
    "diagnostic.sheet.section.kpis": "Indicateurs",
    "diagnostic.sheet.section.quality": "Qualité",
    "diagnostic.sheet.section.accuracy": "Précision",
    "diagnostic.sheet.column": "{table} · {column}",
    "diagnostic.sheet.rows_read": "Lignes lues",
    "diagnostic.sheet.kept": "Lignes gardées",
    "diagnostic.sheet.excluded": "Lignes exclues",
    "diagnostic.sheet.merged": "Doublons fusionnés",
    "diagnostic.sheet.errors": "Erreurs",
    "diagnostic.sheet.warnings": "Corrections",
    "diagnostic.sheet.history": "Mois d'historique",
}
