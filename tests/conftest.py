"""Root test configuration: loads one fixture plugin per concern (style.md §9)."""

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.database",
    "tests.fixtures.mqtt",
    "tests.fixtures.ingest",
    "tests.fixtures.auth",
]
