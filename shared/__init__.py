"""Sentinel's shared core: contracts, settings, database models and pure domain rules.

Both services (`ingest`, `api`) and the tools import this package; it imports neither service.
`shared.domain` is pure (no I/O libraries, no clock, no settings).
"""
