"""Async query and write functions; each takes the session first and never commits."""
