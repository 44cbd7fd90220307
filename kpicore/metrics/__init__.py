"""The numbers: the KPIs (each a function beside its dictionary entry) and the windows of the frames
they count over, the KPI dictionary sheet, targets, the KPI engine, the KPI tree, co-visits and alerts."""
