"""Wrong passwords: the same answers for real and unknown addresses, slowed per (address, client),
so guessing never locks an organiser out of another client."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from petition.extensions import db
from petition.models import LoginFailures, utcnow
from petition.organisers.accounts import set_organiser_password
from petition.organisers.login_attempts import login_delay
from petition.signing.retention import purge
from petition.web.clients import attempt_hash
from tests.conftest import PASSWORD

REAL = "organiser@example.org"
UNKNOWN = "nobody-here@example.org"


@pytest.fixture
def site(make_app: Callable[..., Flask]) -> Flask:
    """An app with one organiser, used from outside its app context as browsers do."""
    # A first delay of ten minutes: no machine is slow enough for it to run out mid-test.
    app = make_app(LOGIN_DELAY_FIRST=600)
    with app.app_context():
        set_organiser_password(REAL, PASSWORD)
    return app


def attempt(app: Flask, email: str, password: str, address: str) -> tuple[int, str]:
    response = app.test_client().post(
        "/organisers/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    # The page repeats the address typed; everything else must be the same for any address.
    return response.status_code, response.get_data(as_text=True).replace(email, "ADDRESS")


def test_real_and_unknown_addresses_get_the_same_answers(site: Flask) -> None:
    real = [attempt(site, REAL, "wrong password!", "192.0.2.10") for _ in range(8)]
    unknown = [attempt(site, UNKNOWN, "wrong password!", "192.0.2.11") for _ in range(8)]
    assert [status for status, _ in real] == [401] * 5 + [429] * 3
    assert [status for status, _ in unknown] == [status for status, _ in real]
    assert [page for _, page in unknown] == [page for _, page in real]
    assert "Please try again in 10 minutes." in real[-1][1]


def test_a_delayed_client_does_not_lock_the_organiser_out_elsewhere(site: Flask) -> None:
    guesser = "203.0.113.66"
    for _ in range(6):
        attempt(site, REAL, "wrong password!", guesser)
    assert attempt(site, REAL, PASSWORD, guesser)[0] == 429  # the right password waits here too
    assert attempt(site, REAL, PASSWORD, "198.51.100.20")[0] == 303
    assert attempt(site, " Organiser@Example.org ", "again wrong", guesser)[0] == 429


def test_after_the_delay_the_right_password_works_and_clears_the_count(site: Flask) -> None:
    client = "192.0.2.30"
    for _ in range(6):
        attempt(site, REAL, "wrong password!", client)
    with site.app_context():
        row = db.session.get(LoginFailures, attempt_hash(REAL, client))
        assert row is not None and row.failures == 5 and row.blocked_until is not None
        row.blocked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert attempt(site, REAL, PASSWORD, client)[0] == 303
    with site.app_context():
        assert db.session.scalars(select(LoginFailures)).all() == []


def test_counts_keep_no_address_in_clear(site: Flask) -> None:
    attempt(site, REAL, "wrong password!", "192.0.2.40")
    with site.app_context():
        keys = db.session.scalars(select(LoginFailures.key)).all()
    assert len(keys) == 1 and "192.0.2.40" not in keys[0] and "organiser" not in keys[0]


def test_the_delay_doubles_up_to_its_ceiling(app: Flask) -> None:
    app.config.update(LOGIN_FAILURES_ALLOWED=5, LOGIN_DELAY_MAX=900)
    assert [login_delay(n) for n in (4, 5, 6, 7, 14, 15, 50)] == [0, 1, 2, 4, 512, 900, 900]


def test_purge_forgets_counts_quiet_for_a_day(site: Flask) -> None:
    attempt(site, REAL, "wrong password!", "192.0.2.50")
    attempt(site, REAL, "wrong password!", "192.0.2.51")
    with site.app_context():
        stale = db.session.get(LoginFailures, attempt_hash(REAL, "192.0.2.50"))
        assert stale is not None
        stale.last_failed_at = utcnow() - timedelta(days=1, minutes=1)
        db.session.commit()
        assert purge().login_counts_deleted == 1
        kept = db.session.scalars(select(LoginFailures.key)).all()
    assert kept == [attempt_hash_in(site, REAL, "192.0.2.51")]


def attempt_hash_in(app: Flask, login: str, address: str) -> str:
    with app.app_context():
        return attempt_hash(login, address)
