"""La feuille « Correspondances » : pour chaque table lue, l'en-tête retenu pour chaque colonne, comment et
avec quelle certitude, et le choix de la personne ; puis les libellés (types d'activité, étapes, statuts) et
les variantes d'un même nom."""

from kpicore.model import schema

MESSAGES = {
    "correspondences.sheet.title": "Correspondances",
    "correspondences.sheet.intro": ("Comment Pilotage a lu vos tableaux. Pour corriger une lecture, choisissez dans "
                                    "la colonne « Votre choix » puis actualisez : votre choix l'emporte toujours "
                                    "et reste en place aux actualisations suivantes."),
    "correspondences.sheet.guesses_first": ("Les colonnes devinées, les colonnes obligatoires introuvables et "
                                            "les choix dont l'en-tête a disparu sont en tête de liste."),
    "correspondences.section.columns": "Colonnes",
    "correspondences.section.labels": "Libellés",
    "correspondences.section.names": "Noms qui semblent désigner la même personne",
    "correspondences.header.table": "Table",
    "correspondences.header.sheet": "Feuille",
    "correspondences.header.column": "Colonne Pilotage",
    "correspondences.header.chosen": "En-tête retenu",
    "correspondences.header.how": "Comment",
    "correspondences.header.confidence": "Certitude",
    "correspondences.header.evidence": "Indices",
    "correspondences.header.runner_up": "Autre candidat",
    "correspondences.header.choice": "Votre choix",
    "correspondences.header.label": "Libellé du fichier",
    "correspondences.header.count": "Lignes",
    "correspondences.header.value": "Lu comme",
    "correspondences.header.names": "Noms rencontrés",
    "correspondences.header.proposed": "Nom proposé",
    "correspondences.header.merge": "Fusionner ?",
    "correspondences.how.person": "votre choix",
    "correspondences.how.setting": "paramètre",
    "correspondences.how.synonym": "en-tête connu",
    "correspondences.how.evidence": "indices",
    "correspondences.how.derived": "calculée",
    "correspondences.how.guess": "devinée",
    "correspondences.how.missing": "introuvable",
    "correspondences.how.unmapped": "non reconnu",
    "correspondences.none": "(aucune)",
    "correspondences.required_missing": "obligatoire, introuvable",
    "correspondences.not_found": "—",
    "correspondences.vanished": "en-tête introuvable : « {header} »",
    "correspondences.runner_up": "{header} ({confidence:percent})",
    "correspondences.list": "{first} ; {rest}",
    "correspondences.yes": "oui",
    "correspondences.no": "non",
    "correspondences.names": "{first}\n{rest}",
    "correspondences.validation.title": "Votre choix",
    "correspondences.validation.column": "Choisissez l'en-tête de votre fichier qui tient cette colonne, "
                                         "ou (aucune).",
    "correspondences.validation.label": "Choisissez ce que ce libellé veut dire.",
    "correspondences.validation.merge": "oui : ces noms désignent une seule personne.",
    "correspondences.validation.error": "Choisissez une valeur de la liste.",
    "correspondences.value.status.open": "en cours",
    "correspondences.value.status.won": "gagnée",
    "correspondences.value.status.lost": "perdue",
}
MESSAGES.update({f"correspondences.value.type.{t}": label for t, label in {
    "call": "appel", "meeting": "rendez-vous", "qualified_meeting": "rendez-vous qualifié",
    "proposal": "proposition", "follow_up": "relance", "co_visit": "visite accompagnée", "other": "autre"}.items()})
assert set(schema.ACTIVITY_TYPES) == {c.rsplit(".", 1)[1] for c in MESSAGES if c.startswith("correspondences.value.type.")}
