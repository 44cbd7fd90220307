"""La qualité des données : chaque problème trouvé à la lecture, comment le corriger, où il est,
la feuille « Qualité des données » et le rapport de ``pilotage check``."""

from kpicore.model import schema

MESSAGES = {
    # where a problem is
    "quality.place.sheet": "feuille « {sheet} »",
    "quality.place.row": "ligne {row}",
    "quality.place.column": "colonne « {column} »",
    "quality.place.excel_table": "table Excel « {name} »",
    "quality.sheet_row": "{sheet} ligne {row}",
    "quality.rows_more": "{rows} … (+{more})",
    "quality.list": "{first}, {rest}",
    "quality.quoted": "« {text} »",
    "quality.none": "(aucun)",
    "quality.value.date": "{day:date}",
    "quality.where_said": "{where} : {said}",
    # what a parser repaired
    "quality.note.trimmed": "espaces superflus supprimés",
    "quality.note.text_dates": "dates texte lues au format {order}",
    "quality.note.serials": "numéros de série Excel convertis en dates",
    "quality.note.text_amounts": "montants texte convertis (espaces, virgule, €)",
    "quality.note.both": "{first} ; {rest}",
    "quality.order.dmy_seen": "jj/mm/aaaa (un jour > 12 en première position)",
    "quality.order.mdy_seen": "mm/jj/aaaa, format américain (un jour > 12 en deuxième position)",
    "quality.order.dmy_majority": "jj/mm/aaaa, majoritaire ({dmy} contre {mdy})",
    "quality.order.mdy_majority": "mm/jj/aaaa, majoritaire ({mdy} contre {dmy})",
    "quality.order.ambiguous": "jj/mm/aaaa (ambigu : lu à la française par défaut)",
    "quality.no_table": "aucune table reconnue (affaires, activités, objectifs…).{sheets}",
    "quality.no_table.sheet": "\n  - {where} : {why}{seen}",
    "quality.no_table.seen": " ; en-têtes vus : {headers}",
    "quality.lines": "{first}{rest}",
    "quality.fix.no_table": ("Nommez les colonnes comme le modèle Pilotage (N° affaire, Client, Commercial, Étape, "
                             "Montant HT, Date de création…) ou indiquez-les dans la feuille Paramètres "
                             "(mapping.Deals.amount = <en-tête>)."),
    # the problems
    "quality.problem.repaired": "Valeur corrigée : {note}",
    "quality.problem.repaired_cells": "Valeur corrigée : {note} ({cells} cellules, lignes {rows})",
    "quality.problem.unreadable_required": "Valeur illisible (on attendait {kind}) dans une colonne obligatoire",
    "quality.problem.unreadable_ignored": "Valeur illisible ignorée (on attendait {kind})",
    "quality.problem.score_out_of_range": "Note hors de l'échelle 1 à 5 ignorée",
    "quality.problem.missing_value": "« {column} » manquant(e) : valeur obligatoire",
    "quality.problem.negative_amount": "Montant négatif",
    "quality.problem.unknown_activity_type": "Type d'activité inconnu, compté comme « Autre »",
    "quality.problem.unknown_status": "Statut inconnu, déduit de l'étape",
    "quality.problem.unknown_choice_required": "Valeur non reconnue dans une colonne obligatoire",
    "quality.problem.unknown_choice_ignored": "Valeur non reconnue ignorée",
    "quality.problem.closed_before_created": "Date de clôture avant la date de création ({created:date})",
    "quality.problem.closed_before_created_any": "Date de clôture avant la date de création",
    "quality.problem.stage_respelled": "Étape réécrite comme dans la table des étapes : « {stage} »",
    "quality.problem.missing_column": ("Colonne obligatoire « {label} » ({column}) introuvable : "
                                       "{rows:count|ligne de la feuille ignorée|lignes de la feuille ignorées}"),
    "quality.problem.duplicate_same": "Ligne en double (identique à {first}) : une seule copie gardée",
    "quality.problem.duplicate_same_any": "Ligne en double : une seule copie gardée",
    "quality.problem.duplicate_different": ("Identifiant en double avec un contenu différent ({others}) : "
                                            "toutes les copies sont ignorées"),
    "quality.problem.duplicate_different_any": ("Identifiant en double avec un contenu différent : toutes les "
                                                "copies sont ignorées"),
    "quality.problem.total_row": "Ligne de total ignorée (ce n'est pas une affaire)",
    "quality.problem.rep_unknown": "Commercial « {rep} » inconnu : ligne ignorée",
    "quality.problem.rep_respelled": "Commercial « {rep} » lu comme « {name} »",
    "quality.problem.future_date": "Date dans le futur (après le {today:date}) : ligne ignorée",
    "quality.problem.already_gathered": "Activité déjà saisie ({where}) : comptée une seule fois",
    "quality.problem.already_gathered_any": "Activité déjà saisie : comptée une seule fois",
    "quality.kind.date": "une date",
    "quality.kind.amount": "un montant",
    "quality.kind.number": "un nombre",
    "quality.kind.fraction": "une probabilité",
    "quality.kind.int": "un nombre entier",
    "quality.kind.bool": "oui/non",
    "quality.kind.text": "du texte",
    # the fixes
    "quality.fix.repaired": ("Rien à faire : valeur corrigée à la lecture ; corrigez le fichier pour ne plus voir "
                             "ce message."),
    "quality.fix.required": "Renseignez cette valeur dans le fichier (la ligne est ignorée tant qu'elle manque).",
    "quality.fix.kind.date": "Saisissez une date (jj/mm/aaaa) ou une cellule au format date.",
    "quality.fix.kind.amount": "Saisissez un nombre (ex. 12 500,00) sans texte autour.",
    "quality.fix.kind.number": "Saisissez un nombre.",
    "quality.fix.kind.fraction": "Saisissez une probabilité entre 0 et 100 % (ex. 25 % ou 0,25).",
    "quality.fix.kind.int": "Saisissez un nombre entier.",
    "quality.fix.kind.bool": "Saisissez oui ou non.",
    "quality.fix.correct_value": "Corrigez la valeur.",
    "quality.fix.score": "Saisissez une note de 1 à 5.",
    "quality.fix.negative_amount": ("Un montant d'affaire est positif ; pour une affaire perdue, indiquez le statut "
                                    "Perdue."),
    "quality.fix.activity_types": "Utilisez Appel, RDV, RDV qualifié, Proposition, Relance, Co-visite ou Autre.",
    "quality.fix.statuses": "Utilisez En cours, Gagnée ou Perdue.",
    "quality.fix.choices": "Valeurs possibles : {choices}.",
    "quality.fix.one_of_two_dates": "Corrigez l'une des deux dates.",
    "quality.fix.spelling": "Rien à faire : orthographe corrigée à la lecture.",
    "quality.fix.missing_column": ("Ajoutez une colonne « {label} », ou indiquez son en-tête dans Paramètres : "
                                   "mapping.{table}.{column} = <en-tête du fichier>. En-têtes trouvés : {headers}."),
    "quality.fix.remove_duplicate": "Supprimez la ligne en double.",
    "quality.fix.duplicate_id": ("Gardez une seule ligne par identifiant, ou donnez-leur des identifiants "
                                 "différents."),
    "quality.fix.total_row": "Rien à faire ; évitez les totaux dans le tableau des données.",
    "quality.fix.rep_unknown": ("Choisissez le nom dans la liste déroulante, ou ajoutez ce commercial dans la feuille "
                                "Commerciaux du classeur pipeline."),
    "quality.fix.rep_list": "Choisissez le nom dans la liste déroulante.",
    "quality.fix.future_date": "Corrigez la date (souvent l'année) ; une activité se saisit une fois faite.",
    "quality.fix.already_gathered": ("Supprimez l'une des deux lignes ; chaque activité se saisit dans un seul "
                                     "classeur."),
    # how a sheet was recognised, or why it was not
    "quality.found_by.excel_table": "table Excel",
    "quality.found_by.sheet_name": "nom de feuille",
    "quality.found_by.headers": "en-têtes",
    "quality.ignored.empty": "feuille vide",
    "quality.ignored.no_header": "aucun en-tête reconnu",
    "quality.ignored.too_few_headers": "en-têtes insuffisants pour reconnaître une table",
    "quality.ignored.own_sheet": "feuille écrite par Pilotage",
    # the badge of the cockpit
    "quality.badge.ok": "Données : OK",
    "quality.badge.issues": ("Données : {errors:count|ligne exclue|lignes exclues}, "
                             "{warnings:count|correction|corrections}"),
    # the « Qualité des données » sheet
    "quality.severity.error": "Ligne exclue",
    "quality.severity.warning": "Corrigée",
    "quality.sheet.file": "Fichier : {source}",
    "quality.sheet.rows": ("{read:count|ligne lue|lignes lues}, {kept:count|gardée|gardées}, "
                           "{excluded:count|exclue|exclues}"),
    "quality.sheet.merged": "{merged:count|doublon fusionné|doublons fusionnés}",
    "quality.sheet.clean": "Aucun problème : toutes les lignes ont été lues telles quelles.",
    "quality.sheet.by_problem": "À corriger, par problème (les plus fréquents d'abord)",
    "quality.sheet.detail": "Détail, une ligne par problème trouvé",
    "quality.sheet.more": ("… et {n:count|autre|autres} : la liste complète est donnée par "
                           "« pilotage check FICHIER »."),
    "quality.header.effect": "Effet",
    "quality.header.table": "Table",
    "quality.header.column": "Colonne",
    "quality.header.problem": "Problème",
    "quality.header.count": "Nombre",
    "quality.header.first_rows": "Premières lignes",
    "quality.header.fix": "Comment corriger",
    "quality.header.sheet": "Feuille",
    "quality.header.row": "Ligne",
    "quality.header.value": "Valeur",
    # pilotage check
    "check.tables_found": "Tables reconnues :",
    "check.no_table": "Aucune table reconnue.",
    "check.table": "- {label} ({table}) ← {where}, en-têtes ligne {row} (reconnue par {how})",
    "check.rows": "  lignes : {counts}",
    "check.counts": "{read} lues, {kept} gardées, {excluded} exclues",
    "check.count.merged": ", {n:count|doublon fusionné|doublons fusionnés}",
    "check.count.totals": ", {n:count|ligne de total ignorée|lignes de total ignorées}",
    "check.column_mapped": "« {header} » → {column}",
    "check.from_settings": " (Paramètres)",
    "check.column_letter": "colonne {letter}",
    "check.extras": "gardées telles quelles (non reconnues) : {columns}",
    "check.missing_optional": "facultatives absentes : {columns}",
    "check.ignored_sheets": "Feuilles ignorées :",
    "check.ignored_sheet": "- « {sheet} » : {why}",
    "check.seen": " ; vu : {headers}",
    "check.summary": ("Bilan : {counts} ; {errors:count|erreur|erreurs}, "
                      "{warnings:count|correction|corrections}."),
    "check.errors": "Erreurs (lignes exclues) :",
    "check.warnings": "Corrections (lignes gardées) :",
    "check.group": "- [{table}{column}] {problem} : {count}",
    "check.group_column": ", colonne « {column} »",
    "check.box.sheet": "• {sheet} : {kept:count|ligne gardée|lignes gardées}, {excluded:count|exclue|exclues}",
    "check.box.example": " (ex. {sheet}!{row})",
    "check.box.problem": "✗ {problem} : {count}{example}",
    "check.box.full": "Rapport complet : pilotage check <classeur> en ligne de commande.",
    "check.box.clean": "Aucune ligne exclue : les données sont utilisables telles quelles.",
}

# the tables and their columns as the French workbook names them
MESSAGES.update({f"quality.table.{t.name}": t.sheet_fr for t in schema.TABLES.values()})
MESSAGES.update({f"quality.column.{t.name}.{c.name}": c.label_fr for t in schema.TABLES.values() for c in t.columns})
