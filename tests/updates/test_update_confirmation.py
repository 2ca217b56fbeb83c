"""The step before an update goes out: how many, in which languages, when the next; then only
what was confirmed is sent. Through the pages, with mail by a real SMTP server."""

import re
from collections.abc import Callable
from datetime import timedelta

from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import (
    OutboxMessage,
    Petition,
    PetitionUpdate,
    Signature,
    SignatureStatus,
    utcnow,
)
from petition.petitions.history import DAY
from petition.signing.signatures import sign_petition
from petition.transactions import write_transaction
from petition.updates.drafts import Confirmation, create_draft, still_confirmed
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.http import csrf_token
from tests.updates.support import (
    confirm_from_mail,
    confirmation_shown,
    deliver,
    send_confirmed,
    sign_choosing_updates,
    updates_to,
)

MakePetition = Callable[..., Petition]


def _write(client: FlaskClient, slug: str, subject: str, **more: str) -> int:
    data = {"subject": subject, "body": "It was delivered today.", "action": "save"} | more
    response = client.post(f"/organisers/petitions/{slug}/updates/new", data=data)
    assert response.status_code == 303, response.text[-800:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _signed_up(client: FlaskClient, smtp: SMTPServer, slug: str, *who: tuple[str, str]) -> None:
    """Each (address, language) signs asking for updates, and confirms from the mail."""
    for address, language in who:
        sign_choosing_updates(
            client, slug, address.split("@")[0], address, wants=True, lang=language
        )
        confirm_from_mail(client, smtp, address)


def _sent_updates() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.signature_id.is_not(None), OutboxMessage.update_id.is_not(None)
            )
        )
    )


def test_the_step_names_the_recipients_by_language_and_nothing_leaves_before_confirming(
    organiser_client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    client = organiser_client
    slug = make_petition().slug
    _signed_up(
        client,
        smtp,
        slug,
        ("anna@example.org", "ru"),
        ("boris@example.org", "ru"),
        ("aliya@example.org", "kk"),
        ("ben@example.org", "en"),
    )
    sign_choosing_updates(client, slug, "Cleo", "cleo@example.org", wants=False)
    confirm_from_mail(client, smtp, "cleo@example.org")
    update_id = _write(client, slug, "Delivered!", subject_ru="Доставлено!", body_ru="Вручили.")
    path = f"/organisers/petitions/{slug}/updates/{update_id}/send"

    # "Send…" on the draft leads to the step, and sends nothing.
    pressed = client.post(path)
    assert pressed.status_code == 303 and pressed.headers["Location"].endswith(path)
    step = client.get(path)
    assert step.status_code == 200
    assert "This update will be emailed to 4 signers:" in step.text
    # Aliya signed in Kazakh, but there is no Kazakh version: she reads the original.
    assert "Russian: 2 signers" in step.text and "English: 2 signers" in step.text
    assert "Kazakh:" not in step.text
    # The step says so, before anything is sent, while a version can still be written.
    assert (
        "1 of them signed in Kazakh, but this update has no version in it: they will get it"
        " in English." in step.text
    )
    assert "signed in Russian" not in step.text and "signed in English" not in step.text
    week = format_date(utcnow() + timedelta(days=7), DAY, locale="en")
    assert f"After it, the next update can be sent on {week}." in step.text
    assert ">Send to 4 signers</button>" in step.text and "Back to the draft" in step.text
    deliver(smtp)
    assert not _sent_updates() and not updates_to(smtp, "anna@example.org", "Доставлено")

    # In Russian, the languages and the day are the reader's.
    russian = client.get(f"{path}?lang=ru").text
    assert "русский" in russian and "английский" in russian
    assert format_date(utcnow() + timedelta(days=7), DAY, locale="ru") in russian

    sent = send_confirmed(client, slug, update_id)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("#updates")
    deliver(smtp)
    assert len(updates_to(smtp, "anna@example.org", "Доставлено!")) == 1
    assert len(updates_to(smtp, "aliya@example.org", "Delivered!")) == 1
    assert not updates_to(smtp, "cleo@example.org", "Delivered")
    assert len(_sent_updates()) == 4


def test_an_edit_or_new_recipients_since_the_step_show_it_again_instead_of_sending(
    organiser_client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    client = organiser_client
    slug = make_petition().slug
    _signed_up(client, smtp, slug, ("ann@example.org", "en"))
    update_id = _write(client, slug, "First words")
    path = f"/organisers/petitions/{slug}/updates/{update_id}/send"
    shown = confirmation_shown(client, slug, update_id)
    assert shown["count"] == "1"

    # Edited in another tab after the step was shown: the confirmation covers the old text.
    edited = {"subject": "Other words", "body": "Changed.", "action": "save"}
    assert client.post(f"/organisers/petitions/{slug}/updates/{update_id}", data=edited)
    stale = client.post(path, data=shown)
    assert stale.status_code == 409
    assert "changed since you looked" in stale.text and "Other words" in stale.text
    assert ">Send to 1 signer</button>" in stale.text  # asked again, with what is there now
    shown = confirmation_shown(client, slug, update_id)

    # One more recipient of one is a change that matters: asked again.
    _signed_up(client, smtp, slug, ("ben@example.org", "en"))
    again = client.post(path, data=shown)
    assert again.status_code == 409 and ">Send to 2 signers</button>" in again.text
    deliver(smtp)
    assert not _sent_updates() and not updates_to(smtp, "ann@example.org", "words")
    draft = db.session.get(PetitionUpdate, update_id)
    assert draft is not None and draft.sent_at is None

    assert send_confirmed(client, slug, update_id).status_code == 303
    deliver(smtp)
    assert len(updates_to(smtp, "ben@example.org", "Other words")) == 1


def test_a_busy_petition_is_not_asked_again_for_every_new_signer() -> None:
    shown = Confirmation(count=1000, version="a" * 32)
    assert still_confirmed(shown, 1050, "a" * 32) and still_confirmed(shown, 950, "a" * 32)
    assert not still_confirmed(shown, 1051, "a" * 32)
    assert not still_confirmed(shown, 1000, "b" * 32)
    assert not still_confirmed(Confirmation(count=0, version="a" * 32), 1, "a" * 32)


def test_forged_or_broken_confirmations_are_refused_with_the_step_not_an_error(
    organiser_client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    client = organiser_client
    slug = make_petition().slug
    _signed_up(client, smtp, slug, ("ann@example.org", "en"))
    update_id = _write(client, slug, "News")
    path = f"/organisers/petitions/{slug}/updates/{update_id}/send"
    shown = confirmation_shown(client, slug, update_id)
    for broken in (
        {"count": "x", "version": shown["version"]},
        {"count": "1" * 5000, "version": shown["version"]},
        {"count": "-1", "version": shown["version"]},
        {"count": "1", "version": ""},
        {"count": "1", "version": "Z" * 32},
        {"count": "1", "version": "a" * 100_000},
        {"version": shown["version"]},
    ):
        refused = client.post(path, data=broken)
        assert refused.status_code == 400, broken
        assert "changed since you looked" in refused.text and 'name="version"' in refused.text
    assert not _sent_updates()


def test_at_the_weekly_limit_the_step_says_when_and_has_no_send_button(
    make_app: Callable[..., Flask], make_petition: MakePetition, smtp: SMTPServer
) -> None:
    app = make_app(UPDATES_PER_WEEK=2)
    with app.app_context():
        client = app.test_client()
        slug = make_petition().slug
        client.post(
            "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        _signed_up(client, smtp, slug, ("ann@example.org", "en"))
        first = _write(client, slug, "First")
        step = client.get(f"/organisers/petitions/{slug}/updates/{first}/send").text
        # Two a week: after the first, a second may go at once.
        assert "After it, you can still send another update at once." in step
        timeline = client.get(f"/organisers/petitions/{slug}/timeline").text
        assert timeline.count("It could be sent at once.") == 3  # one per milestone form
        assert "The next one can go from" not in client.get(f"/organisers/petitions/{slug}/").text
        assert send_confirmed(client, slug, first).status_code == 303

        second = _write(client, slug, "Second")
        step = client.get(f"/organisers/petitions/{slug}/updates/{second}/send").text
        week = format_date(utcnow() + timedelta(days=7), DAY, locale="en")
        assert f"After it, the next update can be sent on {week}." in step
        assert send_confirmed(client, slug, second).status_code == 303

        third = _write(client, slug, "Third")
        step = client.get(f"/organisers/petitions/{slug}/updates/{third}/send").text
        assert "2 updates in 7 days" in step and "The next one can go from" in step
        assert 'name="version"' not in step and "Send to" not in step
        assert "Back to the draft" in step
        timeline = client.get(f"/organisers/petitions/{slug}/timeline").text
        assert f"it could be sent from {week}." in timeline
        panel = client.get(f"/organisers/petitions/{slug}/").text
        assert "The next one can go from" in panel


def test_switched_off_updates_say_so_on_the_step_and_by_the_announce_box(
    make_app: Callable[..., Flask], make_petition: MakePetition
) -> None:
    app = make_app(UPDATES_PER_WEEK=0)
    with app.app_context():
        client = app.test_client()
        slug = make_petition().slug
        client.post(
            "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        update_id = _write(client, slug, "News")
        step = client.get(f"/organisers/petitions/{slug}/updates/{update_id}/send").text
        assert "switched off on this site" in step and 'name="version"' not in step
        timeline = client.get(f"/organisers/petitions/{slug}/timeline").text
        assert "switched off on this site: it could not be sent." in timeline


def test_strangers_and_other_organisers_get_no_step_and_send_nothing(
    app: Flask,
    make_petition: MakePetition,
    make_organiser: Callable[..., object],
    smtp: SMTPServer,
) -> None:
    petition = make_petition()
    owner = app.test_client()
    owner.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    _signed_up(owner, smtp, petition.slug, ("ann@example.org", "en"))
    update_id = _write(owner, petition.slug, "Ours")
    shown = confirmation_shown(owner, petition.slug, update_id)
    path = f"/organisers/petitions/{petition.slug}/updates/{update_id}/send"

    stranger = app.test_client()
    with app.app_context():  # a context of its own: the owner's login stays in the outer one
        for answer in (stranger.get(path), stranger.post(path, data=shown)):
            assert answer.status_code == 302, answer.text[-300:]
            assert "/organisers/login" in answer.headers["Location"]
    make_organiser("other@example.org")
    other = app.test_client()
    other.post("/organisers/login", data={"email": "other@example.org", "password": PASSWORD})
    assert other.get(path).status_code == 404
    assert other.post(path, data=shown).status_code == 404
    assert (
        owner.get(f"/organisers/petitions/{petition.slug}/updates/999999/send").status_code == 404
    )
    deliver(smtp)
    assert not _sent_updates() and not updates_to(smtp, "ann@example.org", "Ours")


def test_the_confirmation_needs_its_csrf_token(
    make_app: Callable[..., Flask], make_petition: MakePetition, smtp: SMTPServer
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        petition = make_petition()
        slug = petition.slug
        sign_petition(petition, name="Ann", email="ann@example.org", wants_updates=True, mail=False)
        with write_transaction() as session:
            stored = session.scalar(select(Signature).where(Signature.email == "ann@example.org"))
            assert stored is not None
            stored.status = SignatureStatus.CONFIRMED
            update_id = create_draft(session, petition, None, "News", "Text.", {}).id
    # Each request in a context of its own, as on a server: the token is the session's.
    client = app.test_client()
    token = csrf_token(client.get("/organisers/login").text)
    login = {"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/organisers/login", data=login).status_code == 303
    path = f"/organisers/petitions/{slug}/updates/{update_id}/send"
    step = client.get(path).text
    fields = dict(re.findall(r'name="(csrf_token|count|version)" value="([^"]+)"', step))
    assert set(fields) == {"csrf_token", "count", "version"} and fields["count"] == "1"
    without = {name: value for name, value in fields.items() if name != "csrf_token"}
    assert client.post(path, data=without).status_code == 400
    with app.app_context():
        assert not _sent_updates()
    assert client.post(path, data=fields).status_code == 303
    with app.app_context():
        assert len(_sent_updates()) == 1
