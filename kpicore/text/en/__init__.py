"""The English catalogue (Settings: language = en): the same codes as ``kpicore.text.fr``."""
