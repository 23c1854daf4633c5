"""Reports (issue 7): builders that load → apply the pure rules → shape a result, and renderers.

`run.py` dispatches a request to its builder, renders JSON, CSV or PDF and writes the audit log;
the API routes and `python -m tools.report` both go through it.
"""
