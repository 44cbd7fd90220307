"""Les affaires à risque : le nom court de chaque raison, puis la raison avec ses chiffres."""

MESSAGES = {
    "risk.reason.close_date_passed": "Date de signature prévue dépassée",
    "risk.reason.no_activity": "Pas d'activité depuis trop longtemps",
    "risk.reason.stuck_in_stage": "Bloquée dans l'étape",
    "risk.reason.close_date_pushed": "Date de signature repoussée",
    "risk.reason.amount_cut": "Montant réduit",
    "risk.reason.no_next_step": "Pas de prochaine étape",
    "risk.detail.close_date_passed": "Date de signature prévue dépassée de {days:count|jour|jours}",
    "risk.detail.no_activity": ("Aucune activité depuis {days:count|jour|jours} (habituel {stage} : "
                                "{limit:number} jours au plus pour {share:percent} des affaires)"),
    "risk.detail.stuck_in_stage": ("Bloquée {stage} depuis {days:count|jour|jours} ({share:percent} des affaires "
                                   "en sortent en {limit:number} jours)"),
    "risk.detail.close_date_pushed": "Date de signature repoussée {pushes} fois",
    "risk.detail.amount_cut": "Montant réduit de {cut:percent} (de {before:money} à {after:money})",
    "risk.detail.no_next_step": "Pas de prochaine étape",
    "risk.stage.named": "en {name}",
    "risk.stage.unknown": "à son étape",
    "risk.list": "{first} ; {rest}",
}
