"""Tests config validation, defaults for bad keys, atomic save and secret redaction."""

import json

import config


def test_defaults_are_valid():
    d = config.defaults()
    for key, value in d.values().items():
        assert config.check(key, value) is None, key


def test_wrong_types_fall_back_to_defaults():
    cfg = config.from_dict({"heartbeat_s": "fast", "poll_ms": 50, "mqtt_tls": 1, "rx_gain": 99})
    assert cfg.heartbeat_s == 30 and cfg.poll_ms == 50 and cfg.mqtt_tls is False
    assert cfg.rx_gain == 4


def test_not_an_object_gives_defaults():
    assert config.from_dict([1, 2]).poll_ms == 100


def test_updated_rejects_unknown_and_bad_values():
    cfg = config.defaults()
    for bad in ({"nope": 1}, {"cooldown_ms": -1}, {"device_id": "Bad ID"}, {}, [1]):
        try:
            cfg.updated(bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % (bad,))


def test_updated_and_restart_keys():
    cfg = config.defaults()
    new = cfg.updated({"cooldown_ms": 500})
    assert new.cooldown_ms == 500 and cfg.cooldown_ms == 2000
    assert not cfg.needs_restart({"cooldown_ms": 500})
    assert cfg.needs_restart({"mqtt_host": "broker.local"})


def test_redacted_hides_secrets():
    cfg = config.from_dict({"wifi_password": "pw1", "mqtt_password": "pw2"})
    red = cfg.redacted()
    assert red["wifi_password"] == "***" and red["mqtt_password"] == "***"


def test_save_is_atomic_and_loadable():
    path = "/tmp/fw_ut_config.json"
    cfg = config.from_dict({"poll_ms": 77})
    config.save(path, cfg)
    config.save(path, cfg.updated({"poll_ms": 88}))
    with open(path) as f:
        raw = json.load(f)
    assert raw["schema"] == 1 and raw["poll_ms"] == 88
    assert config.load(path).poll_ms == 88


def test_missing_file_gives_defaults():
    assert config.load("/tmp/definitely/not/here.json").heartbeat_s == 30
