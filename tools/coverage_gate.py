"""`python -m tools.coverage_gate`: fail when branch coverage is below the project's floors.

Reads the `coverage.json` written by the test command (pytest-cov, branch coverage) and checks
the floors: overall, the pure domain rules, and the ingest pipeline.
"""

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Issue 10 asks for 85 % overall, 95 % on the domain rules and 90 % on ingest/. Measured without
# greenlet tracing (see [tool.coverage.run]), which misses lines after a first database await:
# 89.4 % overall (the benchmarks included), 99.9 % domain, 95.6 % ingest on 2026-11-26.
# The floors sit just under what is reached (ingest varies by ~0.6 between runs: its
# timing-dependent paths), so coverage cannot slip.
FLOORS: dict[str, float] = {"": 88.0, "shared/domain/": 99.0, "ingest/": 94.0}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Coverage of one path prefix against its floor."""

    prefix: str
    percent: float
    floor: float

    @property
    def ok(self) -> bool:
        """True when the floor is met."""
        return self.percent >= self.floor


def coverage_of(report: dict[str, Any], prefix: str) -> float:
    """Branch-aware percent covered of the files under `prefix` ("" = everything)."""
    covered = total = 0
    for name, data in report["files"].items():
        if name.startswith(prefix):
            summary = data["summary"]
            covered += summary["covered_lines"] + summary.get("covered_branches", 0)
            total += summary["num_statements"] + summary.get("num_branches", 0)
    return 100.0 if total == 0 else 100.0 * covered / total


def check(report: dict[str, Any], floors: dict[str, float] = FLOORS) -> list[Verdict]:
    """Return one verdict per floor."""
    return [Verdict(prefix, coverage_of(report, prefix), floor) for prefix, floor in floors.items()]


def main(argv: list[str] | None = None) -> int:
    """Entry point: print the verdicts; exit 1 if any floor is missed."""
    parser = argparse.ArgumentParser(prog="python -m tools.coverage_gate", description=__doc__)
    parser.add_argument("report", nargs="?", default="coverage.json", type=Path)
    args = parser.parse_args(argv)
    if not args.report.exists():
        print(
            f"coverage gate: {args.report} not found; run the tests with coverage first",
            file=sys.stderr,
        )
        return 2
    verdicts = check(json.loads(args.report.read_text()))
    for v in verdicts:
        mark = "ok  " if v.ok else "FAIL"
        print(f"{mark} {v.prefix or '(all)':<16} {v.percent:6.2f}% (floor {v.floor:.0f}%)")
    return 0 if all(v.ok for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
