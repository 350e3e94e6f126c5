"""Tests marked `postgres` here need PostgreSQL server binaries and are left out of SQLite-only runs
(FLEXCARE_TEST_BACKENDS=sqlite), as the database fixtures leave out their PostgreSQL half."""

import pytest

from tests.conftest import BACKENDS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "postgresql" in BACKENDS:
        return
    here = __file__.rsplit("/", 1)[0]
    left_out = [item for item in items if item.get_closest_marker("postgres") and str(item.path).startswith(here)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]
