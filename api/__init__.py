"""Admin REST API (FastAPI): presence, people, badges, operations, reports.

Imports `shared` only (never `ingest`). Changes that must reach MQTT are written to the outbox
table in the request's transaction; the ingest relay publishes them (style.md §3).
"""
