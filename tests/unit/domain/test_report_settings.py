"""Report settings: defaults, JSON round trip and validation (domain.md §8.2, §9)."""

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.report_settings import (
    DateFormat,
    ReportSettings,
    ScheduleSettings,
    SettingKey,
    ThresholdSettings,
    attendance_policy,
    format_date,
    section_from_json,
    section_to_json,
    settings_from_json,
)
from shared.domain.training_calendar import Weekday
from shared.errors import InvalidInput


def test_missing_keys_take_the_recommended_defaults() -> None:
    settings = settings_from_json({})
    policy = attendance_policy(settings)
    assert (policy.warning_threshold, policy.critical_threshold) == (75.0, 50.0)
    assert (policy.grace_weeks, policy.minimum_nights) == (4, 3)
    assert settings.schedule.training_night_day is Weekday.TUESDAY


def test_schedule_round_trips_through_json() -> None:
    schedule = ScheduleSettings(
        training_night_day=Weekday.WEDNESDAY, training_night_start=time(18, 30)
    )
    stored = section_to_json(schedule)
    assert stored["trainingNightDay"] == "wednesday"
    assert stored["trainingNightStart"] == "18:30"
    assert section_from_json(SettingKey.SCHEDULE, stored) == schedule


@given(st.integers(0, 100), st.integers(0, 100))
def test_warning_must_be_above_critical(warning: int, critical: int) -> None:
    stored = {"warningThreshold": warning, "criticalThreshold": critical}
    if warning > critical:
        section = section_from_json(SettingKey.THRESHOLDS, stored)
        assert isinstance(section, ThresholdSettings)
    else:
        with pytest.raises(InvalidInput):
            section_from_json(SettingKey.THRESHOLDS, stored)


@pytest.mark.parametrize(
    ("key", "stored"),
    [
        (SettingKey.SCHEDULE, {"trainingNightDay": "someday"}),
        (SettingKey.SCHEDULE, {"trainingNightStart": "7pm"}),
        (SettingKey.MEMBER_HANDLING, {"newMemberGracePeriod": 53}),
        (SettingKey.MEMBER_HANDLING, {"minimumTrainingNights": 2.5}),
        (SettingKey.MEMBER_HANDLING, {"includeFTStaff": "yes"}),
        (SettingKey.FORMATTING, {"pageSize": "legal"}),
        (SettingKey.FORMATTING, {"unknownField": 1}),
        (SettingKey.THRESHOLDS, {"warningThreshold": True}),
    ],
)
def test_invalid_values_are_refused(key: SettingKey, stored: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        section_from_json(key, stored)


def test_bmq_uses_its_own_thresholds_only_when_separate() -> None:
    thresholds = ThresholdSettings(bmq_warning_threshold=90, bmq_critical_threshold=70)
    assert (
        attendance_policy(ReportSettings(thresholds=thresholds), bmq=True).warning_threshold == 75
    )
    separate = ThresholdSettings(
        bmq_separate_thresholds=True, bmq_warning_threshold=90, bmq_critical_threshold=70
    )
    assert attendance_policy(ReportSettings(thresholds=separate), bmq=True).warning_threshold == 90


def test_timeseries_retention_may_be_null() -> None:
    section = section_from_json(
        SettingKey.TIMESERIES, {"retentionDays": None, "compressAfterDays": 7}
    )
    assert section_to_json(section) == {"compressAfterDays": 7, "retentionDays": None}


def test_date_formats() -> None:
    from datetime import date

    on = date(2026, 3, 7)
    assert format_date(on, DateFormat.DD_MMM_YYYY) == "07 MAR 2026"
    assert format_date(on, DateFormat.ISO) == "2026-03-07"
    assert format_date(on, DateFormat.MM_DD_YYYY) == "03/07/2026"


@given(
    st.dictionaries(
        st.sampled_from(
            ["trainingNightDay", "trainingNightStart", "minimumPresenceMinutes", "other"]
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=4,
        ),
    )
)
def test_any_json_is_either_accepted_or_refused_cleanly(stored: dict[str, object]) -> None:
    try:
        section = section_from_json(SettingKey.SCHEDULE, stored)
    except InvalidInput as exc:
        assert exc.code == "invalid_setting"
    else:
        assert section_from_json(SettingKey.SCHEDULE, section_to_json(section)) == section


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_a_number_that_is_not_finite_is_refused(number: float) -> None:
    """Found by the property test above: `int(inf)` raised OverflowError instead."""
    with pytest.raises(InvalidInput) as refused:
        section_from_json(SettingKey.SCHEDULE, {"minimumPresenceMinutes": number})
    assert refused.value.code == "invalid_setting"
