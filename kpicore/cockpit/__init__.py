"""The cockpit and the quality sheet as data (``CockpitSpec``), before any writer."""
