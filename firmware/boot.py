"""Runs first at power-up: no network and nothing that can fail, so the REPL stays reachable."""

import gc

gc.collect()
