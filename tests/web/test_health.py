"""/healthz tells a load balancer whether this process can reach its database."""

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def test_healthz_is_ok_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": True}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_and_pages_answer_503_when_the_database_is_unreachable(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    make_app()  # the fixture's own database, created and dropped as usual
    unreachable = f"sqlite:///{tmp_path / 'no-such-directory' / 'petition.sqlite3'}"
    client = make_app(SQLALCHEMY_DATABASE_URI=unreachable).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": False}
    page = client.get("/petitions/stop-evictions?lang=en")
    assert page.status_code == 503
    assert "Temporarily unavailable" in page.text
