"""Versioned JSON Schemas of the JSON outputs (package data)."""
