"""Pure domain rules: plain functions over frozen dataclasses, no I/O (style.md §3)."""
