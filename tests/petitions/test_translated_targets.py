"""A petition's version names whom it addresses in its own language, on the page and in JSON."""

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect

from petition.extensions import db
from petition.models import Petition
from petition.petitions.versions import save_petition_text
from tests.conftest import PASSWORD
from tests.core.test_cli import empty_database_app, logging_restored  # noqa: F401 - fixtures
from tests.helpers.checks import json_of

ORIGINAL = "The city administration"
KAZAKH = "Қала әкімдігі"


def test_a_version_with_its_own_target_shows_it_and_one_without_shows_the_originals(
    app: Flask, client: FlaskClient, make_petition: Callable[..., Petition]
) -> None:
    petition = make_petition(slug="trees", target=ORIGINAL)
    save_petition_text(
        petition, petition.organisers[0], language="ru", title="Спасите деревья", body="Текст."
    )
    login = {"email": "organiser@example.org", "password": PASSWORD}
    assert client.post("/organisers/login", data=login).status_code == 303
    form = client.get("/organisers/petitions/trees/texts?language=kk").text
    assert 'name="target"' in form
    data = {"language": "kk", "title": "Ағаштарды сақтаңыз", "body": "Мәтін.", "target": KAZAKH}
    saved = client.post("/organisers/petitions/trees/texts", data=data | {"action": "save"})
    assert saved.status_code == 303, saved.text[-800:]
    assert f'value="{KAZAKH}"' in client.get("/organisers/petitions/trees/texts?language=kk").text

    kazakh = client.get("/petitions/trees?lang=kk").text
    assert KAZAKH in kazakh and ORIGINAL not in kazakh
    assert ORIGINAL in client.get("/petitions/trees?lang=ru").text  # no target of its own
    assert KAZAKH not in client.get("/petitions/trees?lang=en").text
    assert json_of(client.get("/api/v1/petitions/trees?lang=kk"))["target"] == KAZAKH
    assert json_of(client.get("/api/v1/petitions/trees?lang=en"))["target"] == ORIGINAL


def test_the_migration_adds_the_target_to_versions_and_takes_it_away(
    empty_database_app: Flask,  # noqa: F811
) -> None:
    runner = empty_database_app.test_cli_runner()
    with empty_database_app.app_context():
        before = runner.invoke(args=["db", "upgrade", "0015_letter_salutations"])
        assert before.exit_code == 0, before.output
        db.session.execute(
            db.text(
                "INSERT INTO petitions (slug, title, body, target, collects_country, created_at,"
                " signature_count, blocks_disposable)"
                " VALUES ('old', 'Old', 'Text', 'The mayor', false, CURRENT_TIMESTAMP, 0, false)"
            )
        )
        db.session.execute(
            db.text(
                "INSERT INTO petition_texts (petition_id, language, title, body, created_at,"
                " updated_at) SELECT id, 'ru', 'Старое', 'Текст', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP FROM petitions"
            )
        )
        db.session.commit()
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert db.session.scalar(db.text("SELECT target FROM petition_texts")) is None
        check = runner.invoke(args=["db", "check"])
        assert check.exit_code == 0, check.output
        db.session.commit()
        downgrade = runner.invoke(args=["db", "downgrade", "0015_letter_salutations"])
        assert downgrade.exit_code == 0, downgrade.output
        db.session.remove()
        db.engine.dispose()
        columns = {column["name"] for column in inspect(db.engine).get_columns("petition_texts")}
        assert "target" not in columns
        assert db.session.scalar(db.text("SELECT title FROM petition_texts")) == "Старое"
        db.session.execute(db.text("DELETE FROM petition_texts"))
        db.session.execute(db.text("DELETE FROM petitions"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
