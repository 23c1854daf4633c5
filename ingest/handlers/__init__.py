"""Handlers for the reader messages that are not scans: status, heartbeat, command acks."""
