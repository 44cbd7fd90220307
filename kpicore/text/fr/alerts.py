"""Alerts (``kpicore.metrics.alerts``): the title, detail and action of each kind, their parts, severities."""

MESSAGES = {
    "alert.severity.high": "Haute",
    "alert.severity.medium": "Moyenne",
    "alert.severity.low": "Faible",

    "alert.low_conversion.title": "{scope} : transformation des propositions à {conversion:percent}",
    "alert.low_conversion.detail": (
        "{won:count|affaire gagnée|affaires gagnées} sur "
        "{decided:count|proposition décidée|propositions décidées} depuis le {since:date}, sous le seuil de {threshold:percent}.{missed}{covisits}"),
    "alert.low_conversion.missed": " Au seuil, environ {stake:money} de plus auraient été signés.",
    "alert.low_conversion.covisits": (" Co-visites : découverte {discovery:number1}/5, pertinence "
                                      "{relevance:number1}/5 ({count:count|co-visite|co-visites})."),
    "alert.low_conversion.action": ("Revoir le ciblage et la proposition de valeur : relire les dernières "
                                    "propositions perdues avec le commercial et planifier une co-visite sur la "
                                    "prochaine."),

    "alert.meetings_falling.title": "{scope} : RDV qualifiés en baisse de {drop:percent}",
    "alert.meetings_falling.detail": (
        "RDV qualifiés par semaine : {now:number1} sur les 4 dernières semaines contre {before:number1} sur les "
        "8 précédentes, soit environ {lost:count|RDV perdu|RDV perdus}.{impact}"),
    "alert.meetings_falling.impact": (
        " À ce rythme, le prochain trimestre comptera environ {quarter_lost:int} RDV de moins : {stake:money} "
        "de CA en moins entre le {lands_from:date} et le {lands_to:date}."),
    "alert.meetings_falling.action": ("Relancer la prospection cette semaine : fixer un objectif de RDV qualifiés "
                                      "par jour, bloquer des créneaux de prospection et suivre le rythme au point "
                                      "hebdo."),

    "alert.few_proposals.title": "{scope} : beaucoup de RDV, peu de propositions",
    "alert.few_proposals.detail": (
        "{meetings:count|RDV qualifié|RDV qualifiés} et {proposals:count|proposition|propositions} sur 91 jours : "
        "{ratio:number2} proposition par RDV contre {reference:number2} pour {rest}.{impact}"),
    "alert.few_proposals.rest_team": "le reste de l'équipe {team}",
    "alert.few_proposals.rest_company": "le reste de l'entreprise",
    "alert.few_proposals.impact": (" Il manque ainsi environ {missing:count|proposition|propositions} par "
                                   "trimestre, soit {stake:money} de CA."),
    "alert.few_proposals.action": ("Vérifier la qualification des RDV (besoin, budget, décideur, échéance) et "
                                   "accompagner le commercial en co-visite sur la conclusion des RDV."),

    "alert.deal_size_falling.title": "{scope} : panier moyen en baisse de {drop:percent}",
    "alert.deal_size_falling.detail": (
        "{now:money} sur les 3 derniers mois ({won:count|affaire|affaires}) contre {before:money} sur les 6 mois "
        "précédents, soit {stake:money} de moins sur ces affaires."),
    "alert.deal_size_falling.action": ("Chercher une guerre des prix : revoir les remises accordées et les affaires "
                                       "perdues sur le prix, défendre la valeur plutôt que baisser le prix."),

    "alert.cycle_lengthening.title": "{scope} : cycle de vente allongé de {rise:percent}",
    "alert.cycle_lengthening.detail": ("Durée médiane de {now:count|jour|jours} sur les 3 derniers mois contre "
                                       "{before:count|jour|jours} sur les 6 mois précédents."),
    "alert.cycle_lengthening.action": ("Revoir la qualification et le suivi : fixer une prochaine étape datée à "
                                       "chaque affaire et relancer celles sans activité récente."),

    "alert.behind_target.title": "{scope} : en retard sur {target}",
    "alert.behind_target.month": "l'objectif de {month}",
    "alert.behind_target.quarter": "l'objectif du {quarter}",
    "alert.behind_target.both": "les objectifs de {month} et du {quarter}",
    "alert.behind_target.detail": "Au {as_of:date} : {parts}.",
    "alert.behind_target.part": ("{period}, {won:money} signés sur {pace:money} attendus à ce jour (objectif "
                                 "{target:money}, {share:percent} de la période écoulée)"),
    "alert.behind_target.parts": "{month} ; {quarter}",
    "alert.behind_target.action": ("Revoir le pipeline à signer dans la période avec le commercial : prioriser "
                                   "les affaires en négociation et avancer les prochaines étapes."),
}
