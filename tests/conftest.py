"""Root test configuration: loads one fixture plugin per concern (style.md §9).

Hypothesis runs with the `sentinel` profile: its check that drawing inputs is fast
(`HealthCheck.too_slow`) measures the wall clock, and on two shared CPUs, beside PostgreSQL,
Mosquitto and the other test worker, one draw can wait seconds for the CPU (a CI run failed a
round trip of reader topics on a 1.7 s first draw of a short regex). Everything a property
asserts, and the examples drawn, stay as they are. The mutation run loads its own profile
(`tests/mutmut_plugin.py`) after this one.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("sentinel", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sentinel")

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.database",
    "tests.fixtures.mqtt",
    "tests.fixtures.ingest",
    "tests.fixtures.auth",
]
