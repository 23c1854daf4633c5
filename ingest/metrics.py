"""Prometheus metrics of the ingest service."""

from prometheus_client import Counter, Gauge, Histogram

SCANS = Counter("sentinel_scans_total", "Scans by result", ["result"])
DEAD_LETTERS = Counter("sentinel_dead_letters_total", "Dead-lettered messages", ["reason"])
BATCH_SIZE = Histogram(
    "sentinel_ingest_batch_size",
    "Messages per applied batch",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
BATCHES = Counter(
    "sentinel_ingest_batches_total",
    "Applied batches by path: optimistic (two statements) or locked (a transaction)",
    ["path"],
)
OPTIMISTIC_FALLBACKS = Counter(
    "sentinel_ingest_optimistic_fallbacks_total",
    "Optimistic batches applied again in a locked transaction, by cause",
    ["cause"],
)
MIRROR_ANSWERS = Counter(
    "sentinel_ingest_mirror_answers_total",
    "Optimistic batches decided from the worker's mirror (hit) or after a read (miss)",
    ["answer"],
)
OVERLAPPED_BATCHES = Counter(
    "sentinel_ingest_overlapped_batches_total",
    "Batches decided while the batch before was still being written (`stages/turns.py`)",
)
WAL_FLUSHES = Counter(
    "sentinel_ingest_wal_flushes_total",
    "Durable commits made to flush the fast batch commits before their acks (`durability.py`)",
)
DECISION_SECONDS = Histogram(
    "sentinel_ingest_receive_to_feedback_seconds",
    "From message receipt to feedback published",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TAP_TO_FEEDBACK_SECONDS = Histogram(
    "sentinel_tap_to_feedback_seconds",
    "From the reader's (NTP-synced) tap time to feedback published; live scans only",
    buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_RELAYED = Counter("sentinel_outbox_relayed_total", "Outbox rows published by the relay")
RECONNECTS = Counter("sentinel_ingest_reconnects_total", "Supervisor restarts", ["cause"])
READERS_ONLINE = Gauge("sentinel_readers_online", "Readers currently online")
JOB_RUNS = Counter("sentinel_job_runs_total", "Scheduled job runs", ["job"])
SCHEDULER_FAILURES = Counter("sentinel_scheduler_failures_total", "Scheduler ticks that failed")
