"""ESP32 hardware: RC522 SPI bus and pins, LEDs, PWM buzzer, WDT, WLAN, NTP, reset (the only machine/network user)."""

import machine
import network
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from config import Config


class Hardware:
    """Creates every peripheral from the config; other modules receive these objects."""

    def __init__(self, cfg: "Config") -> None:
        pin = machine.Pin
        self.spi = machine.SPI(
            cfg.spi_id,
            baudrate=cfg.spi_baud,
            polarity=0,
            phase=0,
            sck=pin(cfg.pin_sck),
            mosi=pin(cfg.pin_mosi),
            miso=pin(cfg.pin_miso),
        )
        self.cs = pin(cfg.pin_cs, pin.OUT, value=1)
        self.rst = pin(cfg.pin_rst, pin.OUT, value=1)
        self._green = pin(cfg.pin_led_green, pin.OUT, value=0)
        self._red = pin(cfg.pin_led_red, pin.OUT, value=0)
        self._buzzer = machine.PWM(pin(cfg.pin_buzzer), freq=2000, duty_u16=0)
        self._hz = 0
        self.wlan = network.WLAN(network.STA_IF)
        self._wdt: "machine.WDT | None" = None

    def mac(self) -> bytes:
        """Return the station MAC address."""
        return bytes(self.wlan.config("mac"))

    def led(self, green: int, red: int) -> None:
        """Set the two LEDs."""
        self._green.value(green)
        self._red.value(red)

    def buzz(self, hz: int) -> None:
        """Sound the buzzer at `hz` (50 % duty) or silence it with 0."""
        if hz == self._hz:
            return
        self._hz = hz
        if hz:
            self._buzzer.freq(hz)
            self._buzzer.duty_u16(32768)
        else:
            self._buzzer.duty_u16(0)

    def wdt_start(self, timeout_ms: int) -> None:
        """Start the hardware watchdog (cannot be stopped again)."""
        self._wdt = machine.WDT(timeout=timeout_ms)

    def wdt_feed(self) -> None:
        """Feed the watchdog."""
        if self._wdt is not None:
            self._wdt.feed()

    def ntp_sync(self, host: str) -> None:
        """Set the RTC from NTP (ntptime's 1 s socket timeout bounds the block)."""
        import ntptime

        ntptime.host = host
        ntptime.settime()

    def reset(self) -> None:
        """Hard-reset the chip."""
        machine.reset()
