"""Deals at risk: each reason's short name, then the reason with its figures."""

MESSAGES = {
    "risk.reason.close_date_passed": "Expected close date passed",
    "risk.reason.no_activity": "No activity for too long",
    "risk.reason.stuck_in_stage": "Stuck in its stage",
    "risk.reason.close_date_pushed": "Expected close date pushed back",
    "risk.reason.amount_cut": "Amount cut",
    "risk.reason.no_next_step": "No next step",
    "risk.detail.close_date_passed": "Expected close date passed {days:count|day|days} ago",
    "risk.detail.no_activity": ("No activity for {days:count|day|days} (usual {stage}: at most "
                                "{limit:number} days for {share:percent} of deals)"),
    "risk.detail.stuck_in_stage": ("Stuck {stage} for {days:count|day|days} ({share:percent} of deals move on "
                                   "within {limit:number} days)"),
    "risk.detail.close_date_pushed": "Expected close date pushed back {pushes:count|time|times}",
    "risk.detail.amount_cut": "Amount cut by {cut:percent} (from {before:money} to {after:money})",
    "risk.detail.no_next_step": "No next step",
    "risk.stage.named": "in {name}",
    "risk.stage.unknown": "in its stage",
    "risk.list": "{first}; {rest}",
}
