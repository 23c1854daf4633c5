"""Starts the Sentinel reader firmware after boot.py; the app modules live in /lib as .mpy."""

import gc

gc.collect()
_free = gc.mem_free()

import app  # noqa: E402  (imported after measuring free RAM on purpose)

app.main(free_before_import=_free)
