"""The secured broker shared by the broker tests of one module."""

from collections.abc import Iterator

import pytest

from tests.fixtures.secure_broker import SecureBroker, start_secure_broker


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """A broker with the production security settings, shared by one test module."""
    with start_secure_broker(tmp_path_factory.mktemp("secure-broker")) as broker:
        yield broker
