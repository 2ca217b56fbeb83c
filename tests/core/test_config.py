"""Settings: the documented order, and a production app that refuses an unsafe key."""

import re
import shlex
from pathlib import Path

import pytest
from flask import Flask

from petition import create_app

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 32


def test_production_refuses_the_development_secret_key(monkeypatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("key", ["short", "x" * 31, "ключ" * 3])  # "ключ" * 3: 24 bytes
def test_a_secret_key_shorter_than_32_bytes_is_refused_even_in_debug(monkeypatch, key: str) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", key)
    monkeypatch.setenv("FLASK_CLIENT_HASH_KEY", LONG_KEY)
    for debug in ("0", "1"):
        monkeypatch.setenv("FLASK_DEBUG", debug)
        with pytest.raises(RuntimeError, match="at least 32"):
            create_app()
    monkeypatch.setenv("FLASK_SECRET_KEY", "ключ" * 4)  # 32 bytes in 16 letters: enough
    assert create_app().config["SECRET_KEY"] == "ключ" * 4


def test_debug_mode_alone_no_longer_allows_the_development_key(monkeypatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEV_MAIL_VIEWER", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="development key"):
        create_app()


def test_make_run_still_starts_with_the_development_key(monkeypatch) -> None:
    # The environment `make run` gives every flask command, read from the Makefile itself.
    line = re.search(r"^FLASK := (.*)\$\(BIN\)/flask", (ROOT / "Makefile").read_text(), re.M)
    assert line
    for setting in shlex.split(line.group(1)):
        name, value = setting.split("=", 1)
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    app = create_app()
    assert app.debug and app.config["DEV_MAIL_VIEWER"] is True
    assert app.config["SECRET_KEY"] == "dev-only-insecure-secret-key"


def test_production_refuses_to_start_without_a_client_hash_key(monkeypatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-long-random-production-secret-for-tests")
    monkeypatch.delenv("FLASK_CLIENT_HASH_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="CLIENT_HASH_KEY"):
        create_app()


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-long-random-production-secret-for-tests")
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
