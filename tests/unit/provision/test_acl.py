"""ACL rendering: per-user rules only, readers confined to their own subtree."""

import pytest

from tools.provision.acl import Role, render_acl, rules_for


def test_anonymous_clients_get_no_rules_and_no_pattern_applies_to_everyone() -> None:
    text = render_acl({"ingest": Role.SERVICE, "esp32-a1b2c3": Role.READER})
    rules = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert rules[0].startswith("user ")
    assert not any(line.startswith("pattern") for line in rules)


def test_reader_writes_its_uplink_topics_and_reads_only_feedback_and_commands() -> None:
    assert rules_for("esp32-a1b2c3", Role.READER) == [
        ("write", "sentinel/v1/readers/esp32-a1b2c3/scan"),
        ("write", "sentinel/v1/readers/esp32-a1b2c3/status"),
        ("write", "sentinel/v1/readers/esp32-a1b2c3/heartbeat"),
        ("write", "sentinel/v1/readers/esp32-a1b2c3/cmd/ack"),
        ("read", "sentinel/v1/readers/esp32-a1b2c3/feedback"),
        ("read", "sentinel/v1/readers/esp32-a1b2c3/cmd"),
    ]


@pytest.mark.parametrize("name", ["io", "esp32/#", "+", "ESP32-A1B2C3"])
def test_a_reader_must_be_named_by_a_device_id(name: str) -> None:
    with pytest.raises(ValueError, match="device id"):
        rules_for(name, Role.READER)


def test_dashboards_only_read() -> None:
    assert {access for access, _ in rules_for("dashboard", Role.DASHBOARD)} == {"read"}
    assert {access for access, _ in rules_for("monitor", Role.MONITOR)} == {"read"}


def test_service_reads_every_reader_uplink_and_writes_no_reader_uplink() -> None:
    rules = rules_for("ingest", Role.SERVICE)
    reads = {topic for access, topic in rules if access == "read"}
    writes = {topic for access, topic in rules if access == "write"}
    assert "sentinel/v1/readers/+/scan" in reads
    assert not any(t.endswith(("/scan", "/status", "/heartbeat", "/cmd/ack")) for t in writes)
