"""Mail is owed by a request and written by the deliverer just before it is sent."""

from flask import Flask
from sqlalchemy import insert, select, update

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.outbox import (
    BatchSize,
    DeliveryReport,
    deliver_due,
)
from petition.models import (
    Invitation,
    OutboxMessage,
    OutboxState,
    Signature,
    table_of,
)
from petition.organisers.invitations import invite_organiser
from petition.signing.signatures import sign_petition
from tests.conftest import SMTPServer
from tests.helpers.checks import must
from tests.helpers.mailbox import queue_composed

NAME = "Айгерим Секретова"
ADDRESS = "aigerim.secret@example.org"


def stored_rows() -> list[dict[str, object]]:
    db.session.rollback()
    return [dict(row._mapping) for row in db.session.execute(select(table_of(OutboxMessage)))]


def test_an_owed_row_holds_no_name_no_address_and_no_link_secret(
    app: Flask, smtp: SMTPServer, make_petition
) -> None:
    petition = make_petition()
    sign_petition(petition, name=NAME, email=ADDRESS, language="ru")
    secret = must(db.session.scalar(select(Signature.link_secret)))
    for moment in ("queued", "sent"):
        [row] = stored_rows()
        values = " ".join(str(value) for value in row.values())
        assert NAME not in values and ADDRESS not in values and secret not in values, moment
        assert row["recipient"] is row["subject"] is row["body_text"] is row["body_html"] is None
        assert (row["kind"], row["language"]) == ("confirm", "ru")
        if moment == "queued":
            assert deliver_due() == DeliveryReport(sent=1)
    [message] = smtp.sink.wait_for(1)
    assert message["To"] == ADDRESS
    assert NAME in must(message.get_body(("plain",))).get_content()
    assert message["Subject"].startswith("Подтвердите")


def test_a_message_about_something_gone_is_not_sent_and_the_batch_goes_on(
    app: Flask, smtp: SMTPServer, make_petition, make_organiser
) -> None:
    petition = make_petition()
    inviter = make_organiser("inviter@example.org")
    invitation = invite_organiser(petition, inviter, "helper@example.org")
    sign_petition(petition, name="Ann", email="ann@example.org")
    db.session.execute(update(Invitation).values(used_at=invitation.created_at))
    db.session.commit()
    assert deliver_due() == DeliveryReport(sent=1, failed=1)
    assert [message["To"] for message in smtp.sink.wait_for(1)] == ["ann@example.org"]
    rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.state))
    states = {kind: state for kind, state in rows}
    assert states == {"invitation": OutboxState.FAILED, "confirm": OutboxState.SENT}


def test_a_message_that_cannot_be_written_now_waits_instead_of_being_lost(
    app: Flask, smtp: SMTPServer
) -> None:
    db.session.execute(insert(table_of(OutboxMessage)).values(kind="not-a-kind", language="en"))
    db.session.commit()
    assert deliver_due() == DeliveryReport(retrying=1)
    [row] = stored_rows()
    assert row["state"] == OutboxState.PENDING and "not composed" in str(row["last_error"])
    assert smtp.sink.messages == []


def test_one_connection_carries_a_whole_batch(app: Flask, smtp: SMTPServer) -> None:
    for n in range(30):
        queue_composed(db.session, Email(f"s{n}@example.org", "Hello", "Hello.", None))
    db.session.commit()
    assert deliver_due(limit=30) == DeliveryReport(sent=30)
    smtp.sink.wait_for(30)
    assert len(set(smtp.sink.connections)) == 1


def test_rounds_grow_while_the_backlog_fills_them_and_shrink_when_it_is_gone(
    make_app, smtp: SMTPServer
) -> None:
    app = make_app(OUTBOX_BATCH_SIZE=10, OUTBOX_BATCH_MAX=40)
    with app.app_context():
        for n in range(100):
            queue_composed(db.session, Email(f"s{n}@example.org", "Hello", "Hello.", None))
        db.session.commit()
        batch, claimed = BatchSize(), []
        while report := deliver_due(batch.next()):
            if not report.claimed:
                break
            claimed.append(report.claimed)
            batch.after(report)
        assert claimed == [10, 20, 40, 30]
        assert batch.next() == 10
        db.session.remove()
    assert len(smtp.sink.wait_for(100)) == 100


def test_mail_says_a_machine_sent_it_and_names_the_sites_domain(
    app: Flask, smtp: SMTPServer, make_petition
) -> None:
    """Auto-Submitted keeps out-of-office replies away (RFC 3834); the Message-ID is the site's."""
    sign_petition(make_petition(), name="Ann", email="ann@example.org")
    queue_composed(db.session, Email("bob@example.org", "Hello", "Hello.", None))
    db.session.commit()
    assert deliver_due() == DeliveryReport(sent=2)
    messages = smtp.sink.wait_for(2)
    assert [message["Auto-Submitted"] for message in messages] == ["auto-generated"] * 2
    ids = {message["Message-ID"] for message in messages}
    assert len(ids) == 2 and all(i.endswith("@petitions.example.org>") for i in ids), ids
