"""The salutations migration adds its column and takes it away again, on either database."""

from flask import Flask
from sqlalchemy import inspect

from petition.extensions import db
from tests.core.test_cli import empty_database_app, logging_restored  # noqa: F401 - fixtures

BEFORE = "f1e3dde1ac7a"  # wider counts: the revision the salutations follow


def _target_columns() -> set[str]:
    db.session.remove()
    db.engine.dispose()
    return {column["name"] for column in inspect(db.engine).get_columns("letter_targets")}


def test_the_salutation_column_comes_and_goes(empty_database_app: Flask) -> None:  # noqa: F811
    runner = empty_database_app.test_cli_runner()
    with empty_database_app.app_context():
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert "salutation" in _target_columns()
        downgrade = runner.invoke(args=["db", "downgrade", BEFORE])
        assert downgrade.exit_code == 0, downgrade.output
        assert "salutation" not in _target_columns()
        assert "name" in _target_columns()
        again = runner.invoke(args=["db", "upgrade"])
        assert again.exit_code == 0, again.output
        check = runner.invoke(args=["db", "check"])  # the models and the tables agree
        assert check.exit_code == 0, check.output
        db.session.remove()
        db.engine.dispose()
