"""broker/mosquitto.conf and broker/acl.example are what the tool renders today."""

from tools.provision.reference import reference_files


def test_checked_in_broker_files_match_the_renderer() -> None:
    stale = [
        str(path)
        for path, content in reference_files().items()
        if not path.exists() or path.read_text() != content
    ]
    assert stale == [], "run `uv run python -m tools.provision.reference` and commit the result"


def test_reference_config_keeps_the_delivery_settings_backend_notes_ask_for() -> None:
    config = next(c for p, c in reference_files().items() if p.name == "mosquitto.conf")
    lines = set(config.splitlines())
    assert {
        "set_tcp_nodelay true",
        "persistence true",
        "allow_anonymous false",
        "max_queued_messages 1000000",
        "max_inflight_messages 1000",
    } <= lines
