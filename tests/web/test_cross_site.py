"""Forms posted from other sites are refused before any view runs (petition.web.cross_site),
whatever the form, while our own pages, mail clients' one-click unsubscribes and pages whose
referrer policy makes the browser say `Origin: null` still reach their token checks."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from petition.models import Petition
from tests.helpers.http import csrf_token
from tests.helpers.signing import count_of

SIGNER = {"name": "Айгерим", "email": "aigerim@example.org"}


@pytest.fixture
def guarded(make_app) -> FlaskClient:
    """A client of an app with session CSRF switched on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def post_form(client: FlaskClient, petition: Petition, **headers: str):
    page = client.get(f"/petitions/{petition.slug}").get_data(as_text=True)
    data = SIGNER | {"csrf_token": csrf_token(page)}
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
        {"Origin": "null"},  # a page with Referrer-Policy: no-referrer
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar, a bookmark
    ],
)
def test_our_own_pages_and_clients_that_are_no_page_reach_the_form(
    app: Flask, guarded: FlaskClient, make_petition, headers: dict[str, str]
) -> None:
    petition = make_petition()
    assert post_form(guarded, petition, **headers).status_code == 303


def test_a_null_origin_still_needs_the_session_token(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    assert post_without_token(guarded, make_petition(), "null").status_code == 400


def test_reads_are_never_refused_for_where_they_come_from(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://campaign.example"}
    assert guarded.get(f"/petitions/{petition.slug}.json", headers=headers).status_code == 200
    assert guarded.get(f"/petitions/{petition.slug}", headers=headers).status_code == 200


def test_a_post_from_another_site_is_refused_before_its_token_is_even_read(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    response = post_without_token(guarded, make_petition(), "https://evil.example")
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
