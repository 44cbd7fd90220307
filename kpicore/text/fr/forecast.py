"""La prévision : le nom des méthodes et pourquoi l'une est affichée."""

MESSAGES = {
    "forecast.method.calibrated": "Prévision calibrée (historique de l'entreprise)",
    "forecast.method.run_rate": "Rythme des 91 derniers jours",
    "forecast.method.weighted_declared": "Pipeline pondéré par les probabilités déclarées",
    "forecast.method.blend": "Mélange calibré / rythme (poids appris sur les périodes passées)",
    # the same names inside a sentence
    "forecast.method_inline.calibrated": "prévision calibrée (historique de l'entreprise)",
    "forecast.method_inline.run_rate": "rythme des 91 derniers jours",
    "forecast.method_inline.weighted_declared": "pipeline pondéré par les probabilités déclarées",
    "forecast.method_inline.blend": "mélange calibré / rythme",
    "forecast.granularity.quarter": "trimestrielle",
    "forecast.granularity.month": "mensuelle",
    "forecast.reason.best_method": ("Backtest sur {n} prévisions passées : « {method} » a l'erreur {granularity} "
                                    "moyenne la plus faible ({error:percent} ; {others})."),
    "forecast.reason.best_shown": ("Backtest sur {n} prévisions passées : « {method} » a l'erreur {granularity} "
                                   "moyenne la plus faible entre le rythme des 91 derniers jours et le mélange "
                                   "calibré / rythme ({error:percent} ; {others})."),
    "forecast.reason.blend_within_noise": ("Backtest sur {n} prévisions passées : le mélange calibré / rythme a "
                                           "une erreur {granularity} moyenne de {error:percent}, le rythme des 91 "
                                           "derniers jours {run_rate:percent} ; un écart dans le bruit de la mesure "
                                           "(±{noise:percent}) : le mélange reste affiché tant que le rythme ne fait "
                                           "pas mieux au-delà du hasard."),
    "forecast.reason.best_method_alone": ("Backtest sur {n} prévisions passées : « {method} » a une erreur "
                                          "{granularity} moyenne de {error:percent}."),
    "forecast.reason.other_method": "{method} {error:percent}",
    "forecast.reason.short_history": ("Historique trop court pour un backtest : le rythme des 91 derniers jours "
                                      "est affiché faute de preuve qu'une autre méthode fait mieux."),
    "forecast.reason.forced": "Méthode imposée par l'utilisateur.",
    "forecast.list": "{first}, {rest}",
    "forecast.note.declared_probabilities": "Historique insuffisant pour calibrer : probabilités déclarées utilisées.",
    "forecast.note.range_widened": ("Fourchette P10–P90 élargie par l'erreur mesurée sur {periods} périodes passées "
                                    "(la simulation seule ne contient pas l'erreur du modèle)."),
    "forecast.reach.came_true": ("Fiabilité mesurée : quand Pilotage annonçait environ {around:percent}, "
                                 "l'objectif a été atteint {reached} fois sur {n}."),
    "forecast.reach.beats": ("Fiabilité mesurée sur {n} prévisions passées : plus juste que la part des périodes "
                             "qui ont atteint leur objectif (score de Brier {brier:number2} contre "
                             "{brier_reference:number2})."),
    "forecast.reach.not_shown": ("Probabilité non affichée : rejouée sur {n} prévisions passées, elle ne fait pas "
                                 "mieux que la part des périodes passées qui ont atteint leur objectif "
                                 "({reference:percent})."),
}
