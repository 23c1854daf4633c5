"""Tests config validation, defaults for bad keys, atomic save, secret redaction and lazy loading."""

import json
import sys

import config
import config_io as cio
import config_rules as rules
import config_schema as schema


def test_defaults_are_valid():
    for key, value in schema.DEFAULTS.items():
        assert rules.check(key, value, value) is None, key
    assert rules.check("nope", 1, None) == "unknown key nope"
    assert rules.check("poll_ms", "5", 100) == "poll_ms must be int"
    assert rules.check("spi_baud", 99999, 1) == "spi_baud out of range 100000..10000000"
    assert rules.check("ntp_host", "", "x") == "ntp_host length out of range 1..64"


def test_rules_cover_exactly_the_schema_keys():
    words = " ".join(rules.RANGES).split()
    assert len(set(words[0::3])) == len(words[0::3])  # each key once
    assert sorted(words[0::3]) == sorted(schema.DEFAULTS)
    for key in rules.RESTART_KEYS.split():
        assert key in schema.DEFAULTS, key
    for line in rules.RANGES:
        assert line.startswith(" ") and line.endswith(" ") and len(line.split()) % 3 == 0, line


def test_only_known_keys_are_looked_up():
    cfg = cio.defaults()
    for bad in ("0", "40", "poll_ms 10", "", "Poll_ms", "mqtt_tls 0 1 mqtt_ca"):
        try:
            rules.validate(cfg, {bad: 1})
        except ValueError as e:
            assert str(e) == "unknown key " + bad, e
        else:
            raise AssertionError("accepted %r" % bad)


def test_wrong_types_fall_back_to_defaults():
    cfg = cio.from_dict({"heartbeat_s": "fast", "poll_ms": 50, "mqtt_tls": 1, "rx_gain": 99})
    assert cfg.heartbeat_s == 30 and cfg.poll_ms == 50 and cfg.mqtt_tls is False
    assert cfg.rx_gain == 4


def test_not_an_object_gives_defaults():
    assert cio.from_dict([1, 2]).poll_ms == 100


def test_validate_rejects_unknown_and_bad_values():
    cfg = cio.defaults()
    bad_args = ({"nope": 1}, {"cooldown_ms": -1}, {"device_id": "Bad ID"}, {}, [1])
    for bad in bad_args + ({"backoff_max_ms": 500},):  # below the default minimum
        try:
            rules.validate(cfg, bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % (bad,))
    rules.validate(cfg, {"backoff_min_ms": 200, "backoff_max_ms": 500})


def test_update_in_place_and_restart_keys():
    cfg = cio.defaults()
    assert not rules.needs_restart(cfg, {"cooldown_ms": 500})
    assert rules.needs_restart(cfg, {"mqtt_host": "broker.local"})
    assert not rules.needs_restart(cfg, {"mqtt_host": cfg.mqtt_host})
    held = cfg
    cfg.update({"cooldown_ms": 500})
    assert held.cooldown_ms == 500 and cfg.values()["cooldown_ms"] == 500


def test_redacted_hides_secrets():
    cfg = cio.from_dict({"wifi_password": "pw1", "mqtt_password": "pw2"})
    red = cio.redacted(cfg)
    assert red["wifi_password"] == "***" and red["mqtt_password"] == "***"


def test_save_is_atomic_and_loadable():
    path = "/tmp/fw_ut_config.json"
    cfg = cio.from_dict({"poll_ms": 77})
    config.save(path, cfg, rules.keys())
    assert "schema" not in cfg.values()  # save() adds the schema version to the file only
    cfg.update({"poll_ms": 88})
    config.save(path, cfg, rules.keys())
    with open(path) as f:
        raw = json.load(f)
    assert raw["schema"] == 1 and raw["poll_ms"] == 88
    assert sorted(raw) == sorted(list(schema.DEFAULTS) + ["schema"])
    assert config.load(path).poll_ms == 88


def test_missing_file_gives_defaults():
    assert config.load("/tmp/definitely/not/here.json").heartbeat_s == 30


def test_loading_code_does_not_stay_resident():
    config.load("/tmp/definitely/not/here.json")
    assert config.rules().check("poll_ms", 5, 100) is not None
    assert config.schema().DEFAULTS["poll_ms"] == 100
    for name in ("config_io", "config_schema", "config_rules"):
        assert name not in sys.modules, name
