"""The organiser area: logging in and out, the dashboard, and who may see what."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from petition import config
from petition.organisers.accounts import authenticate, set_organiser_password
from tests.conftest import PASSWORD, TEST_PASSWORD_HASH
from tests.helpers.organisers import log_in


def test_every_page_links_to_the_organiser_area(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    for path in ("/", f"/petitions/{petition.slug}?lang=en", "/nothing-here"):
        assert 'href="/organisers/"' in client.get(path).get_data(as_text=True)


def test_the_dashboard_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/organisers/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organisers/login?next=")


def test_logging_in_shows_own_petitions_with_both_counts(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    mine = make_petition(title="Mine")
    make_petition(title="Someone else's", organiser=make_organiser("other@example.org"))
    client.post(f"/petitions/{mine.slug}/sign", data={"name": "Ann", "email": "ann@example.org"})
    response = log_in(client, email="  Organiser@Example.org ")
    assert response.status_code == 303 and response.headers["Location"] == "/organisers/"
    page = client.get("/organisers/").get_data(as_text=True)
    assert "Mine" in page and "Someone else" not in page
    assert '<td class="num" data-label="Verified">0</td>' in page
    assert '<td class="num" data-label="Awaiting confirmation">1</td>' in page
    assert f"/organisers/petitions/{mine.slug}/export.csv" in page


def test_a_wrong_password_is_refused_without_saying_which_part(
    client: FlaskClient, make_organiser
) -> None:
    make_organiser()
    wrong_password = log_in(client, password="wrong password here")
    unknown_user = log_in(client, email="nobody@example.org")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert "do not match an organiser" in response.get_data(as_text=True)
    assert client.get("/organisers/").status_code == 302


def test_empty_and_oversized_login_fields_get_messages(client: FlaskClient) -> None:
    response = log_in(client, email="", password="x" * 2000)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter your email address." in page and "At most 1024 characters." in page


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/organisers/petitions/x/export.csv", "/organisers/petitions/x/export.csv"),
        ("https://evil.example.com/", "/organisers/"),
        ("//evil.example.com/", "/organisers/"),
        ("/\\evil.example.com", "/organisers/"),
        ("javascript:alert(1)", "/organisers/"),
    ],
)
def test_after_login_only_our_own_paths_are_followed(
    client: FlaskClient, make_organiser, next_url: str, landing: str
) -> None:
    make_organiser()
    response = log_in(client, query_string={"next": next_url})
    assert response.headers["Location"] == landing


def test_logging_out_ends_the_session(client: FlaskClient, make_organiser) -> None:
    make_organiser()
    log_in(client)
    assert client.get("/organisers/").status_code == 200
    assert client.post("/organisers/logout").status_code == 303
    assert client.get("/organisers/").status_code == 302
    assert client.get("/organisers/logout").status_code == 405


def test_passwords_are_stored_hashed_with_scrypt(app: Flask, make_organiser) -> None:
    organiser = make_organiser()
    assert PASSWORD not in organiser.password_hash
    assert organiser.password_hash.startswith(f"{TEST_PASSWORD_HASH}$")


def test_a_site_hashes_passwords_at_full_cost_unless_told_otherwise(make_app) -> None:
    app = make_app(PASSWORD_HASH_METHOD=config.PASSWORD_HASH_METHOD)
    with app.app_context():
        organiser = set_organiser_password("strong@example.org", PASSWORD)
        assert organiser.password_hash.startswith("scrypt:32768:8:1$")
        assert authenticate("strong@example.org", PASSWORD) == organiser
        assert authenticate("strong@example.org", PASSWORD + "!") is None
