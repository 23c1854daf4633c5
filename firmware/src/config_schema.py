"""Declares every config.json key with its default, which fixes its type (ranges: config_rules).

Plain data on purpose: tools/flash reads DEFAULTS with CPython. On the reader it is loaded
only at boot (config.schema()) and dropped afterwards, to save RAM.
"""

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

# fmt: on
