"""MQTT contract v1: the wire models (one module per topic family) and topic strings.

This package is the single source of truth for `../shared/spec/mqtt-contract.md` in code; the
JSON Schemas in `shared/contracts/schemas/` are generated from it (`python -m
shared.contracts.export`) for non-Python consumers such as firmware tests and dashboards.
"""
