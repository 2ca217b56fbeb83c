"""Teams, passwords and lost links: invitations by email, changing a password, slowing guessers,
and resending confirmations within their limits."""

import re
import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import Invitation, Organiser, OutboxMessage, Petition, Signature, utcnow
from petition.organisers.accounts import find_organiser
from petition.organisers.invitations import invite_organiser
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail
from tests.helpers.organisers import log_in

NEW_PASSWORD = "a brand new passphrase"


def invitation_link(smtp: SMTPServer, count: int) -> str:
    deliver_due()
    message = smtp.sink.wait_for(count)[-1]
    text = must(message.get_body(("plain",))).get_content()
    match = re.search(r"https://petitions\.example\.org(/organisers/invitations/\S+)", text)
    assert match, text
    return match.group(1)


def test_an_invited_newcomer_sets_a_password_and_joins(
    client: FlaskClient, make_petition, smtp: SMTPServer
) -> None:
    petition = make_petition()
    log_in(client)
    response = client.post(
        f"/organisers/petitions/{petition.slug}/invite", data={"email": "New@Example.org"}
    )
    assert response.status_code == 303
    link = invitation_link(smtp, 1)
    assert smtp.sink.messages[0]["To"] == "new@example.org"
    client.post("/organisers/logout")

    page = client.get(link).get_data(as_text=True)
    assert "Choose a password" in page and "new@example.org" in page
    short = client.post(link, data={"password": "short", "repeat": "short"})
    assert short.status_code == 400 and "From 10 to 1024 characters." in short.get_data(
        as_text=True
    )
    differ = client.post(link, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.get_data(
        as_text=True
    )
    joined = client.post(link, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert (
        joined.status_code == 303 and joined.location == f"/organisers/petitions/{petition.slug}/"
    )
    assert client.get(f"/organisers/petitions/{petition.slug}/export.csv").status_code == 200

    # The link has done its job: it opens nothing again, and never resets the new password.
    client.post("/organisers/logout")
    again = client.get(link)
    assert again.status_code == 410 and "This invitation has been used" in again.get_data(
        as_text=True
    )
    assert client.post(link, data={"password": "someone else's guess"}).status_code == 410
    assert log_in(client, "new@example.org", NEW_PASSWORD).status_code == 303
    history = client.get(f"/organisers/petitions/{petition.slug}/").get_data(as_text=True)
    assert "Invited new@example.org" in history and "new@example.org joined" in history


def test_an_existing_organiser_joins_with_their_password(
    client: FlaskClient, make_petition, make_organiser, smtp: SMTPServer
) -> None:
    petition = make_petition()
    make_organiser("colleague@example.org")
    log_in(client)
    client.post(
        f"/organisers/petitions/{petition.slug}/invite", data={"email": "colleague@example.org"}
    )
    link = invitation_link(smtp, 1)
    client.post("/organisers/logout")
    assert client.post(link, data={"password": PASSWORD}).status_code == 303
    db.session.expire_all()
    assert sorted(m.email for m in petition.organisers) == [
        "colleague@example.org",
        "organiser@example.org",
    ]


def test_inviting_a_member_or_a_bad_address_explains_itself(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    log_in(client)
    for address, message in [
        ("organiser@example.org", "already runs this petition"),
        ("not an address", "Please check the address."),
        ("", "Please enter the address to invite."),
    ]:
        response = client.post(
            f"/organisers/petitions/{petition.slug}/invite",
            data={"email": address},
            follow_redirects=True,
        )
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_expired_tampered_and_foreign_invitation_links_are_refused(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    invitation = invite_organiser(petition, petition.organisers[0], "x@example.org")
    secret = app.config["SECRET_KEY"]
    payload = [invitation.id, invitation.secret]
    good = tokens.make_token(secret, tokens.INVITE_ORGANISER, payload)
    confirm = tokens.make_token(secret, tokens.CONFIRM_SIGNATURE, payload)
    assert client.get(f"/organisers/invitations/{good}").status_code == 200
    assert client.get(f"/organisers/invitations/{good[:-3]}abc").status_code == 400
    assert client.get(f"/organisers/invitations/{confirm}").status_code == 400
    assert client.get("/organisers/invitations/" + "a" * 600).status_code == 400
    app.config["INVITATION_MAX_AGE"] = -1
    expired = client.get(f"/organisers/invitations/{good}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_past_the_invitation_limit_the_team_section_says_so_and_no_mail_is_sent(
    app: Flask, client: FlaskClient, make_petition, make_organiser, smtp: SMTPServer
) -> None:
    app.config |= {"INVITATION_LIMIT": "2 per day", "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    petition = make_petition()
    other = make_petition(slug="another-petition", organiser=petition.organisers[0])
    log_in(client)
    for n in range(2):
        invite = f"/organisers/petitions/{petition.slug}/invite"
        assert client.post(invite, data={"email": f"helper{n}@example.org"}).status_code == 303
    # The limit is the organiser's, whichever of their petitions the third goes from.
    refused = client.post(
        f"/organisers/petitions/{other.slug}/invite",
        data={"email": "stranger@example.org"},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    assert "No invitation was sent: you have sent as many as one organiser may send" in (
        refused.get_data(as_text=True)
    )
    deliver_due()
    assert [m["To"] for m in smtp.sink.wait_for(2)] == [
        "helper0@example.org",
        "helper1@example.org",
    ]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2
    assert len(owed_mail()) == 2
    colleague = app.test_client()  # another organiser has a budget of their own
    make_organiser("colleague@example.org")
    make_petition(slug="theirs", organiser=find_organiser("colleague@example.org"))
    log_in(colleague, "colleague@example.org")
    sent = colleague.post(
        "/organisers/petitions/theirs/invite", data={"email": "stranger@example.org"}
    )
    assert sent.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3


def test_the_invitation_mail_carries_no_title_and_the_link_shows_it(
    client: FlaskClient, make_petition, smtp: SMTPServer
) -> None:
    """The title is the organiser's free text; mail to a stranger carries only our own words."""
    petition = make_petition(title="Sign at evil.example/login")
    log_in(client)
    client.post(f"/organisers/petitions/{petition.slug}/invite", data={"email": "new@example.org"})
    link = invitation_link(smtp, 1)
    [message] = smtp.sink.messages
    text = must(message.get_body(("plain",))).get_content()
    html = must(message.get_body(("html",))).get_content()
    for part in (message["Subject"], text, html):
        assert "evil.example" not in part and "Sign at" not in part
        assert "petitions.example.org" in part
    assert message["Subject"] == "Invitation to help run a petition on petitions.example.org"
    assert "organiser@example.org invites you to help run a petition on" in text
    client.post("/organisers/logout")
    page = client.get(link).get_data(as_text=True)
    assert "Help run “Sign at evil.example/login”" in page


def test_changing_the_password(client: FlaskClient, make_organiser) -> None:
    make_organiser()
    log_in(client)
    assert client.get("/organisers/password").status_code == 200
    wrong = client.post(
        "/organisers/password",
        data={"current": "wrong one", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    differ = client.post(
        "/organisers/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": "other"}
    )
    assert differ.status_code == 400 and "The two new passwords differ." in differ.get_data(
        as_text=True
    )
    done = client.post(
        "/organisers/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert done.status_code == 303
    client.post("/organisers/logout")
    assert log_in(client).status_code == 401
    assert log_in(client, password=NEW_PASSWORD).status_code == 303
    organiser = db.session.scalar(select(Organiser))
    assert organiser is not None
    assert organiser.password_hash.startswith("scrypt:")


# --- resending confirmation links ---------------------------------------------------------------


@pytest.fixture
def pending(make_petition) -> Petition:
    """Three pending signers: two who signed two days ago (one at the message cap), one just now."""
    petition = make_petition()
    now = utcnow()
    for n, (age_hours, sent) in enumerate([(48, 1), (48, 5), (0, 1)]):
        db.session.add(
            Signature(
                petition_id=petition.id, name=f"P{n}", email=f"p{n}@example.org",
                email_canonical=f"p{n}@example.org", created_at=now - timedelta(hours=age_hours),
                messages_sent=sent,
            )
        )  # fmt: skip
    db.session.commit()
    return petition


def outbox_recipients() -> list[str]:
    return [message.recipient for message in owed_mail()]


def test_resend_to_all_pending_respects_the_cap_and_the_interval(
    client: FlaskClient, pending: Petition, smtp: SMTPServer
) -> None:
    log_in(client)
    path = f"/organisers/petitions/{pending.slug}/resend"
    first = client.post(path, data={"older_than_hours": ""}, follow_redirects=True)
    assert "sent again to 2 pending signers" in first.get_data(as_text=True)
    assert outbox_recipients() == ["p0@example.org", "p2@example.org"]
    deliver_due()
    messages = smtp.sink.wait_for(2)
    assert all("/confirm/" in must(m.get_body(("plain",))).get_content() for m in messages)
    again = client.post(path, data={}, follow_redirects=True)
    assert "You can send them again in 60 minutes" in again.get_data(as_text=True)
    assert len(outbox_recipients()) == 2


def test_resend_only_to_those_older_than_n_hours(client: FlaskClient, pending: Petition) -> None:
    log_in(client)
    path = f"/organisers/petitions/{pending.slug}/resend"
    client.post(path, data={"older_than_hours": "24"})
    assert outbox_recipients() == ["p0@example.org"]
    caps = db.session.scalars(select(Signature.messages_sent).order_by(Signature.id)).all()
    assert caps == [2, 5, 1]
    bad = client.post(path, data={"older_than_hours": "-3"}, follow_redirects=True)
    assert "From 1 to 8,760 hours." in bad.get_data(as_text=True)
