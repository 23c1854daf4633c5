"""Prometheus metrics of the ingest service."""

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import cast

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

# A bucket bound as the exposition writes it ("0.005", "1.0", "+Inf"), as `Histogram` does.
_go_float = cast(Callable[[float], str], floatToGoString)


class BatchHistogram:
    """A histogram fed a batch of observations at a time (per-scan latencies).

    `prometheus_client.Histogram.observe` takes a lock for the sum and another for the bucket
    on every call, about 1.8 µs a value here: two observations per scan cost the worker
    about 2 % of its CPU at saturation. This one bins a batch with `bisect` into plain
    counters (the event loop is its only writer); a scrape, on the exporter's thread, reads
    them as they are, so its counts may include part of the batch being added and its sum not
    yet (never the other way round).
    Exposed like a `Histogram` without labels (no `_created` sample).
    """

    def __init__(
        self,
        name: str,
        documentation: str,
        buckets: Sequence[float],
        registry: CollectorRegistry | None = REGISTRY,
    ) -> None:
        bounds = [float(b) for b in buckets]
        if bounds != sorted(bounds) or not all(map(math.isfinite, bounds)):
            raise ValueError("buckets must be finite and in increasing order (+Inf is added)")
        self._name = name
        self._documentation = documentation
        self._bounds = (*bounds, math.inf)
        self._counts = [0] * len(self._bounds)
        self._sum = 0.0
        if registry is not None:
            registry.register(self)

    def observe_all(self, values: Iterable[float]) -> None:
        """Count each value in the first bucket whose bound is at least it."""
        bounds, counts, total = self._bounds, self._counts, self._sum
        for value in values:
            counts[bisect_left(bounds, value)] += 1
            total += value  # in order, from the running sum: the same float as one by one
        self._sum = total

    def collect(self) -> Iterator[Metric]:
        """The cumulative buckets, count and sum (the registry's scrape)."""
        family = HistogramMetricFamily(self._name, self._documentation)
        total = self._sum  # read first: the counts copied after may be ahead of it, not behind
        cumulative, buckets = 0, []
        for bound, count in zip(self._bounds, list(self._counts), strict=True):
            cumulative += count
            buckets.append((_go_float(bound), float(cumulative)))
        family.add_metric([], buckets, sum_value=total)
        yield family


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
DECISION_SECONDS = BatchHistogram(
    "sentinel_ingest_receive_to_feedback_seconds",
    "From message receipt to feedback published",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TAP_TO_FEEDBACK_SECONDS = BatchHistogram(
    "sentinel_tap_to_feedback_seconds",
    "From the reader's (NTP-synced) tap time to feedback published; live scans only",
    buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_RELAYED = Counter("sentinel_outbox_relayed_total", "Outbox rows published by the relay")
RECONNECTS = Counter("sentinel_ingest_reconnects_total", "Supervisor restarts", ["cause"])
READERS_ONLINE = Gauge("sentinel_readers_online", "Readers currently online")
JOB_RUNS = Counter("sentinel_job_runs_total", "Scheduled job runs", ["job"])
SCHEDULER_FAILURES = Counter("sentinel_scheduler_failures_total", "Scheduler ticks that failed")
