"""Runs the reader flashing CLI: `python -m tools.flash --port /dev/ttyUSB0 --image fw.bin ...`."""

from tools.flash.cli import main

raise SystemExit(main())
