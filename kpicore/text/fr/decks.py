"""The ritual decks (ritual_decks): titles, table headers, chart names, notes and footers."""

MESSAGES = {
    # units of the tables' cells, tied to their figure by a no-break space
    "decks.unit.days": "{n:int}\u00a0j",
    "decks.unit.times": "{x:number1}\u00a0×",
    "decks.list.separator": ", ",
    # words both decks share
    "decks.head.kpi": "Indicateur",
    "decks.head.actual": "Réalisé",
    "decks.head.target": "Objectif",
    "decks.head.status": "État",
    "decks.head.deal": "Affaire",
    "decks.head.rep": "Commercial",
    "decks.head.stage": "Étape",
    "decks.head.stages": "Étapes",
    "decks.head.since": "Depuis",
    "decks.head.amount": "Montant",
    "decks.head.number": "N°",
    "decks.head.at_stake": "En jeu",
    "decks.head.reasons": "Raisons",
    "decks.head.reason": "Motif",
    "decks.head.decided_on": "Décidée le",
    "decks.head.ritual": "Rituel",
    "decks.head.decision": "Décision",
    "decks.head.owner": "Responsable",
    "decks.head.due": "Échéance",
    "decks.head.scope": "Périmètre",
    "decks.head.month_revenue": "CA du mois",
    "decks.head.attainment": "Atteinte",
    "decks.head.ytd_revenue": "CA cumulé",
    "decks.head.ytd_target": "Obj. cumulé",
    "decks.head.ytd_attainment": "Att. cumulée",
    "decks.head.conversion": "Transformation",
    "decks.head.covisits": "Co-visites",
    "decks.head.discovery": "Découverte",
    "decks.head.relevance": "Pertinence",
    "decks.head.satisfaction": "Satisfaction",
    "decks.series.actual": "Réalisé",
    "decks.series.target": "Objectif",
    "decks.series.amount": "Montant",
    "decks.status.on_target": "atteint",
    "decks.status.near_target": "proche",
    "decks.status.below_target": "en dessous",
    "decks.severity.high": "Haute",
    "decks.severity.medium": "Moyenne",
    "decks.severity.low": "Faible",
    "decks.waterfall.base": "Base",
    "decks.waterfall.up": "Hausse",
    "decks.waterfall.down": "Baisse",
    "decks.waterfall.total": "Total",
    "decks.ritual.weekly": "hebdo",
    "decks.ritual.monthly": "mensuel",
    "decks.ritual.quarterly": "trimestriel",
    # the forecast slide (the month's in the weekly deck, the quarter's in the monthly one)
    "decks.forecast.title": "{what} : prévision {shown:money} (P10 {p10:money} – P90 {p90:money}) "
                            "pour {target:money} d'objectif",
    "decks.forecast.title_no_target": "{what} : prévision {shown:money} (P10 {p10:money} – P90 {p90:money}), "
                                      "sans objectif",
    "decks.forecast.footer": "Prévision au {as_of:date} · {n:int} tirages Monte-Carlo",
    "decks.forecast.won_to_date": "Signé à date",
    "decks.forecast.shown": "Prévision retenue",
    "decks.forecast.probability": "Probabilité d'atteindre l'objectif",
    "decks.forecast.no_target": "sans objectif",
    "decks.forecast.probability_not_shown": "non affichée",
    "decks.forecast.method": "Méthode affichée",
    "decks.forecast.gap": "Écart prévision – objectif",
    # open actions and this review's decisions
    "decks.actions.title": "{n:count|action ouverte|actions ouvertes}, dont {late:int} en retard",
    "decks.actions.title_none_late": "{n:count|action ouverte|actions ouvertes}, aucune en retard",
    "decks.actions.none_title": "Aucune action ouverte des rituels précédents",
    "decks.actions.footer": "Source : feuille Actions (statut « open »)",
    "decks.actions.none": "Aucune action ouverte : toutes les décisions précédentes sont soldées.",
    "decks.actions.late": "en retard",
    "decks.actions.due": "à tenir",
    "decks.decisions.title": "Décisions de cette revue",
    "decks.decisions.footer": "À reporter dans la feuille Actions (rituel : {ritual}), avec un responsable "
                              "et une échéance",
    # the weekly pipeline review
    "decks.weekly.title": "Revue hebdomadaire du pipeline",
    "decks.weekly.subtitle": "{company} · {week} · données au {as_of:date}",
    "decks.weekly.kpi.revenue_won": "CA signé du mois",
    "decks.weekly.kpi.qualified_meetings_per_week": "RDV qualifiés / semaine",
    "decks.weekly.kpi.proposals_per_month": "Propositions / mois (semaine)",
    "decks.weekly.kpi.proposal_conversion": "Transformation des propositions",
    "decks.weekly.kpi.average_deal_size": "Panier moyen (mois)",
    "decks.weekly.kpi.sales_cycle_days": "Cycle de vente médian (mois)",
    "decks.weekly.kpi.coverage": "Couverture du reste à faire",
    "decks.weekly.kpis.title": "{month} : {won:money} signés sur {target:money} d'objectif ({share:percent}) "
                               "au {as_of:date}",
    "decks.weekly.kpis.title_no_target": "{month} : {won:money} signés au {as_of:date}",
    "decks.weekly.kpis.pace": " · état : réalisé contre l'objectif au prorata des jours écoulés "
                              "(CA : {due:money} à date)",
    "decks.weekly.kpis.footer": "{week} : du {start:date} au {end:date}{pace} · objectifs de la feuille Objectifs",
    "decks.weekly.alerts": "Alertes prioritaires",
    "decks.weekly.no_alert": "Aucune alerte cette semaine.",
    "decks.movement.at": "Au {day:day}",
    "decks.move.new": "Nouvelles affaires",
    "decks.move.pulled_in": "Avancées dans la période",
    "decks.move.reopened": "Réouvertes",
    "decks.move.increased": "Montants augmentés",
    "decks.move.decreased": "Montants réduits",
    "decks.move.won": "Gagnées",
    "decks.move.lost": "Perdues",
    "decks.move.slipped_out": "Glissées hors période",
    "decks.movement.title": "Pipeline de {month} : {start:money} → {end:money} ({change:money+}) "
                            "depuis le {since:date}",
    "decks.movement.from_snapshot": "dernier instantané",
    "decks.movement.rebuilt": "pipeline reconstitué une semaine plus tôt (premier passage)",
    "decks.movement.still": " · sans mouvement : {moves}",
    "decks.movement.footer": "Départ : {origin} · affaires ouvertes dont la signature est prévue en {month}{still}",
    "decks.stalled.title": "{advanced:count|affaire a|affaires ont} avancé depuis le {since:date}, "
                           "{stalled:count|est|sont} à l'arrêt",
    "decks.stalled.footer": "Avancée : étape plus loin qu'au départ (gagnée comprise) · à l'arrêt : bloquée "
                            "dans l'étape ou sans activité plus longtemps que {share:percent} des affaires",
    "decks.stalled.advanced_head": "Ont avancé",
    "decks.stalled.stalled_head": "À l'arrêt",
    "decks.stalled.none_advanced": "Aucune affaire n'a avancé.",
    "decks.stalled.none_stalled": "Aucune affaire à l'arrêt.",
    "decks.stalled.in_stage": "{days} dans l'étape",
    "decks.stalled.no_activity": "{days} sans activité",
    "decks.reason.close_date_passed": "date dépassée de {days}",
    "decks.reason.no_activity": "sans activité depuis {days}",
    "decks.reason.stuck_in_stage": "bloquée depuis {days}",
    "decks.reason.close_date_pushed": "repoussée {n:int} fois",
    "decks.reason.amount_cut": "montant réduit de {cut:percent}",
    "decks.reason.no_next_step": "pas de prochaine étape",
    "decks.reason.separator": " ; ",
    "decks.risks.none_title": "Aucune affaire à risque cette semaine",
    "decks.risks.none": "Aucune affaire ouverte ne présente de signal de risque.",
    "decks.risks.title": "{n:count|affaire|affaires} à risque : {value:money} de valeur pondérée en jeu",
    "decks.risks.note": "Classées par valeur en jeu (montant × probabilité calibrée) · {shown:int} premières "
                        "sur {n:int}",
    "decks.activity.proposals": "Propositions / mois",
    "decks.activity.title_reps": "Activité de la semaine : {below:int} sur {n:count|commercial|commerciaux} "
                                 "sous l'objectif de RDV qualifiés",
    "decks.activity.title_teams": "Activité de la semaine : {below:int} sur {n:count|équipe|équipes} "
                                  "sous l'objectif de RDV qualifiés",
    "decks.activity.footer": "{week}, du {start:date} au {end:date} : rythmes ramenés à la semaine et au mois "
                             "sur les jours écoulés",
    # the monthly executive review
    "decks.monthly.not_a_month": "la revue mensuelle porte sur un mois : « {period} » n'en est pas un "
                                 "(écrivez 2026-10).",
    "decks.monthly.title": "Revue mensuelle commerciale · {month}",
    "decks.monthly.subtitle": "{company} · comité de direction · données au {as_of:date}",
    "decks.monthly.revenue.title": "{month} : {won:money} signés, {share:percent} de l'objectif ; "
                                   "cumul annuel {ytd}",
    "decks.monthly.revenue.title_no_target": "{month} : {won:money} signés",
    "decks.monthly.revenue.footer": "CA signé : montants des affaires gagnées dans le mois (date de signature) · "
                                    "objectifs de la feuille Objectifs",
    "decks.monthly.revenue.series": "CA signé",
    "decks.monthly.revenue.target": "objectif {target:money}",
    "decks.monthly.revenue.share": "{share:percent} de l'objectif",
    "decks.monthly.revenue.ytd": "Cumul {first} – {last}",
    "decks.monthly.kpi.qualified_meetings_per_week": "RDV qualifiés / semaine",
    "decks.monthly.kpi.proposals_per_month": "Propositions / mois",
    "decks.monthly.kpi.proposal_conversion": "Transformation proposition → commande (%)",
    "decks.monthly.kpi.average_deal_size": "Panier moyen",
    "decks.monthly.kpi.sales_cycle_days": "Cycle de vente médian (jours)",
    "decks.monthly.kpi_name.qualified_meetings_per_week": "RDV qualifiés / semaine",
    "decks.monthly.kpi_name.proposals_per_month": "Propositions / mois",
    "decks.monthly.kpi_name.proposal_conversion": "Transformation proposition → commande",
    "decks.monthly.kpi_name.average_deal_size": "Panier moyen",
    "decks.monthly.kpi_name.sales_cycle_days": "Cycle de vente médian",
    "decks.monthly.five.title": "Les cinq indicateurs sur 12 mois : {worse:int} en recul en {month}",
    "decks.monthly.five.title_none": "Les cinq indicateurs sur 12 mois : aucun en recul en {month}",
    "decks.monthly.five.footer": "Deux indicateurs d'activité (avance de 60 à 90 jours sur le CA) et trois de "
                                 "résultat · pointillés : objectif",
    "decks.monthly.five.note": "À retenir",
    "decks.monthly.five.line": "{kpi} : {now} (mois précédent {before})",
    "decks.monthly.driver.qualified_meetings": "RDV qualifiés",
    "decks.monthly.driver.apparent_meeting_to_proposal": "Propositions / RDV",
    "decks.monthly.driver.apparent_proposal_to_won": "Gagnées / proposition",
    "decks.monthly.driver.average_deal_size": "Panier moyen",
    "decks.monthly.driver_phrase.qualified_meetings": "les RDV qualifiés",
    "decks.monthly.driver_phrase.apparent_meeting_to_proposal": "les propositions par RDV",
    "decks.monthly.driver_phrase.apparent_proposal_to_won": "les affaires gagnées par proposition",
    "decks.monthly.driver_phrase.average_deal_size": "le panier moyen",
    "decks.monthly.tree.head": "L'arbre des indicateurs",
    "decks.monthly.tree.formula": "CA = RDV qualifiés × propositions par RDV × affaires gagnées par proposition × "
                                  "panier moyen, chaque compte pris dans la même période (taux apparents, distincts "
                                  "de la transformation proposition → commande).",
    "decks.monthly.tree.shapley": "Chaque barre est la contribution exacte d'un facteur (valeurs de Shapley) : "
                                  "leur somme est l'écart.",
    "decks.monthly.tree.residual_short": "Hors arbre",
    "decks.monthly.tree.residual": " · hors arbre (entonnoir rompu dans la période) : {residual:money+}",
    "decks.monthly.tree.previous_title": "De {before} à {month} : {gap:money+} de CA, surtout {driver} "
                                         "({contribution:money+})",
    "decks.monthly.tree.previous_footer": "Écart de CA entre {before} et {month}, réparti entre les facteurs"
                                          "{residual}",
    "decks.monthly.tree.target_title": "{month} contre objectif : {gap:money+}, surtout {driver} "
                                       "({contribution:money+})",
    "decks.monthly.tree.target_footer": "Arbre de l'objectif : objectifs de RDV, de propositions et de panier de la "
                                        "feuille Objectifs ; le taux de gain est celui qui donne l'objectif de CA",
    "decks.monthly.attainment.title": "Atteinte de l'objectif en {month} : {below:int} sur "
                                      "{n:count|commercial|commerciaux} ne l'ont pas atteint",
    "decks.monthly.attainment.footer": "Équipes en gras, puis les commerciaux du moins au plus avancé",
    "decks.monthly.attainment.cut": " · {cut:count|commercial parmi les plus avancés non affiché|commerciaux "
                                    "les plus avancés non affichés}",
    "decks.monthly.accuracy.none_title": "Précision des prévisions : pas encore de trimestre mesurable",
    "decks.monthly.accuracy.none": "Historique trop court : aucun trimestre passé ne peut encore être rejoué.",
    "decks.monthly.accuracy.title": "Prévision du premier jour du trimestre : erreur moyenne {mape:percent}, "
                                    "{within_10:percent} des trimestres à ±10 %, biais {bias:percent+}",
    "decks.monthly.accuracy.footer": "Backtest : {n:int} dates rejouées · erreur de la prévision du 1er jour "
                                     "ouvré, en % du réalisé · {within_5:percent} des trimestres à ±5 % · "
                                     "réalisé dans P10–P90 {inside:percent} du temps",
    "decks.monthly.covisits.title": "{rep} : transformation à {conversion:percent}, découverte notée "
                                    "{discovery:number1}/5 en co-visite",
    "decks.monthly.covisits.title_no_visit": "{rep} : transformation à {conversion:percent}, sans co-visite",
    "decks.monthly.covisits.title_none": "Transformation et co-visites : aucun commercial sous {threshold:percent}",
    "decks.monthly.covisits.footer": "{months:int} derniers mois ({start:date} – {end:date}) · du plus faible taux "
                                     "de transformation au plus fort · notes de 1 à 5 · en couleur : transformation "
                                     "< {threshold:percent}, découverte < 3",
    "decks.monthly.wins.title": "{won:count|affaire gagnée|affaires gagnées} ({won_amount:money}), "
                                "{lost:count|perdue|perdues} ({lost_amount:money}) en {month}",
    "decks.monthly.wins.footer": "Les {n:int} plus gros montants de chaque côté",
    "decks.monthly.wins.won_head": "Plus grosses signatures",
    "decks.monthly.wins.lost_head": "Plus grosses pertes",
    "decks.monthly.wins.none_won": "Aucune affaire gagnée ce mois-ci.",
    "decks.monthly.wins.none_lost": "Aucune affaire perdue ce mois-ci.",
    # the quarterly review (revue trimestrielle, for the executive committee)
    "decks.quarterly.not_a_quarter": "la revue trimestrielle porte sur un trimestre : « {period} » n'en est pas "
                                     "un (écrivez 2026-Q3).",
    "decks.quarterly.title": "Revue trimestrielle commerciale · {quarter}",
    "decks.quarterly.subtitle": "{company} · comité de direction · données au {as_of:date}",
    "decks.quarterly.revenue.title": "{quarter} : {won:money} signés, {share:percent} de l'objectif ; "
                                     "cumul de l'exercice {ytd}",
    "decks.quarterly.revenue.title_no_target": "{quarter} : {won:money} signés",
    "decks.quarterly.revenue.footer": "CA signé : montants des affaires gagnées dans le trimestre (date de "
                                      "signature) · objectifs de la feuille Objectifs",
    "decks.quarterly.revenue.ytd": "Cumul {first} – {last}",
    "decks.quarterly.five.title": "Les cinq indicateurs sur 8 trimestres : {worse:int} en recul au {quarter}",
    "decks.quarterly.five.title_none": "Les cinq indicateurs sur 8 trimestres : aucun en recul au {quarter}",
    "decks.quarterly.five.line": "{kpi} : {now} (trimestre précédent {before})",
    "decks.quarterly.head.quarter_revenue": "CA du trim.",
    "decks.quarterly.attainment.title": "Atteinte de l'objectif au {quarter} : {at:int} sur "
                                        "{n:count|commercial|commerciaux} à l'objectif ({share:percent})",
    "decks.quarterly.attainment.title_no_target": "Atteinte de l'objectif au {quarter} : aucun commercial n'a "
                                                  "d'objectif de CA",
    "decks.quarterly.accuracy.none_title": "Précision de la prévision du {quarter} : non mesurable",
    "decks.quarterly.accuracy.none": "Historique trop court : le {quarter} n'a pas encore pu être rejoué.",
    "decks.quarterly.accuracy.title": "{quarter} : prévu {day_one:money} le 1er jour ({day_one_error:percent+}), "
                                      "{mid:money} à mi-trimestre ({mid_error:percent+}), réalisé {actual:money}",
    "decks.quarterly.accuracy.title_day_one": "{quarter} : prévu {day_one:money} le 1er jour "
                                              "({day_one_error:percent+}), réalisé {actual:money}",
    "decks.quarterly.accuracy.footer": "Backtest : la prévision affichée ({method}) rejouée sur le pipeline tel "
                                       "qu'il était · erreur en % du réalisé · mi-trimestre : dernière date "
                                       "rejouée avant le milieu du trimestre",
    "decks.quarterly.accuracy.day_one": "Premier jour ouvré ({as_of:date})",
    "decks.quarterly.accuracy.mid": "Mi-trimestre ({as_of:date})",
    "decks.quarterly.accuracy.figure": "{predicted:money} · erreur {error:percent+}",
    "decks.quarterly.accuracy.range": "Fourchette P10–P90 : {p10:money} – {p90:money}",
    "decks.quarterly.accuracy.inside": "réalisé dans la fourchette",
    "decks.quarterly.accuracy.outside": "réalisé hors de la fourchette",
    "decks.quarterly.accuracy.missing": "pas de prévision rejouée",
    "decks.quarterly.accuracy.actual": "Réalisé : {actual:money}",
    "decks.quarterly.accuracy.series_day_one": "1er jour",
    "decks.quarterly.accuracy.series_mid": "Mi-trimestre",
    "decks.quarterly.results.title": "Résultats mesurés sur votre historique : prévision à ±{now:percent} "
                                     "au lieu de ±{before:percent}",
    "decks.quarterly.results.title_short": "Résultats de la méthode, mesurés sur votre historique",
    "decks.quarterly.results.footer": "Erreur moyenne de la prévision du trimestre à chaque date rejouée, en % "
                                      "du réalisé · risques : règles de risque rejouées chaque semaine sur le "
                                      "pipeline tel qu'il était",
    "decks.quarterly.results.head.result": "Résultat",
    "decks.quarterly.results.head.before": "Avant",
    "decks.quarterly.results.head.now": "Avec Pilotage",
    "decks.quarterly.results.head.basis": "Mesuré sur",
    "decks.quarterly.results.precision": "Précision de la prévision du trimestre",
    "decks.quarterly.results.precision_before": "±{error:percent} (probabilités déclarées)",
    "decks.quarterly.results.precision_now": "±{error:percent} ({method})",
    "decks.quarterly.results.precision_basis": "{quarters:count|trimestre rejoué|trimestres rejoués}, "
                                               "{n:count|prévision|prévisions} par méthode",
    "decks.quarterly.results.precision_short": "Non mesurable : {quarters:count|trimestre rejoué|trimestres "
                                               "rejoués}, il en faut {needed:int}",
    "decks.quarterly.results.warning": "Affaires perdues ou glissées vues à risque",
    "decks.quarterly.results.warning_before": "à la perte ou en fin de trimestre",
    "decks.quarterly.results.warning_now": "{flagged:int} sur {n:int}, {weeks:number1} semaines avant "
                                           "(médiane)",
    "decks.quarterly.results.warning_none_flagged": "aucune des {n:int} signalée avant",
    "decks.quarterly.results.warning_basis": "{quarter}, {weeks:count|semaine rejouée|semaines rejouées}",
    "decks.quarterly.results.warning_empty": "Non mesurable : aucune affaire perdue ni glissée au {quarter}",
    "decks.quarterly.results.reps": "Commerciaux à l'objectif de CA",
    "decks.quarterly.results.reps_figure": "{quarter} : {share:percent} ({at:int} sur {n:int})",
    "decks.quarterly.results.reps_none": "{quarter} : non mesurable (aucun objectif)",
    "decks.quarterly.results.reps_basis": "même trimestre un an avant, et ce trimestre",
    "decks.quarterly.warnings.title": "{flagged:int} sur {n:count|affaire perdue ou glissée|affaires perdues ou "
                                      "glissées} signalées à risque, {weeks:number1} semaines avant (médiane)",
    "decks.quarterly.warnings.title_none_flagged": "{n:count|affaire perdue ou glissée|affaires perdues ou "
                                                   "glissées}, aucune signalée à risque avant",
    "decks.quarterly.warnings.none_title": "Aucune affaire perdue ni glissée au {quarter}",
    "decks.quarterly.warnings.none": "Aucune affaire n'a été perdue ni n'a glissé hors du trimestre.",
    "decks.quarterly.warnings.footer": "Perdue : date de perte · glissée : date où la signature prévue est "
                                       "sortie du trimestre · signalée : première semaine où une règle de risque "
                                       "l'a relevée · les plus gros montants d'abord",
    "decks.quarterly.warnings.lost": "perdue",
    "decks.quarterly.warnings.slipped": "glissée",
    "decks.quarterly.warnings.not_flagged": "non signalée",
    "decks.quarterly.head.outcome": "Issue",
    "decks.quarterly.head.event_on": "Le",
    "decks.quarterly.head.flagged_on": "Signalée le",
    "decks.quarterly.head.weeks_before": "Semaines avant",
    "decks.quarterly.head.first_reason": "Premier signal",
    "decks.quarterly.next": "Prochain trimestre ({quarter})",
    # a client's PowerPoint template that cannot be used
    "decks.template.missing": "modèle PowerPoint « {path} » introuvable : donnez le chemin d'un fichier .pptx.",
    "decks.template.not_office": "ce n'est pas un modèle PowerPoint (.pptx) : le fichier n'est pas une archive "
                                 "Office",
    "decks.template.not_office_fix": "enregistrez le modèle depuis PowerPoint au format .pptx et donnez ce fichier.",
    "decks.template.unreadable": "« {name} » n'est pas un modèle PowerPoint lisible (.pptx) : {error}",
    # the command line and the ribbon: a deck's name and what a run says
    "decks.kind.weekly": "Revue hebdo",
    "decks.kind.monthly": "Revue mensuelle",
    "decks.kind.quarterly": "Revue trimestrielle",
    "decks.created": "Présentation créée : {path}",
    "decks.progress": "{kind} au {as_of:date}…",
    "decks.unknown_kind": "deck « {kind} » inconnu : choisissez weekly (hebdo), monthly (mensuel) ou quarterly (trimestriel).",
}
