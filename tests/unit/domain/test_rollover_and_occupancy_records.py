"""The daily rollover's alerts and the occupancy series, compared as whole records.

Found by mutation testing (`uv run python -m tools.mutation`): the existing tests checked the
alert type and the counts, not the subject, severity or the per-hour flows.
"""

from datetime import UTC, date, datetime, timedelta

from shared.domain.alerts import AlertRequest, AlertType, Severity
from shared.domain.lockup import BuildingStatus
from shared.domain.occupancy import HourFlow, HourOccupancy, occupancy_series
from shared.domain.rollover import building_alert, missed_checkout_alert

ON = date(2026, 11, 24)


def test_building_not_secured_with_a_holder() -> None:
    assert building_alert(BuildingStatus.OPEN, on=ON, holder_label="S1 Smith, J") == AlertRequest(
        AlertType.BUILDING_NOT_SECURED,
        Severity.CRITICAL,
        "2026-11-24",
        "Building Not Secured: operational day 2026-11-24 ended open; S1 Smith, J held lockup",
    )


def test_building_not_secured_without_a_holder_says_nothing_about_one() -> None:
    alert = building_alert(BuildingStatus.LOCKING_UP, on=ON, holder_label=None)
    assert alert is not None
    assert alert.message == "Building Not Secured: operational day 2026-11-24 ended locking_up"


def test_missed_checkout_alert_record() -> None:
    assert missed_checkout_alert(["A", "B"], on=ON) == AlertRequest(
        AlertType.MEMBER_MISSED_CHECKOUT,
        Severity.WARNING,
        "2026-11-24",
        "2 member(s) were force-checked out during daily reset: A, B",
    )


def test_occupancy_entries_carry_their_flows() -> None:
    start = datetime(2026, 3, 7, 9, tzinfo=UTC)
    hours = [start + timedelta(hours=i) for i in range(3)]
    series = occupancy_series(1, [HourFlow(hours[1], 4, 2)], hours)
    assert series == [
        HourOccupancy(hours[0], 0, 0, 1),
        HourOccupancy(hours[1], 4, 2, 3),
        HourOccupancy(hours[2], 0, 0, 3),
    ]
