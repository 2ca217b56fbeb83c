"""Read storms: the petition page and its JSON carry Cache-Control and answer revalidation with 304."""

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from tests.helpers.checks import json_of, must


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """CSRF on, as in production, so the page carries a session-bound token."""
    app = make_app(
        WTF_CSRF_ENABLED=True, PAGE_CACHE_MAX_AGE=7, PAGE_CACHE_STALE_WHILE_REVALIDATE=60
    )
    with app.app_context():
        yield app


@pytest.fixture
def petition(csrf_app: Flask, make_petition) -> Petition:
    return make_petition(slug="stop-evictions")


def confirm_one(petition: Petition, number: int) -> None:
    sign_petition(petition, name=f"Signer {number}", email=f"s{number}@example.org")
    signature = db.session.scalars(select(Signature).order_by(Signature.id.desc())).first()
    assert signature is not None
    confirm_signature(confirmation_token(signature))


def test_json_is_shared_cacheable_and_revalidates_with_304(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    first = client.get("/petitions/stop-evictions.json")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=7, stale-while-revalidate=60"
    assert "Set-Cookie" not in first.headers  # a shared cache must not store someone's session
    etag = first.headers["ETag"]
    again = csrf_app.test_client().get(
        "/petitions/stop-evictions.json", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.data == b""

    confirm_one(petition, 1)
    changed = client.get("/petitions/stop-evictions.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert json_of(changed)["signature_count"] == 1 and changed.headers["ETag"] != etag


def test_page_is_private_and_revalidates_for_the_same_session(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    first = client.get("/petitions/stop-evictions")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, max-age=7, stale-while-revalidate=60"
    assert "Cookie" in first.headers["Vary"]
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', first.text)
    etag = first.headers["ETag"]
    again = client.get("/petitions/stop-evictions", headers={"If-None-Match": etag})
    assert again.status_code == 304

    confirm_one(petition, 1)
    changed = client.get("/petitions/stop-evictions", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_another_session_never_gets_a_304_for_a_page_with_someone_elses_token(
    csrf_app: Flask, petition: Petition
) -> None:
    etag = csrf_app.test_client().get("/petitions/stop-evictions").headers["ETag"]
    stranger = csrf_app.test_client().get(
        "/petitions/stop-evictions", headers={"If-None-Match": etag}
    )
    assert stranger.status_code == 200
    assert stranger.headers["ETag"] != etag


def test_a_page_kept_through_a_304_still_signs(csrf_app: Flask, petition: Petition) -> None:
    client = csrf_app.test_client()
    first = client.get("/petitions/stop-evictions")
    assert (
        client.get(
            "/petitions/stop-evictions", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    token = must(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', first.text)).group(1)
    signed = client.post(
        "/petitions/stop-evictions/sign",
        data={"csrf_token": token, "name": "Ada", "email": "ada@example.org"},
    )
    assert signed.status_code == 303


def test_sign_errors_and_confirmations_are_not_cached(csrf_app: Flask, petition: Petition) -> None:
    client = csrf_app.test_client()
    refused = client.post("/petitions/stop-evictions/sign", data={"name": "", "email": "x"})
    assert "Cache-Control" not in refused.headers
    assert "Cache-Control" not in client.get("/confirm/not-a-token").headers


def csrf_token_in(page: str) -> str:
    return must(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)).group(1)


def test_each_visitor_gets_their_own_token_in_the_kept_page(
    csrf_app: Flask, petition: Petition
) -> None:
    ada, bob = csrf_app.test_client(), csrf_app.test_client()
    ada_token = csrf_token_in(ada.get("/petitions/stop-evictions").text)
    bob_page = bob.get("/petitions/stop-evictions").text
    assert ada_token not in bob_page
    assert "csrf-placeholder" not in bob_page
    swapped = bob.post(
        "/petitions/stop-evictions/sign",
        data={"csrf_token": ada_token, "name": "Bob", "email": "bob@example.org"},
    )
    assert swapped.status_code == 400, "one visitor's token must not sign for another"
    own = bob.post(
        "/petitions/stop-evictions/sign",
        data={"csrf_token": csrf_token_in(bob_page), "name": "Bob", "email": "bob@example.org"},
    )
    assert own.status_code == 303


def test_the_kept_page_follows_the_visitors_language(csrf_app: Flask, petition: Petition) -> None:
    client = csrf_app.test_client()
    english = client.get("/petitions/stop-evictions", headers={"Accept-Language": "en"})
    russian = client.get("/petitions/stop-evictions", headers={"Accept-Language": "ru"})
    kazakh = client.get("/petitions/stop-evictions?lang=kk")
    assert '<html lang="en">' in english.text
    assert '<html lang="ru">' in russian.text
    assert '<html lang="kk">' in kazakh.text
    assert english.text.count('type="submit"') == russian.text.count('type="submit"')


def test_the_kept_page_keeps_the_visitors_own_query_in_the_language_links(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    client.get("/petitions/stop-evictions")
    tagged = client.get("/petitions/stop-evictions?utm_source=news").text
    assert "utm_source=news" in tagged
    assert "utm_source" not in client.get("/petitions/stop-evictions").text


def test_a_logged_in_organiser_never_gets_an_anonymous_copy(
    csrf_app: Flask, petition: Petition, make_organiser
) -> None:
    csrf_app.test_client().get("/petitions/stop-evictions")  # a copy for anonymous visitors
    organiser = csrf_app.test_client()
    make_organiser(email="org@example.org", password="correct horse battery")
    login = organiser.get("/organisers/login").text
    organiser.post(
        "/organisers/login",
        data={
            "csrf_token": csrf_token_in(login),
            "email": "org@example.org",
            "password": "correct horse battery",
        },
    )
    page = organiser.get("/petitions/stop-evictions").text
    assert "/organisers/logout" in page


def test_the_json_count_opens_no_session(csrf_app: Flask, petition: Petition) -> None:
    """The same for everyone, so it neither reads nor varies by the visitor's cookies."""
    client = csrf_app.test_client()
    client.get("/petitions/stop-evictions")  # now the client holds a session cookie
    count = client.get("/petitions/stop-evictions.json")
    assert "Set-Cookie" not in count.headers
    assert "Cookie" not in (count.headers.get("Vary") or "")


def test_an_anonymous_visitors_session_is_written_once(csrf_app: Flask, petition: Petition) -> None:
    """The first page stores the form's token; later pages leave the session cookie alone."""
    client = csrf_app.test_client()
    assert "session=" in client.get("/petitions/stop-evictions").headers["Set-Cookie"]
    again = client.get("/petitions/stop-evictions")
    assert "Set-Cookie" not in again.headers
    assert "Cookie" in again.headers["Vary"]


def test_session_cookies_are_flasks_own_and_old_keys_still_read() -> None:
    """The kept signer makes the same cookies as Flask's and reads those signed with a fallback."""
    from flask.sessions import SecureCookieSessionInterface

    from petition.web.sessions import SessionInterface

    app = Flask(__name__)
    app.secret_key = "current-key-" * 4
    app.config["SECRET_KEY_FALLBACKS"] = ["previous-key-" * 4]
    ours = SessionInterface().get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    data = {"csrf_token": "abc", "_user_id": "1:2"}
    assert flasks is not None
    assert ours is not None
    assert flasks.loads(ours.dumps(data)) == data
    assert ours.loads(flasks.dumps(data)) == data
    before_rotation = Flask(__name__)
    before_rotation.secret_key = "previous-key-" * 4
    old_cookie = must(SecureCookieSessionInterface().get_signing_serializer(before_rotation)).dumps(
        data
    )
    assert ours.loads(old_cookie) == data
