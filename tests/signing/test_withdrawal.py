"""Withdrawing: every signer email carries the link; one button deletes their details."""

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.outbox import deliver_due
from petition.models import OutboxMessage, OutboxState, Petition, Signature, table_of, utcnow
from petition.signing.links import confirmation_token
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail
from tests.helpers.signing import count_of

SIGNER = {"name": "Ann Signer", "email": "ann@example.org"}
LINK = r"https://petitions\.example\.org(/{}/\S+?)[\"\s]"


def link(kind: str, text: str) -> str:
    match = re.search(LINK.format(kind), text + "\n")
    assert match, text
    return match.group(1)


def last_message() -> Email:
    db.session.rollback()
    return owed_mail()[-1]


def signatures() -> int:
    db.session.rollback()
    return must(db.session.scalar(select(func.count()).select_from(Signature)))


def test_every_signer_email_carries_a_withdraw_link_in_both_parts(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    client.post(f"/petitions/{petition.slug}/sign", data=SIGNER)
    confirmation = last_message()
    client.post(link("confirm", confirmation.text))
    client.post(f"/petitions/{petition.slug}/sign", data=SIGNER)
    already = last_message()
    assert already.subject.startswith("You have already signed")
    for message in (confirmation, already):
        assert "withdraw" in link("withdraw", message.text)
        assert link("withdraw", message.text) == link("withdraw", must(message.html))


def test_the_link_shows_one_button_and_the_button_deletes_and_uncounts(
    client: FlaskClient, make_petition, smtp
) -> None:
    petition = make_petition()
    client.post(f"/petitions/{petition.slug}/sign", data=SIGNER)
    text = last_message().text
    client.post(link("confirm", text))
    assert count_of(petition) == 1
    deliver_due()
    page = client.get(link("withdraw", text))
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert html.count("<button") == 1 and 'method="post"' in html
    assert signatures() == 1 and count_of(petition) == 1  # opening the link changed nothing
    done = client.post(link("withdraw", text))
    assert done.status_code == 200 and done.headers["Referrer-Policy"] == "no-referrer"
    assert "withdrawn" in done.get_data(as_text=True)
    assert signatures() == 0 and count_of(petition) == 0
    about_ann = select(func.count()).select_from(OutboxMessage)
    assert db.session.scalar(about_ann) == 0  # the mail about her signature is gone too
    again = client.post(link("withdraw", text))
    assert again.status_code == 200 and count_of(petition) == 0  # twice is harmless


def test_withdrawing_a_pending_signature_leaves_the_count_alone(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    client.post(f"/petitions/{petition.slug}/sign", data=SIGNER)
    client.post(f"/petitions/{petition.slug}/sign", data=SIGNER | {"email": "bob@example.org"})
    bob_link = link("confirm", last_message().text)
    client.post(bob_link)
    ann_text = owed_mail()[0].text
    client.post(link("withdraw", ann_text))
    assert signatures() == 1 and count_of(petition) == 1


def test_a_confirmation_token_cannot_withdraw(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    client.post(f"/petitions/{petition.slug}/sign", data=SIGNER)
    signature = db.session.scalars(select(Signature)).one()
    response = client.post(f"/withdraw/{confirmation_token(signature)}")
    assert response.status_code == 400 and signatures() == 1
    forged = tokens.make_token("another-secret", tokens.WITHDRAW_SIGNATURE, [signature.id, 1])
    assert client.post(f"/withdraw/{forged}").status_code == 400 and signatures() == 1


def test_purge_deletes_old_unconfirmed_anonymises_long_closed_and_reports(
    runner, client: FlaskClient, make_petition, app
) -> None:
    open_petition = make_petition(title="Open")
    closed = make_petition(title="Closed long ago")
    for slug, email in ((open_petition.slug, "old@example.org"), (closed.slug, "kept@example.org")):
        client.post(f"/petitions/{slug}/sign", data=SIGNER | {"email": email})
    client.post(f"/petitions/{closed.slug}/sign", data=SIGNER | {"email": "new@example.org"})
    client.post(link("confirm", last_message().text))
    client.post(f"/petitions/{closed.slug}/sign", data={"name": "Zoe", "email": "zoe@example.org"})
    client.post(link("confirm", last_message().text))
    db.session.rollback()
    long_ago = utcnow() - timedelta(days=app.config["UNCONFIRMED_RETENTION_DAYS"] + 1)
    old = db.session.scalar(select(Signature).filter_by(email="old@example.org"))
    assert old is not None
    old.created_at = long_ago
    closed_row = db.session.get(Petition, closed.id)
    assert closed_row is not None
    closed_row.closes_at = utcnow() - timedelta(days=app.config["RETENTION_DAYS_AFTER_CLOSE"] + 1)
    db.session.execute(
        table_of(OutboxMessage)
        .update()
        .values(state=OutboxState.SENT, created_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 unconfirmed" in result.output
    assert "anonymised 3 signatures" in result.output
    # Four messages were sent: the unconfirmed signature's own went with it, the rest as mail.
    assert "deleted 3 delivered messages" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    rows = db.session.execute(select(Signature.petition_id, Signature.name, Signature.email)).all()
    assert sorted(rows) == [(closed.id, "", "")] * 3
    assert count_of(closed) == 2  # counts stay
    again = runner.invoke(args=["purge"])
    assert "deleted 0 unconfirmed" in again.output and "anonymised 0" in again.output
