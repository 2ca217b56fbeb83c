"""Headers on every response, framing only for embeddable pages, and hardened sessions."""

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


def test_every_page_gets_a_strict_policy_and_cannot_be_framed(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    for path in ("/", f"/petitions/{petition.slug}", "/privacy", "/organisers/login", "/nowhere"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_pages_contain_no_inline_script_or_style(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    for path in ("/", f"/petitions/{petition.slug}", "/privacy", "/organisers/login"):
        page = client.get(path).get_data(as_text=True)
        assert not INLINE_SCRIPT.search(page), path  # scripts only from files
        assert " style=" not in page and "<style" not in page


def test_embed_endpoints_may_be_framed_anywhere(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    headers = client.get(f"/petitions/{petition.slug}/embed").headers
    assert "frame-ancestors *" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers


def test_https_responses_carry_hsts(client: FlaskClient) -> None:
    headers = client.get("/", base_url="https://petitions.example.org").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_forged_forwarded_proto_is_ignored_without_trusted_proxies(client: FlaskClient) -> None:
    headers = client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    assert "Strict-Transport-Security" not in headers


def test_behind_one_trusted_proxy_its_forwarded_proto_counts(make_app) -> None:
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    assert (
        "Strict-Transport-Security"
        in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    )


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(make_app, make_organiser) -> None:
    app = make_app()
    make_organiser()
    client = app.test_client()
    response = client.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_login_renews_the_session(client: FlaskClient, make_organiser) -> None:
    make_organiser()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_the_request_body_is_capped(app: Flask) -> None:
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024
