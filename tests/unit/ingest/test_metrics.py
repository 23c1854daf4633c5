"""The ingest's batch-fed histogram is exposed exactly as prometheus_client's own."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from ingest.metrics import BatchHistogram

BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.1, 1, 2.5)


def _exposition(registry: CollectorRegistry) -> list[str]:
    text = generate_latest(registry).decode()
    return [line for line in text.splitlines() if "_created" not in line]


@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(BUCKETS),  # on a bound: counted in that bound's bucket
                st.floats(min_value=0, max_value=10, allow_nan=False),
            ),
            max_size=20,
        ),
        max_size=5,
    )
)
def test_batches_give_the_same_exposition_as_one_observe_per_value(
    batches: list[list[float]],
) -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    batch_fed = BatchHistogram("x_seconds", "Doc", BUCKETS, registry=ours)
    one_by_one = Histogram("x_seconds", "Doc", buckets=BUCKETS, registry=theirs)

    for batch in batches:
        batch_fed.observe_all(iter(batch))  # any iterable: the ingest passes generators
        for value in batch:
            one_by_one.observe(value)

    assert _exposition(ours) == _exposition(theirs)


def test_nothing_observed_is_exposed_as_zeros() -> None:
    registry = CollectorRegistry()
    BatchHistogram("y_seconds", "Doc", (1, 2), registry=registry)

    assert 'y_seconds_bucket{le="+Inf"} 0.0' in _exposition(registry)
    assert "y_seconds_count 0.0" in _exposition(registry)


@pytest.mark.parametrize("buckets", [(2, 1), (1, float("inf")), (1, float("nan"))])
def test_buckets_out_of_order_or_not_finite_are_refused(buckets: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="increasing order"):
        BatchHistogram("z_seconds", "Doc", buckets, registry=CollectorRegistry())


def test_a_large_bound_is_labelled_as_prometheus_client_labels_it() -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    BatchHistogram("w_bytes", "Doc", (1e6, 2.5e7), registry=ours)
    Histogram("w_bytes", "Doc", buckets=(1e6, 2.5e7), registry=theirs)

    assert _exposition(ours) == _exposition(theirs)
