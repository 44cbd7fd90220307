"""Test support: builders of client-shaped data, the recording engine behind xlwings' classes, comparers."""
