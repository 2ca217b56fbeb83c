"""Settings: the documented order, and a production app that refuses an unsafe key."""

import pytest
from flask import Flask

from petition import create_app


def test_production_refuses_the_development_secret_key(monkeypatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_to_start_without_a_client_hash_key(monkeypatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("FLASK_CLIENT_HASH_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="CLIENT_HASH_KEY"):
        create_app()


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("FLASK_CLIENT_HASH_KEY", "another-long-random-production-secret")
    monkeypatch.setenv("FLASK_MAIL_PORT", "2525")
    monkeypatch.setenv("FLASK_CONFIRMATION_MAX_AGE", "3600")
    monkeypatch.setenv("FLASK_PUBLIC_URL", "https://sign.example.org")
    app = create_app()
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["CONFIRMATION_MAX_AGE"] == 3600
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


def test_the_test_mapping_skips_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("FLASK_MAIL_PORT", "2525")
    app = create_app({"TESTING": True})
    assert app.config["MAIL_PORT"] == 25


def test_the_factory_does_no_work(tmp_path) -> None:
    database = tmp_path / "untouched.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert isinstance(app, Flask)
    assert not database.exists()  # no connection, no create_all at start-up
