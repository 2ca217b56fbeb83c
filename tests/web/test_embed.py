"""The framed widget over HTTP: its cookie-less form guard, and signing through it like the main page."""

import re
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.models import Signature, utcnow
from petition.petitions.editing import StateChange, change_state
from tests.conftest import PASSWORD
from tests.helpers.checks import fingerprint, must
from tests.helpers.mailbox import owed_mail

SIGNER = {"name": "Айгерим Нурланова", "email": "aigerim@example.org"}
PUBLIC = "https://petitions.example.org"


@pytest.fixture
def guarded(make_app) -> FlaskClient:
    """A client of an app with session CSRF switched on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def form_token(page: str) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert match, "the widget's form carries a form token"
    return match.group(1)


def stored_signatures() -> int:
    db.session.rollback()
    return must(db.session.scalar(select(func.count()).select_from(Signature)))


def embed_sign(client: FlaskClient, slug: str, token: str | None, **headers: str):
    data = SIGNER | ({"form_token": token} if token is not None else {})
    return client.post(f"/petitions/{slug}/embed/sign", data=data, headers=headers)


def test_the_widget_shows_the_count_and_a_form_without_session_csrf(
    guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition(goal=50)
    response = guarded.get(f"/petitions/{petition.slug}/embed")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0</strong>" in page and "of a goal of&nbsp;50" in page
    assert f'action="/petitions/{petition.slug}/embed/sign?lang=en#sign-errors"' in page
    assert form_token(page) and 'name="csrf_token"' not in page
    assert (
        f'href="{PUBLIC}/petitions/{petition.slug}" target="_blank" rel="noopener">Read the full petition</a>'
        in page
    )
    assert "Set-Cookie" not in response.headers  # nothing here depends on a cookie
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == [f'<script src="/static/counter.js?v={fingerprint("counter.js")}" defer>']


def test_signing_in_the_frame_needs_no_cookie_and_sends_the_same_confirmation(
    make_app, make_petition
) -> None:
    petition = make_petition()
    framed = make_app(WTF_CSRF_ENABLED=True).test_client(use_cookies=False)
    token = form_token(framed.get(f"/petitions/{petition.slug}/embed").get_data(as_text=True))
    response = embed_sign(framed, petition.slug, token, Origin=PUBLIC)
    assert response.status_code == 303
    assert response.location == f"/petitions/{petition.slug}/embed/check-email#main"
    assert "Check your email" in framed.get(response.location).get_data(as_text=True)
    db.session.rollback()
    [message] = owed_mail()
    assert message.recipient == SIGNER["email"]
    assert message.subject == f"Confirm your signature: {petition.title}"
    confirm = must(re.search(rf"{PUBLIC}(/confirm/\S+)", message.text)).group(1)
    assert framed.post(confirm, follow_redirects=True).status_code == 200
    assert framed.get(f"/petitions/{petition.slug}.json").json["signature_count"] == 1


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 600])
def test_a_post_without_a_genuine_token_keeps_the_input_and_offers_a_fresh_form(
    guarded: FlaskClient, make_petition, token: str | None
) -> None:
    petition = make_petition()
    response = embed_sign(guarded, petition.slug, token)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "press Sign again" in page
    assert 'value="aigerim@example.org"' in page and 'value="Айгерим Нурланова"' in page
    assert stored_signatures() == 0
    assert embed_sign(guarded, petition.slug, form_token(page)).status_code == 303
    assert stored_signatures() == 1


def test_an_expired_token_or_one_for_another_petition_or_purpose_is_refused(
    app: Flask, guarded: FlaskClient, make_petition, monkeypatch
) -> None:
    petition, other = make_petition(), make_petition(title="Another appeal")
    secret = app.config["SECRET_KEY"]
    issued = time.time() - app.config["EMBED_FORM_MAX_AGE"] - 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued)
    expired = tokens.make_token(secret, tokens.PETITION_FORM, petition.id)
    monkeypatch.undo()
    for token in (
        expired,
        tokens.make_token(secret, tokens.PETITION_FORM, other.id),
        tokens.make_token(secret, tokens.CONFIRM_SIGNATURE, petition.id),
        tokens.make_token("another-secret", tokens.PETITION_FORM, petition.id),
    ):
        assert embed_sign(guarded, petition.slug, token).status_code == 400
    assert stored_signatures() == 0


def test_a_post_from_a_page_on_another_site_is_refused(guarded: FlaskClient, make_petition) -> None:
    petition = make_petition()
    token = form_token(guarded.get(f"/petitions/{petition.slug}/embed").get_data(as_text=True))
    for origin in ("https://evil.example", "null", "http://petitions.example.org"):
        assert embed_sign(guarded, petition.slug, token, Origin=origin).status_code == 403
    assert stored_signatures() == 0
    # The request's own address counts as this site too (a proxy may serve another name).
    assert embed_sign(guarded, petition.slug, token, Origin="http://localhost").status_code == 303


def test_bad_input_in_the_widget_gets_messages_next_to_the_fields(
    guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    token = form_token(guarded.get(f"/petitions/{petition.slug}/embed").get_data(as_text=True))
    response = guarded.post(
        f"/petitions/{petition.slug}/embed/sign",
        data={"form_token": token, "name": "", "email": "not an address"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter your name." in page and "Please check your email address." in page
    assert 'aria-describedby="name-error"' in page
    assert stored_signatures() == 0


def test_a_closed_petition_shows_so_in_the_widget_and_takes_nothing(
    app: Flask, guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition(closes_on=(utcnow() - timedelta(days=2)).date())
    page = guarded.get(f"/petitions/{petition.slug}/embed").get_data(as_text=True)
    assert "no longer accepts signatures" in page and "<form" not in page
    token = tokens.make_token(app.config["SECRET_KEY"], tokens.PETITION_FORM, petition.id)
    assert embed_sign(guarded, petition.slug, token).status_code == 409
    assert stored_signatures() == 0
    assert guarded.get("/petitions/nope/embed").status_code == 404


def test_the_pages_form_needs_its_token_as_the_widgets_does(
    guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    forged = guarded.post(f"/petitions/{petition.slug}/sign", data=SIGNER)
    assert forged.status_code == 400 and "press Sign again" in forged.get_data(as_text=True)
    assert stored_signatures() == 0
    page = guarded.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    signed = guarded.post(
        f"/petitions/{petition.slug}/sign", data=SIGNER | {"form_token": form_token(page)}
    )
    assert signed.status_code == 303


def test_the_dashboard_offers_a_copy_paste_snippet(make_app, make_petition, make_organiser) -> None:
    make_petition(title='Save the "Green" park & river')
    client = make_app().test_client()
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    page = client.get("/organisers/").get_data(as_text=True)
    snippet = must(re.search(r"<textarea[^>]*readonly>(.*?)</textarea>", page, re.DOTALL)).group(1)
    # Escaped once for the textarea, so the organiser copies working HTML with its own escapes.
    assert snippet == (
        "&lt;iframe src=&#34;https://petitions.example.org/petitions/save-the-green-park-river/embed&#34; "
        "title=&#34;Sign the petition: Save the &amp;quot;Green&amp;quot; park &amp;amp; river&#34; "
        "width=&#34;100%&#34; height=&#34;680&#34; style=&#34;border:0;max-width:32rem&#34; "
        "loading=&#34;lazy&#34;&gt;&lt;/iframe&gt;"
    )


def test_the_widget_asks_for_the_country_when_the_petition_collects_it(
    guarded: FlaskClient, make_petition
) -> None:
    petition = make_petition(collects_country=True)
    page = guarded.get(f"/petitions/{petition.slug}/embed").get_data(as_text=True)
    assert "<select" in page and 'name="country"' in page
    missing = embed_sign(guarded, petition.slug, form_token(page))
    assert missing.status_code == 400
    assert "Please choose your country." in missing.get_data(as_text=True)
    signed = guarded.post(
        f"/petitions/{petition.slug}/embed/sign",
        data=SIGNER | {"form_token": form_token(page), "country": "KZ"},
    )
    assert signed.status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(Signature.country)) == "KZ"


def test_a_hidden_petition_has_no_widget(
    guarded: FlaskClient, make_petition, make_organiser
) -> None:
    petition = make_petition()
    token = form_token(guarded.get(f"/petitions/{petition.slug}/embed").get_data(as_text=True))
    change_state(petition, make_organiser(), StateChange.HIDE)
    assert guarded.get(f"/petitions/{petition.slug}/embed").status_code == 404
    assert embed_sign(guarded, petition.slug, token).status_code == 404
    assert stored_signatures() == 0
