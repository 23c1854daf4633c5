"""Pytest plugin for the mutation run (`uv run python -m tools.mutation`), loaded with `-p`.

mutmut runs pytest several times in one process (stats, clean run, then a forked child per
mutant). Hypothesis sees a class-based `@given` test bound to a fresh instance on each pass and
fails `HealthCheck.differing_executors`; that is a false positive here. The profile also fixes
the examples drawn (`derandomize`, no example database), so a mutant's verdict is reproducible,
drops the per-example deadline, which the trampolines mutmut adds could otherwise trip, and
skips shrinking: a mutant is killed by the first failing example, and shrinking it only burns
CPU time (enough to hit mutmut's timeout on the slower property tests).
"""

import pytest
from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
)


def pytest_configure(config: pytest.Config) -> None:
    """Use the mutation profile for the whole session."""
    settings.load_profile("mutation")
