"""Occupancy per hour from hourly flows (issue 7, presence over time)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.occupancy import HourFlow, occupancy_series, peak

START = datetime(2026, 3, 7, 9, tzinfo=UTC)
HOURS = [START + timedelta(hours=i) for i in range(48)]


def test_hours_without_flows_carry_the_count() -> None:
    flows = [HourFlow(HOURS[1], 5, 0), HourFlow(HOURS[4], 1, 6)]
    series = occupancy_series(2, flows, HOURS[:6])
    assert [h.present_at_end for h in series] == [2, 7, 7, 7, 2, 2]
    top = peak(series)
    assert top is not None and top.bucket_at == HOURS[1]


@given(
    st.integers(0, 50),
    st.lists(
        st.tuples(st.integers(0, 47), st.integers(0, 30), st.integers(0, 30)),
        max_size=40,
        unique_by=lambda t: t[0],
    ),
)
def test_count_is_baseline_plus_net_flow_never_negative(
    baseline: int, raw: list[tuple[int, int, int]]
) -> None:
    flows = [HourFlow(HOURS[i], a, d) for i, a, d in raw]
    series = occupancy_series(baseline, flows, HOURS)
    assert len(series) == len(HOURS)
    present = baseline
    by_hour = {i: (a, d) for i, a, d in raw}
    for index, hour in enumerate(series):
        a, d = by_hour.get(index, (0, 0))
        present = max(present + a - d, 0)
        assert hour.present_at_end == present >= 0
