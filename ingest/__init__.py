"""Ingest service: consumes reader messages, decides scans, writes the database, publishes state.

Imports `shared` only (never `api`). `mqtt.py` is the only module that touches the MQTT client
library; `stages/` hold the pipeline (parse → batch → apply → publish), `app.py` the wiring.
"""
