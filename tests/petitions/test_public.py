"""The signer's pages over HTTP (Flask's test client): browse, sign, confirm, and every way it can go wrong."""

import re
import time
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.models import Petition, Signature, utcnow
from tests.helpers import signing
from tests.helpers.checks import fingerprint, json_of, must
from tests.helpers.mailbox import owed_mail

SIGNER = {"name": "Айгерим Нурланова", "email": "aigerim@example.org"}
# Every signature here is Aigerim's unless a test says otherwise.
sign = partial(signing.sign, name=SIGNER["name"], email=SIGNER["email"])


def stored_signatures() -> int:
    db.session.rollback()
    return must(db.session.scalar(select(func.count()).select_from(Signature)))


def outbox_texts() -> list[str]:
    db.session.rollback()
    return [message.text for message in owed_mail()]


def confirm_path(text: str) -> str:
    match = re.search(r"https://petitions\.example\.org(/confirm/[^\s?]+)", text)
    assert match, text
    return match.group(1)


def test_home_lists_open_petitions_with_counts(client: FlaskClient, make_petition) -> None:
    make_petition(title="Free the jailed lawyer")
    closed = make_petition(title="An old campaign")
    closed.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Free the jailed lawyer" in page
    assert "An old campaign" not in page
    assert "0</strong>" in page
    assert 'href="/organisers/"' in page


def test_petition_page_shows_everything_a_signer_needs(client: FlaskClient, make_petition) -> None:
    petition = make_petition(
        body="We ask you to **act**.\n\n<script>alert(1)</script>\n\n[site](javascript:alert(1))",
        goal=100,
        closes_on=(utcnow() + timedelta(days=10)).date(),
    )
    response = client.get(f"/petitions/{petition.slug}?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>act</strong>" in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "To: The city administration" in page
    assert "of a goal of&nbsp;100" in page and "<progress" in page
    assert "Open until" in page
    assert 'name="name"' in page and 'name="email"' in page and 'maxlength="200"' in page
    assert "https://t.me/share/url?url=https%3A//petitions.example.org/petitions/" in page
    # No inline script: only the live counter, our own file, deferred; the page works without it.
    counter, share = fingerprint("counter.js"), fingerprint("share.js")
    assert re.findall(r"<script[^>]*>", page) == [
        f'<script src="/static/counter.js?v={counter}" defer>',
        f'<script src="/static/share.js?v={share}" defer>',
    ]
    assert "<script" + f' src="/static/counter.js?v={counter}" defer></script>' in page


@pytest.mark.parametrize("path", ["/petitions/nope", "/petitions/../../etc/passwd", "/petitions/UPPER",
                                  "/petitions/a%00b", "/petitions/nope.json", "/confirm/", "/nothing"])  # fmt: skip
def test_unknown_addresses_get_a_plain_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_signing_shows_check_your_email_and_queues_one_message(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    response = sign(client, petition.slug)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/petitions/{petition.slug}/check-email#main"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in page
    assert stored_signatures() == 1
    assert len(outbox_texts()) == 1


def test_the_response_never_reveals_whether_an_address_signed(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    responses = [sign(client, petition.slug)]  # new
    responses.append(sign(client, petition.slug, email="AIGERIM+x@example.org"))  # pending
    client.post(confirm_path(outbox_texts()[0]))
    responses.append(sign(client, petition.slug))  # confirmed
    responses += [sign(client, petition.slug) for _ in range(4)]  # beyond the message cap
    seen = {(r.status_code, r.headers["Location"], r.get_data()) for r in responses}
    assert len(seen) == 1
    assert len(outbox_texts()) == 5
    assert stored_signatures() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Please enter your name."),
        ({"name": "   "}, "Please enter your name."),
        ({"name": "x" * 201}, "Please keep your name to 200 characters."),
        ({"name": "Ann\nBcc: evil"}, "on one line"),
        ({"name": "Ann\x00"}, "on one line"),
        ({"name": "Ann\u202eevil"}, "on one line"),
        ({"email": ""}, "Please enter your email address"),
        ({"email": "not-an-address"}, "Please check your email address."),
        ({"email": "ann@example.org\r\nBcc: x@example.org"}, "Please check your email address."),
        ({"email": "a" * 250 + "@example.org"}, "at most 254 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    client: FlaskClient, make_petition, fields: dict[str, Any], message: str
) -> None:
    petition = make_petition()
    response = sign(client, petition.slug, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'aria-invalid="true"' in page and "-error" in page
    kept = SIGNER["email"] if "name" in fields else SIGNER["name"]
    assert f'value="{kept}"' in page
    assert stored_signatures() == 0 and outbox_texts() == []


def test_an_oversized_request_gets_a_413_page(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    response = sign(client, petition.slug, name="x" * 1_000_000)
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)
    assert stored_signatures() == 0


def test_invalid_utf8_and_wrong_methods_never_crash(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    raw = client.post(
        f"/petitions/{petition.slug}/sign",
        data=b"name=\xff\xfe&email=\xc3(@example.org",
        content_type="application/x-www-form-urlencoded",
    )
    assert raw.status_code == 400
    assert client.get(f"/petitions/{petition.slug}/sign").status_code == 405
    assert client.delete(f"/petitions/{petition.slug}").status_code == 405
    assert stored_signatures() == 0


def test_a_closed_petition_says_so_and_takes_no_signature(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    petition.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    assert "no longer accepts signatures" in page and 'name="email"' not in page
    response = sign(client, petition.slug)
    assert response.status_code == 409
    assert stored_signatures() == 0 and outbox_texts() == []


def test_opening_the_link_changes_nothing_and_the_button_confirms_once(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    sign(client, petition.slug)
    path = confirm_path(outbox_texts()[0])
    shown = client.get(path)
    assert shown.status_code == 200
    assert "Confirm my signature" in shown.get_data(as_text=True)
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 0
    for _ in range(2):
        done = client.post(path)
        # Pressed twice, the button sends the signer to the link's own page, which can be reloaded.
        assert done.status_code == 303
        assert done.headers["Location"] == f"{path}#main"
        assert done.headers["Referrer-Policy"] == "no-referrer"
        assert "your signature is confirmed" in client.get(path).get_data(as_text=True)
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 1
    assert "your signature is confirmed" in client.get(path).get_data(as_text=True)


def test_a_tampered_link_gets_a_clear_page_and_changes_nothing(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    sign(client, petition.slug)
    path = confirm_path(outbox_texts()[0])
    for bad in (path[:-2] + "xx", path[:20], "/confirm/" + "A" * 2000, "/confirm/%00%ff"):
        response = client.post(bad)
        assert response.status_code == 400, bad
        assert "This link does not work" in response.get_data(as_text=True)
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 0


def test_a_link_for_another_purpose_does_not_confirm(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    sign(client, petition.slug)
    signature = db.session.scalar(select(Signature))
    assert signature is not None
    token = tokens.make_token(
        app.config["SECRET_KEY"], "withdraw-signature", [signature.id, petition.id]
    )
    assert client.post(f"/confirm/{token}").status_code == 400
    assert (
        stored_signatures() == 1
        and must(db.session.get(Petition, petition.id)).signature_count == 0
    )


def test_an_expired_link_offers_to_sign_again(
    app: Flask, client: FlaskClient, make_petition, monkeypatch
) -> None:
    petition = make_petition()
    issued = time.time() - app.config["CONFIRMATION_MAX_AGE"] - 60
    sign(client, petition.slug)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued)
    path = confirm_path(outbox_texts()[0])  # written (and its link made) that long ago
    monkeypatch.undo()
    for response in (client.get(path), client.post(path)):
        page = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "This link has expired" in page
        assert f'href="/petitions/{petition.slug}#sign-heading"' in page
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 0


def test_confirming_long_after_closing_is_refused(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    sign(client, petition.slug)
    must(db.session.scalar(select(Signature))).created_at = utcnow() - timedelta(days=3)
    must(db.session.get(Petition, petition.id)).closes_at = utcnow() - timedelta(days=2)
    db.session.commit()
    response = client.post(confirm_path(outbox_texts()[0]))
    assert response.status_code == 410
    assert "This petition has closed" in response.get_data(as_text=True)
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 0


def test_json_counts_only_verified_signatures(client: FlaskClient, make_petition) -> None:
    petition = make_petition(goal=10)
    sign(client, petition.slug)
    sign(client, petition.slug, email="bob@example.org")
    client.post(confirm_path(outbox_texts()[0]))
    response = client.get(f"/petitions/{petition.slug}.json")
    assert response.mimetype == "application/json"
    data = response.json
    assert data is not None
    assert data["signature_count"] == 1
    assert data["goal"] == 10 and data["open"] is True
    assert data["url"] == f"https://petitions.example.org/petitions/{petition.slug}"
    assert "email" not in response.get_data(as_text=True)


def test_campaign_sites_may_read_the_json_count_from_their_own_pages(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    campaign = {"Origin": "https://campaign.example"}
    response = client.get(f"/petitions/{petition.slug}.json", headers=campaign)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    again = client.get(
        f"/petitions/{petition.slug}.json",
        headers=campaign | {"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"
    page = client.get(f"/petitions/{petition.slug}", headers=campaign)
    assert "Access-Control-Allow-Origin" not in page.headers  # the page holds a CSRF token


def test_email_links_ignore_the_request_host(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    client.post(
        f"/petitions/{petition.slug}/sign",
        data=SIGNER,
        headers={"Host": "evil.example.com", "X-Forwarded-Host": "evil.example.com"},
    )
    [text] = outbox_texts()
    assert "evil.example.com" not in text
    assert "https://petitions.example.org/confirm/" in text


def test_with_csrf_on_a_forged_post_is_refused_and_a_real_one_works(
    make_app, make_petition
) -> None:
    petition = make_petition()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    forged = sign(client, petition.slug)
    assert forged.status_code == 400
    assert "press Sign again" in forged.get_data(as_text=True)
    assert stored_signatures() == 0
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    token = must(re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)).group(1)
    assert sign(client, petition.slug, form_token=token).status_code == 303
    assert stored_signatures() == 1


def test_the_sent_mail_page_is_for_local_development_only(make_app, make_petition) -> None:
    petition = make_petition()
    production_like = make_app().test_client()
    assert production_like.get("/dev/mail").status_code == 404
    debug_only = make_app(DEBUG=True, MAIL_SERVER="")
    debug_only.debug = True
    assert debug_only.test_client().get("/dev/mail").status_code == 404  # debug is not enough
    debug_app = make_app(DEBUG=True, MAIL_SERVER="", DEV_MAIL_VIEWER=True)
    debug_app.debug = True
    local = debug_app.test_client()
    sign(local, petition.slug)
    page = local.get("/dev/mail").get_data(as_text=True)
    assert (
        "Confirm your signature" in page and 'href="https://petitions.example.org/confirm/' in page
    )
    remote = local.get("/dev/mail", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404
    relayed = local.get("/dev/mail", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 404  # a proxy on this machine forwarded a stranger
