"""Use cases shared by the API, the ingest's jobs and tools (they never commit)."""
