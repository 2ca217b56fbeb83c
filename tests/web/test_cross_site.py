"""Forms posted from other sites are refused before any view runs (petition.web.cross_site),
whatever the form, while our own pages, mail clients' one-click unsubscribes and pages whose
referrer policy makes the browser say `Origin: null` still reach their token checks (except the
forms of a petition's shared pages, whose token anyone can read)."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from petition.models import Petition
from tests.helpers.http import csrf_token, form_token
from tests.helpers.signing import count_of

SIGNER = {"name": "Айгерим", "email": "aigerim@example.org"}


@pytest.fixture
def guarded(make_app) -> FlaskClient:
    """A client of an app with CSRF and form tokens switched on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def post_form(client: FlaskClient, petition: Petition, **headers: str):
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    data = SIGNER | {"form_token": form_token(page)}
    return client.post(f"/petitions/{petition.slug}/sign", data=data, headers=headers)


def post_without_token(client: FlaskClient, petition: Petition, origin: str):
    return client.post(f"/petitions/{petition.slug}/sign", data=SIGNER, headers={"Origin": origin})


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "https://petitions.example.org.evil.example"},
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "https://petitions.example.org", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_form_posted_from_another_site_is_refused_even_with_a_good_token(
    app: Flask, guarded: FlaskClient, make_petition, headers: dict[str, str]
) -> None:
    petition = make_petition()
    assert post_form(guarded, petition, **headers).status_code == 403
    assert count_of(petition) == 0 and guarded.application is not None


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no browser page: curl, a mail provider's one-click unsubscribe
        {"Origin": "https://petitions.example.org", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar, a bookmark
    ],
)
def test_our_own_pages_and_clients_that_are_no_page_reach_the_form(
    app: Flask, guarded: FlaskClient, make_petition, headers: dict[str, str]
) -> None:
    petition = make_petition()
    assert post_form(guarded, petition, **headers).status_code == 303


def test_a_null_origin_still_needs_the_session_token(app: Flask, guarded: FlaskClient) -> None:
    """A page with Referrer-Policy: no-referrer posts as `Origin: null`: the token decides."""
    login = {"email": "a@example.org", "password": "not the password"}
    refused = guarded.post("/organisers/login", data=login, headers={"Origin": "null"})
    assert refused.status_code == 400  # Flask-WTF's refusal: no session token
    page = guarded.get("/organisers/login").get_data(as_text=True)
    tried = guarded.post(
        "/organisers/login",
        data=login | {"csrf_token": csrf_token(page)},
        headers={"Origin": "null"},
    )
    assert tried.status_code == 401  # the token passed; the password did not


def test_a_petitions_form_from_an_opaque_origin_is_refused_even_with_its_token(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    """Anyone can read the shared page's form token, so the origin must be ours."""
    petition = make_petition()
    assert post_form(guarded, petition, Origin="null").status_code == 403
    assert count_of(petition) == 0


def test_reads_are_never_refused_for_where_they_come_from(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://campaign.example"}
    assert guarded.get(f"/petitions/{petition.slug}.json", headers=headers).status_code == 200
    assert guarded.get(f"/petitions/{petition.slug}?lang=en", headers=headers).status_code == 200


def test_a_post_from_another_site_is_refused_before_its_token_is_even_read(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    response = post_without_token(guarded, make_petition(), "https://evil.example")
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
