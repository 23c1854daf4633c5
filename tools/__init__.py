"""Thin command-line tools run as `python -m tools.<name>`; no domain rules live here."""
