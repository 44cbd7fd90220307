"""kpicore: the pure engine of Pilotage (pandas in, results out; no files, no Excel)."""
