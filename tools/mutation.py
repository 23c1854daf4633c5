"""`python -m tools.mutation`: mutation testing of the pure domain rules (shared/domain/).

Runs mutmut 3 as configured under `[tool.mutmut]` in pyproject.toml (mutates shared/domain/,
runs tests/unit/domain/ without the service fixtures), then prints the mutation score, killed
over tested, with every mutant that was not killed listed by name (`uv run mutmut show NAME`
prints its diff). Exits 1 when the score is below the floor, 2 when the run itself failed.

By default the run starts from an empty `mutants/` so every verdict is fresh; `--keep` reuses
mutmut's cache (only mutants of changed functions are re-tested, surviving verdicts stand).
"""

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# 95.2 % was reached once the survivors that matter were killed (README "Mutation testing"); the
# floor leaves about a point of slack for new message texts and equivalent mutants.
FLOOR = 94.0
MUTANTS_DIR = Path("mutants")

KILLED = frozenset({"killed", "timeout", "caught by type check"})
"""Verdicts that count as killed: a failing test, a hang or a type error all expose the mutant."""
NOT_TESTED = frozenset({"skipped"})
"""Verdicts left out of the score (`# pragma: no mutate`)."""
INCOMPLETE = frozenset({"not checked", "check was interrupted by user"})
"""Verdicts meaning the run did not finish: no score can be given."""


@dataclass(frozen=True, slots=True)
class Score:
    """The mutation score of one run."""

    killed: int
    tested: int
    not_killed: dict[str, str]  # mutant name -> verdict (survived, no tests, suspicious, ...)

    @property
    def percent(self) -> float:
        """Killed over tested, as a percentage (100 when nothing was tested)."""
        return 100.0 if self.tested == 0 else 100.0 * self.killed / self.tested


def parse_results(text: str) -> dict[str, str]:
    """Map mutant name to verdict from `mutmut results --all true` ("    name: verdict" lines)."""
    verdicts: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, verdict = line.strip().partition(": ")
        if sep and verdict and "__mutmut_" in name and " " not in name:
            verdicts[name] = verdict.strip()
    return verdicts


def score(verdicts: dict[str, str]) -> Score:
    """Score the verdicts; raise ValueError when some mutants were never checked."""
    unfinished = sorted(name for name, v in verdicts.items() if v in INCOMPLETE)
    if unfinished:
        raise ValueError(f"{len(unfinished)} mutants were not checked, e.g. {unfinished[0]}")
    tested = {name: v for name, v in verdicts.items() if v not in NOT_TESTED}
    killed = sum(1 for v in tested.values() if v in KILLED)
    not_killed = {name: v for name, v in sorted(tested.items()) if v not in KILLED}
    return Score(killed=killed, tested=len(tested), not_killed=not_killed)


def module_of(mutant: str) -> str:
    """The module a mutant belongs to: `shared.domain.opday.x_f__mutmut_1` -> `shared.domain.opday`."""
    return mutant.rpartition(".")[0]


def report(result: Score, floor: float) -> str:
    """The text printed after a run: per-module counts, the mutants not killed, the score."""
    lines = []
    per_module_not_killed = Counter(module_of(name) for name in result.not_killed)
    if per_module_not_killed:
        lines.append("not killed, by module:")
        for module, count in sorted(per_module_not_killed.items()):
            lines.append(f"  {module:<40} {count}")
        lines.append("")
        lines.append("mutants not killed (uv run mutmut show NAME):")
        for name, verdict in result.not_killed.items():
            lines.append(f"  {name}  [{verdict}]")
        lines.append("")
    mark = "ok  " if result.percent >= floor else "FAIL"
    lines.append(
        f"{mark} mutation score {result.percent:.2f}% "
        f"({result.killed} killed / {result.tested} tested; floor {floor:.0f}%)"
    )
    return "\n".join(lines)


def mutmut_command() -> list[str]:
    """The mutmut executable of this environment (its console script, not `python -m`)."""
    script = Path(sys.executable).with_name("mutmut")
    found = str(script) if script.exists() else shutil.which("mutmut")
    if found is None:
        raise FileNotFoundError("mutmut is not installed; run `uv sync` (it is a dev dependency)")
    return [found]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run mutmut, print the score; exit 1 below the floor, 2 on a failed run."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.mutation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutants (2)")
    parser.add_argument("--floor", type=float, default=FLOOR, help=f"minimum score ({FLOOR:.0f})")
    parser.add_argument("--keep", action="store_true", help="reuse the cached verdicts in mutants/")
    parser.add_argument(
        "--report-only", action="store_true", help="score the last run without running mutmut"
    )
    args = parser.parse_args(argv)
    mutmut = mutmut_command()
    if not args.report_only:
        if not args.keep and MUTANTS_DIR.exists():
            shutil.rmtree(MUTANTS_DIR)
        run = subprocess.run(
            [*mutmut, "run", "--max-children", str(args.max_children)], check=False
        )
        if run.returncode != 0:
            print(f"mutation: mutmut run failed (exit {run.returncode})", file=sys.stderr)
            return 2
        print()
    results = subprocess.run(
        [*mutmut, "results", "--all", "true"], check=False, capture_output=True, text=True
    )
    verdicts = parse_results(results.stdout)
    if results.returncode != 0 or not verdicts:
        print(results.stderr, file=sys.stderr)
        print("mutation: no mutmut results; run without --report-only first", file=sys.stderr)
        return 2
    try:
        result = score(verdicts)
    except ValueError as exc:
        print(f"mutation: incomplete run: {exc}", file=sys.stderr)
        return 2
    print(report(result, args.floor))
    return 0 if result.percent >= args.floor else 1


if __name__ == "__main__":
    sys.exit(main())
