"""The app on a database with no tables yet, shared with the upgrade tests of tests/core."""

from tests.core.test_cli import empty_database_app, logging_restored  # noqa: F401
