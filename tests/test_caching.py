"""Read storms: the petition page and its JSON carry Cache-Control and answer revalidation with 304."""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature
from petition.signing import confirm_signature, confirmation_token, sign_petition


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask]) -> Flask:
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
    assert changed.json["signature_count"] == 1 and changed.headers["ETag"] != etag


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
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', first.text).group(1)
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
