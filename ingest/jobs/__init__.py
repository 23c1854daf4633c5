"""Scheduled jobs of the ingest: daily rollover, lockup reminders, the Duty Watch start check."""
