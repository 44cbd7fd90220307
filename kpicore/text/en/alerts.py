"""Alerts (``kpicore.metrics.alerts``): the title, detail and action of each kind, their parts, severities."""

MESSAGES = {
    "alert.severity.high": "High",
    "alert.severity.medium": "Medium",
    "alert.severity.low": "Low",

    "alert.low_conversion.title": "{scope}: proposal conversion at {conversion:percent}",
    "alert.low_conversion.detail": (
        "{won:count|deal won|deals won} out of {decided:count|proposal decided|proposals decided} since "
        "{since:date}, below the {threshold:percent} threshold.{missed}{covisits}"),
    "alert.low_conversion.missed": " At the threshold, about {stake:money} more would have been signed.",
    "alert.low_conversion.covisits": (" Co-visits: discovery {discovery:number1}/5, relevance {relevance:number1}/5 "
                                      "({count:count|co-visit|co-visits})."),
    "alert.low_conversion.action": ("Review the targeting and the value proposition: go over the latest lost "
                                    "proposals with the rep and plan a co-visit on the next one."),

    "alert.meetings_falling.title": "{scope}: qualified meetings down {drop:percent}",
    "alert.meetings_falling.detail": (
        "Qualified meetings a week: {now:number1} over the last 4 weeks against {before:number1} over the 8 weeks "
        "before, about {lost:count|meeting|meetings} lost.{impact}"),
    "alert.meetings_falling.impact": (
        " At this pace, the next quarter will hold about {quarter_lost:int} fewer meetings: {stake:money} less "
        "revenue between {lands_from:date} and {lands_to:date}."),
    "alert.meetings_falling.action": ("Restart prospecting this week: set a daily target of qualified meetings, "
                                      "block time slots for prospecting and follow the pace at the weekly review."),

    "alert.few_proposals.title": "{scope}: many meetings, few proposals",
    "alert.few_proposals.detail": (
        "{meetings:count|qualified meeting|qualified meetings} and {proposals:count|proposal|proposals} over 91 "
        "days: {ratio:number2} proposals per meeting against {reference:number2} for {rest}.{impact}"),
    "alert.few_proposals.rest_team": "the rest of team {team}",
    "alert.few_proposals.rest_company": "the rest of the company",
    "alert.few_proposals.impact": (" About {missing:count|proposal|proposals} are missing each quarter: "
                                   "{stake:money} of revenue."),
    "alert.few_proposals.action": ("Check how meetings are qualified (need, budget, decision-maker, timing) and "
                                   "join the rep on a co-visit to see how they close their meetings."),

    "alert.deal_size_falling.title": "{scope}: average deal size down {drop:percent}",
    "alert.deal_size_falling.detail": (
        "{now:money} over the last 3 months ({won:count|deal|deals}) against {before:money} over the 6 months "
        "before, {stake:money} less on these deals."),
    "alert.deal_size_falling.action": ("Look for a price war: review the discounts granted and the deals lost on "
                                       "price, and defend the value rather than cut the price."),

    "alert.cycle_lengthening.title": "{scope}: sales cycle {rise:percent} longer",
    "alert.cycle_lengthening.detail": ("Median length of {now:count|day|days} over the last 3 months against "
                                       "{before:count|day|days} over the 6 months before."),
    "alert.cycle_lengthening.action": ("Review qualification and follow-up: set a dated next step on every deal "
                                       "and chase the ones with no recent activity."),

    "alert.behind_target.title": "{scope}: behind {target}",
    "alert.behind_target.month": "the {month} target",
    "alert.behind_target.quarter": "the {quarter} target",
    "alert.behind_target.both": "the {month} and {quarter} targets",
    "alert.behind_target.detail": "As of {as_of:date}: {parts}.",
    "alert.behind_target.part": ("{period}, {won:money} signed against {pace:money} due by now (target "
                                 "{target:money}, {share:percent} of the period elapsed)"),
    "alert.behind_target.parts": "{month}; {quarter}",
    "alert.behind_target.action": ("Review the pipeline due to close in the period with the rep: put the deals in "
                                   "negotiation first and bring their next steps forward."),
}
