"""The numbers: the KPI dictionary, targets, the KPIs, the KPI tree, co-visits and alerts."""
