"""Runs the test_* functions of one MicroPython test module and prints PASS/FAIL lines."""

import sys

name = sys.argv[1]
mod = __import__(name)
failed = 0
for attr in sorted(dir(mod)):
    if not attr.startswith("test_"):
        continue
    try:
        getattr(mod, attr)()
        print("PASS", attr)
    except Exception as e:  # report every failure, keep going
        failed += 1
        print("FAIL", attr, type(e).__name__, e)
        sys.print_exception(e)
print("DONE failed=%d" % failed)
