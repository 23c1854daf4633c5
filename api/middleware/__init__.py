"""ASGI middleware of the API, one module per concern; `api.app.create_app` wires them in order.

All of it is plain ASGI (no `BaseHTTPMiddleware`), so request bodies stream through untouched
and the request's context variables (the correlation id) are visible to the handlers.
"""
