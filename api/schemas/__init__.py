"""HTTP request and response bodies (never wire contracts or tables)."""
