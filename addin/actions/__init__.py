"""The actions: each job written once over the workbook protocol (``addin.engines.protocol``).

The ribbon in Excel, the menu in Calc, the command line and a scheduled task
call the same function with their own engine, so they read the same company
(the activity workbooks listed in Settings, the edited KPI dictionary), take
the same lock, and write the same sheets:

- ``company.read_company``: what every action reads;
- ``refresh.refresh``: the cockpit, the quality sheet, the forecast history and
  the weekly pipeline snapshot;
- ``decks.make_deck``: a ritual deck;
- ``reports``: the read-only verbs (check, kpis, alerts, forecast, backtest, risks);
- ``activity.new_activity_workbook``: a shared activity workbook for the reps.
"""
