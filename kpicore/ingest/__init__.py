"""From raw grids to canonical frames: recognition of the tables, parsing, validation, the quality report."""
