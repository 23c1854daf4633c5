"""Declares every config.json key: its default (which fixes its type), its range, restart keys."""

# fmt: off
# Every key with its default; the type of the default is the key's type.
DEFAULTS = {
    "device_id": "",
    "wifi_ssid": "",
    "wifi_password": "",
    "mqtt_host": "",
    "mqtt_port": 1883,
    "mqtt_user": "",
    "mqtt_password": "",
    "mqtt_tls": False,
    "mqtt_ca": "",
    "mqtt_keepalive_s": 30,
    "mqtt_retry_ms": 5000,
    "mqtt_max_in": 2048,
    "backoff_min_ms": 1000,
    "backoff_max_ms": 60000,
    "ntp_enabled": True,
    "ntp_host": "pool.ntp.org",
    "ntp_resync_s": 21600,
    "heartbeat_s": 30,
    "poll_ms": 100,
    "cooldown_ms": 2000,
    "absent_polls": 2,
    "feedback_timeout_ms": 1500,
    "rx_gain": 4,
    "health_ms": 1000,
    "outbox_capacity": 500,
    "outbox_flush_acks": 16,
    "outbox_flush_ms": 5000,
    "send_window": 8,
    "wdt_ms": 30000,
    "spi_id": 1,
    "spi_baud": 1000000,
    "pin_sck": 18,
    "pin_mosi": 23,
    "pin_miso": 19,
    "pin_cs": 5,
    "pin_rst": 22,
    "pin_led_green": 25,
    "pin_led_red": 26,
    "pin_buzzer": 27,
    "data_dir": "data",
    "log_level": "info",
}

# Flat (key, lo, hi) triples: the range of an int, or the length range of a str.
RANGES = (
    "device_id", 0, 40, "wifi_ssid", 0, 32, "wifi_password", 0, 64, "mqtt_host", 0, 100,
    "mqtt_port", 1, 65535, "mqtt_user", 0, 64, "mqtt_password", 0, 128, "mqtt_ca", 0, 64,
    "mqtt_keepalive_s", 2, 600, "mqtt_retry_ms", 200, 60000, "mqtt_max_in", 256, 16384,
    "backoff_min_ms", 10, 60000, "backoff_max_ms", 10, 600000, "ntp_host", 1, 64, "ntp_resync_s",
    60, 604800, "heartbeat_s", 1, 3600, "poll_ms", 10, 1000, "cooldown_ms", 0, 60000,
    "absent_polls", 1, 20, "feedback_timeout_ms", 100, 10000, "rx_gain", 0, 7, "health_ms", 100,
    60000, "outbox_capacity", 4, 5000, "outbox_flush_acks", 1, 1000, "outbox_flush_ms", 100,
    600000, "send_window", 1, 32, "wdt_ms", 0, 120000, "spi_id", 0, 2, "spi_baud", 100000,
    10000000, "pin_sck", 0, 48, "pin_mosi", 0, 48, "pin_miso", 0, 48, "pin_cs", 0, 48, "pin_rst",
    0, 48, "pin_led_green", 0, 48, "pin_led_red", 0, 48, "pin_buzzer", 0, 48, "data_dir", 1, 32,
    "log_level", 4, 5,
)

# Keys that only take effect after a restart (set_config reboots when one of them changes).
RESTART_KEYS = (
    "device_id", "wifi_ssid", "wifi_password", "mqtt_host", "mqtt_port", "mqtt_user",
    "mqtt_password", "mqtt_tls", "mqtt_ca", "mqtt_keepalive_s", "spi_id", "spi_baud", "pin_sck",
    "pin_mosi", "pin_miso", "pin_cs", "pin_rst", "pin_led_green", "pin_led_red", "pin_buzzer",
    "data_dir", "outbox_capacity", "wdt_ms", "mqtt_max_in",
)
# fmt: on
