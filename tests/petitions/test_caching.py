"""Read storms: the petition page and its JSON are one copy for everyone, kept by shared caches,
and revalidate with 304; nothing personal is ever marked shareable."""

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

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
    assert first.headers["Cache-Control"] == SHARED
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


PAGE = "/petitions/stop-evictions?lang=en"
SHARED = "public, max-age=7, s-maxage=7, stale-while-revalidate=60"
# A page: kept by shared caches, asked for again by the browser (a cache answers it at once).
PAGE_SHARED = "public, max-age=0, s-maxage=7, stale-while-revalidate=60"


def form_token_in(page: str) -> str:
    return must(re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)).group(1)


def test_the_page_is_one_copy_for_every_anonymous_visitor(
    csrf_app: Flask, petition: Petition
) -> None:
    first = csrf_app.test_client().get(PAGE)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == PAGE_SHARED
    assert "Set-Cookie" not in first.headers  # a shared cache must not store anyone's cookie
    assert "Vary" not in first.headers  # the address alone says what the copy is
    assert 'name="csrf_token"' not in first.text, "no session's token in a shared copy"
    form_token_in(first.text)
    etag = first.headers["ETag"]
    stranger = csrf_app.test_client().get(PAGE, headers={"If-None-Match": etag})
    assert stranger.status_code == 304, "another visitor may reuse the copy"

    confirm_one(petition, 1)
    changed = csrf_app.test_client().get(PAGE, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_visitor_with_only_a_language_cookie_gets_the_shared_copy(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    client.set_cookie("lang", "ru")
    page = client.get(PAGE)
    assert page.headers["Cache-Control"] == PAGE_SHARED
    assert '<html lang="en">' in page.text, "the address chose English"
    assert "Set-Cookie" not in page.headers and "Vary" not in page.headers


@pytest.mark.parametrize(
    ("headers", "cookie", "language"),
    [({}, None, "en"), ({"Accept-Language": "ru-RU,ru;q=0.9"}, None, "ru"), ({}, "kk", "kk")],
)
def test_the_bare_address_leads_to_the_copy_in_the_visitors_language(
    csrf_app: Flask,
    petition: Petition,
    headers: dict[str, str],
    cookie: str | None,
    language: str,
) -> None:
    client = csrf_app.test_client()
    if cookie:
        client.set_cookie("lang", cookie)
    answer = client.get("/petitions/stop-evictions?utm_source=news", headers=headers)
    assert answer.status_code == 302
    assert answer.location == f"/petitions/stop-evictions?utm_source=news&lang={language}"
    # A shared cache may keep the redirect, one per language asked and choice remembered.
    assert answer.headers["Cache-Control"] == SHARED
    assert {"Accept-Language", "Cookie"} <= set(answer.vary)
    assert "Set-Cookie" not in answer.headers


def test_an_unknown_language_in_the_address_is_replaced(
    csrf_app: Flask, petition: Petition
) -> None:
    answer = csrf_app.test_client().get("/petitions/stop-evictions?lang=xx")
    assert answer.status_code == 302
    assert answer.location == "/petitions/stop-evictions?lang=en"


def test_any_visitors_copy_signs_and_a_foreign_or_stale_token_does_not(
    csrf_app: Flask, petition: Petition, make_petition
) -> None:
    token = form_token_in(csrf_app.test_client().get(PAGE).text)
    make_petition(slug="other")
    other_token = form_token_in(csrf_app.test_client().get("/petitions/other?lang=en").text)
    assert other_token != token

    def sign(form_token: str | None, **headers: str) -> TestResponse:
        data = {"name": "Bob", "email": "bob@example.org"}
        if form_token is not None:
            data["form_token"] = form_token
        return csrf_app.test_client().post(
            "/petitions/stop-evictions/sign?lang=en", data=data, headers=headers
        )

    assert sign(token).status_code == 303, "the shared copy's token signs for anyone"
    stale = "This form was open for a long time."
    for refused in (sign(None), sign(other_token), sign(token[:-2] + "xx")):
        assert refused.status_code == 400 and stale in refused.text
        assert refused.headers["Cache-Control"] == "private, no-store"
        assert form_token_in(refused.text) != other_token, "the page comes back with a fresh one"
    assert sign(token, Origin="null").status_code == 403, "the token is public: whose page?"
    assert sign(token, Origin="http://localhost").status_code == 303


def test_a_page_kept_through_a_304_still_signs(csrf_app: Flask, petition: Petition) -> None:
    client = csrf_app.test_client()
    first = client.get(PAGE)
    assert client.get(PAGE, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    signed = client.post(
        "/petitions/stop-evictions/sign",
        data={"form_token": form_token_in(first.text), "name": "Ada", "email": "ada@example.org"},
    )
    assert signed.status_code == 303


def test_sign_errors_and_confirmations_are_kept_by_no_cache(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    refused = client.post("/petitions/stop-evictions/sign", data={"name": "", "email": "x"})
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert client.get("/confirm/not-a-token").headers["Cache-Control"] == "private, no-store"


def test_the_kept_page_follows_the_address_language(csrf_app: Flask, petition: Petition) -> None:
    client = csrf_app.test_client()
    english = client.get(PAGE, headers={"Accept-Language": "ru"})
    russian = client.get("/petitions/stop-evictions?lang=ru")
    kazakh = client.get("/petitions/stop-evictions?lang=kk", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text
    assert '<html lang="ru">' in russian.text
    assert '<html lang="kk">' in kazakh.text
    assert english.text.count('type="submit"') == russian.text.count('type="submit"')


def test_the_kept_page_keeps_the_visitors_own_query_in_the_language_links(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    client.get(PAGE)
    tagged = client.get("/petitions/stop-evictions?utm_source=news&lang=en").text
    assert "utm_source%3Dnews" in tagged
    assert "utm_source" not in client.get(PAGE).text


def test_the_switcher_remembers_the_choice_and_leads_back(
    csrf_app: Flask, petition: Petition
) -> None:
    client = csrf_app.test_client()
    chosen = client.get("/language?lang=kk&next=/petitions/stop-evictions%3Fpage%3D2")
    assert chosen.status_code == 303
    assert chosen.location == "/petitions/stop-evictions?page=2&lang=kk"
    assert "lang=kk" in chosen.headers["Set-Cookie"]
    bare = client.get("/petitions/stop-evictions", headers={"Accept-Language": "ru"})
    assert bare.location == "/petitions/stop-evictions?lang=kk", "the choice beats the browser"


@pytest.mark.parametrize(
    "elsewhere",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_the_switcher_leads_nowhere_but_this_site(csrf_app: Flask, elsewhere: str) -> None:
    answer = csrf_app.test_client().get("/language", query_string={"lang": "ru", "next": elsewhere})
    assert answer.status_code == 303
    assert answer.location == "/?lang=ru"


def test_a_logged_in_organiser_never_gets_or_leaves_a_shared_copy(
    csrf_app: Flask, petition: Petition, make_organiser
) -> None:
    csrf_app.test_client().get(PAGE)  # a copy for anonymous visitors
    organiser = csrf_app.test_client()
    make_organiser(email="org@example.org", password="correct horse battery")
    login = organiser.get("/organisers/login").text
    organiser.post(
        "/organisers/login",
        data={
            "csrf_token": must(
                re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)
            ).group(1),
            "email": "org@example.org",
            "password": "correct horse battery",
        },
    )
    page = organiser.get(PAGE)
    assert "/organisers/logout" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"


def test_the_json_count_opens_no_session(csrf_app: Flask, petition: Petition) -> None:
    """The same for everyone, so it neither reads nor varies by the visitor's cookies."""
    client = csrf_app.test_client()
    signed = client.post(
        "/petitions/stop-evictions/sign",
        data={"form_token": form_token_in(client.get(PAGE).text), "name": "A", "email": "a@a.org"},
    )
    assert "session=" in signed.headers["Set-Cookie"]  # now the client holds a session cookie
    count = client.get("/petitions/stop-evictions.json")
    assert "Set-Cookie" not in count.headers
    assert "Cookie" not in (count.headers.get("Vary") or "")


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


def test_a_line_break_in_the_switchers_address_writes_no_header(csrf_app: Flask) -> None:
    answer = csrf_app.test_client().get(
        "/language", query_string={"lang": "kk", "next": "/\r\nSet-Cookie: planted=1"}
    )
    assert answer.status_code == 303
    assert answer.location.startswith("/") and "\n" not in answer.location
    assert "planted" not in answer.headers.get("Set-Cookie", "")
