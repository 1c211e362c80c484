"""Filled in by the area's work."""
