"""Report settings: every refusal names its field, numbers keep their type and their bounds,
booleans must be booleans, and every section and policy value comes from what is stored.

Found by mutation testing (`uv run python -m tools.mutation`). One existing case,
`includeFTStaff: "yes"`, was refused only as an unknown field (the key is `includeFtStaff`),
so the boolean rule itself was never exercised.
"""

from datetime import time
from typing import Any

import pytest

from shared.domain.attendance import AttendancePolicy
from shared.domain.report_settings import (
    MemberHandlingSettings,
    ReportSettings,
    ScheduleSettings,
    SettingKey,
    ThresholdSettings,
    TimeseriesSettings,
    attendance_policy,
    section_from_json,
    section_of,
    settings_from_json,
)
from shared.errors import InvalidInput


def refused(key: SettingKey, stored: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        section_from_json(key, stored)
    assert caught.value.code == "invalid_setting"
    return caught.value


@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        (SettingKey.SCHEDULE, "trainingNightStart", "7pm"),
        (SettingKey.SCHEDULE, "adminNightEnd", 1900),
        (SettingKey.SCHEDULE, "trainingNightDay", "someday"),
        (SettingKey.SCHEDULE, "minimumPresenceMinutes", "60"),
        (SettingKey.SCHEDULE, "minimumPresenceMinutes", 0),
        (SettingKey.SCHEDULE, "minimumPresenceMinutes", 721),
        (SettingKey.MEMBER_HANDLING, "includeFtStaff", "yes"),
        (SettingKey.MEMBER_HANDLING, "showBmqBadge", 1),
        (SettingKey.MEMBER_HANDLING, "newMemberGracePeriod", -1),
        (SettingKey.MEMBER_HANDLING, "minimumTrainingNights", 2.5),
        (SettingKey.THRESHOLDS, "warningThreshold", True),
        (SettingKey.THRESHOLDS, "trendStableBand", 100.5),
        (SettingKey.TIMESERIES, "compressAfterDays", 7.5),
        (SettingKey.TIMESERIES, "retentionDays", 29),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(
    key: SettingKey, field: str, value: object
) -> None:
    error = refused(key, {field: value})
    assert error.details == {"field": field}
    assert error.message.startswith(f"{field} ")


def test_unknown_fields_are_listed() -> None:
    error = refused(SettingKey.FORMATTING, {"zeta": 1, "alpha": 2})
    assert error.details == {"fields": ["alpha", "zeta"]}
    assert "alpha" in error.message


class TestAcceptedValuesKeepTheirType:
    def test_booleans(self) -> None:
        section = section_from_json(
            SettingKey.MEMBER_HANDLING, {"includeFtStaff": True, "showBmqBadge": False}
        )
        assert section == MemberHandlingSettings(include_ft_staff=True, show_bmq_badge=False)

    def test_whole_numbers_stay_int(self) -> None:
        section = section_from_json(
            SettingKey.SCHEDULE, {"minimumPresenceMinutes": 90.0, "adminNightStart": "18:45"}
        )
        assert isinstance(section, ScheduleSettings)
        assert section.minimum_presence_minutes == 90
        assert type(section.minimum_presence_minutes) is int
        assert section.admin_night_start == time(18, 45)

    def test_an_optional_whole_number_stays_int(self) -> None:
        section = section_from_json(SettingKey.TIMESERIES, {"compressAfterDays": 7})
        assert isinstance(section, TimeseriesSettings)
        assert type(section.compress_after_days) is int

    def test_percentages_keep_their_fraction(self) -> None:
        section = section_from_json(
            SettingKey.THRESHOLDS, {"warningThreshold": 75.5, "criticalThreshold": 50}
        )
        assert isinstance(section, ThresholdSettings)
        assert section.warning_threshold == 75.5
        assert type(section.critical_threshold) is float

    @pytest.mark.parametrize(
        ("field", "value"), [("minimumPresenceMinutes", 1), ("minimumPresenceMinutes", 720)]
    )
    def test_the_bounds_are_inclusive(self, field: str, value: int) -> None:
        section = section_from_json(SettingKey.SCHEDULE, {field: value})
        assert isinstance(section, ScheduleSettings)
        assert section.minimum_presence_minutes == value


class TestCrossFieldRules:
    def test_separate_bmq_thresholds_are_checked_too(self) -> None:
        error = refused(
            SettingKey.THRESHOLDS,
            {"bmqSeparateThresholds": True, "bmqWarningThreshold": 50, "bmqCriticalThreshold": 60},
        )
        assert error.message == "bmq warning threshold must be above critical"

    def test_the_main_thresholds_have_no_prefix(self) -> None:
        error = refused(SettingKey.THRESHOLDS, {"warningThreshold": 50, "criticalThreshold": 50})
        assert error.message == "warning threshold must be above critical"

    def test_valid_separate_bmq_thresholds_are_accepted(self) -> None:
        stored = {
            "bmqSeparateThresholds": True,
            "bmqWarningThreshold": 90,
            "bmqCriticalThreshold": 60,
        }
        section = section_from_json(SettingKey.THRESHOLDS, stored)
        assert section == ThresholdSettings(
            bmq_separate_thresholds=True, bmq_warning_threshold=90.0, bmq_critical_threshold=60.0
        )

    @pytest.mark.parametrize("night", ["training", "admin"])
    def test_an_empty_night_window_is_refused(self, night: str) -> None:
        error = refused(
            SettingKey.SCHEDULE, {f"{night}NightStart": "19:00", f"{night}NightEnd": "19:00"}
        )
        assert error.message


class TestWholeSettings:
    def test_nothing_stored_is_all_defaults(self) -> None:
        assert settings_from_json({}) == ReportSettings()

    def test_each_section_is_read_from_its_key(self) -> None:
        stored = {
            "schedule": {"minimumPresenceMinutes": 45},
            "working_hours": {"regularStart": "07:30"},
            "thresholds": {"trendStableBand": 2.5},
            "member_handling": {"minimumTrainingNights": 5},
            "formatting": {"pageSize": "a4"},
            "timeseries": {"retentionDays": 400},
        }
        settings = settings_from_json(stored)
        assert settings.schedule.minimum_presence_minutes == 45
        assert settings.working_hours.regular_start == time(7, 30)
        assert settings.thresholds.trend_stable_band == 2.5
        assert settings.member_handling.minimum_training_nights == 5
        assert settings.formatting.page_size.value == "a4"
        assert settings.timeseries.retention_days == 400
        for key in SettingKey:
            assert section_of(settings, key) is getattr(settings, key.value)

    def test_the_policy_takes_every_value_from_the_settings(self) -> None:
        settings = settings_from_json(
            {
                "schedule": {"minimumPresenceMinutes": 45},
                "thresholds": {
                    "warningThreshold": 80,
                    "criticalThreshold": 40,
                    "trendStableBand": 2.5,
                    "bmqSeparateThresholds": True,
                    "bmqWarningThreshold": 90,
                    "bmqCriticalThreshold": 70,
                },
                "member_handling": {"newMemberGracePeriod": 6, "minimumTrainingNights": 5},
            }
        )
        assert attendance_policy(settings) == AttendancePolicy(80.0, 40.0, 45, 6, 5, 2.5)
        assert attendance_policy(settings, bmq=True) == AttendancePolicy(90.0, 70.0, 45, 6, 5, 2.5)
