"""Logins that can be taken back: logging out, a new password and "log out everywhere" end every
session of the account, copies of its cookie included.

The browsers here make requests outside any app context of the test's own, as real ones do: a
shared context would carry one request's logged-in user (kept in `g`) into the next.
"""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from petition.organisers.accounts import set_organiser_password
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"
DASHBOARD = "/organisers/"


@pytest.fixture
def site(make_app: Callable[..., Flask]) -> Flask:
    """An app with one organiser, used from outside its app context."""
    app = make_app()
    with app.app_context():
        set_organiser_password("organiser@example.org", PASSWORD)
    return app


def logged_in(app: Flask, address: str = "192.0.2.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    response = client.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    return client


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie, as a thief who copied it would."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def is_in(client: FlaskClient) -> bool:
    response = client.get(DASHBOARD)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_cookie_copied_before_logout_no_longer_opens_the_dashboard(site: Flask) -> None:
    client = logged_in(site)
    thief = copy_of(site, client)
    assert is_in(thief)  # the copy works as long as the login lasts
    client.post("/organisers/logout")
    assert not is_in(client)
    answer = thief.get(DASHBOARD)
    assert answer.status_code == 302 and answer.location.startswith("/organisers/login")


def test_a_new_password_logs_out_every_other_login_but_not_this_one(site: Flask) -> None:
    laptop, phone = logged_in(site), logged_in(site, "198.51.100.7")
    thief = copy_of(site, laptop)
    changed = laptop.post(
        "/organisers/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert changed.status_code == 200
    assert "Other devices and browsers are logged out." in changed.get_data(as_text=True)
    assert is_in(laptop)
    assert not is_in(phone) and not is_in(thief)


def test_log_out_everywhere_ends_every_login(site: Flask) -> None:
    laptop, phone = logged_in(site), logged_in(site, "198.51.100.7")
    page = laptop.get("/organisers/password").get_data(as_text=True)
    assert 'action="/organisers/logout-everywhere"' in page
    done = laptop.post("/organisers/logout-everywhere", follow_redirects=True)
    assert done.status_code == 200
    assert "You are logged out on every device and browser." in done.get_data(as_text=True)
    assert not is_in(laptop) and not is_in(phone)
    assert is_in(logged_in(site))  # the password still works


def test_log_out_everywhere_is_a_post_that_needs_its_csrf_token(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        set_organiser_password("organiser@example.org", PASSWORD)
    client = app.test_client()
    page = client.get("/organisers/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/organisers/login",
        data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert client.get("/organisers/logout-everywhere").status_code == 405
    assert client.post("/organisers/logout-everywhere").status_code == 400
    assert client.get(DASHBOARD).status_code == 200
    form = client.get("/organisers/password").get_data(as_text=True)
    token = form.split('action="/organisers/logout-everywhere"')[1]
    token = token.split('name="csrf_token" value="')[1].split('"')[0]
    assert (
        client.post("/organisers/logout-everywhere", data={"csrf_token": token}).status_code == 303
    )
    assert client.get(DASHBOARD).status_code == 302


def test_a_password_set_from_the_command_line_ends_the_logins(site: Flask) -> None:
    client = logged_in(site)
    with site.app_context():
        set_organiser_password("organiser@example.org", NEW_PASSWORD)
    assert not is_in(client)


def test_a_session_without_a_version_logs_in_again(site: Flask) -> None:
    client = site.test_client()
    with client.session_transaction() as session:  # as a session from before versions held it
        session["_user_id"] = "1"
        session["_fresh"] = True
    assert not is_in(client)
