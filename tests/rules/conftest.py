"""The engine's tests need no database: they run once, not again on PostgreSQL."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/rules/" in str(item.fspath):
            item.add_marker(pytest.mark.engine_only)
