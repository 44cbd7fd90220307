"""The demo company: a realistic SME generated from a seed."""
