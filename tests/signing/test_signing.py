"""The signer's use cases, without HTTP: sign, resend, cap, confirm, close."""

import re
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial

import pytest
from flask import Flask
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.mail.messages import Email
from petition.models import Petition, Signature, utcnow
from petition.signing.links import confirmation_token
from petition.signing.signatures import (
    PetitionClosedError,
    SignOutcome,
    confirm_signature,
    load_confirmation,
    sign_petition,
)
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail


def outbox() -> list[Email]:
    return owed_mail()


def token_in(message: Email) -> str:
    match = re.search(r"/confirm/([^\s?]+)", message.text)
    assert match, message.text
    return match.group(1)


def test_new_signature_is_pending_and_owes_one_confirmation(make_petition) -> None:
    petition = make_petition()
    outcome = sign_petition(petition, name="Айгерим Нурланова", email="Aigerim@Example.org")
    assert outcome is SignOutcome.NEW
    signature = db.session.scalar(select(Signature))
    assert signature is not None
    assert signature.status == "pending"
    assert signature.email_canonical == "aigerim@example.org"
    assert petition.signature_count == 0
    [message] = outbox()
    assert message.recipient == "Aigerim@Example.org"
    assert petition.title in message.subject
    assert message.text.count("https://petitions.example.org/confirm/") == 1
    assert "Confirm my signature" in must(message.html)


def test_signing_again_while_pending_keeps_the_newest_name_for_its_own_link(make_petition) -> None:
    petition = make_petition()
    sign_petition(petition, name="First Name", email="a.b+petitions@gmail.com")
    outcome = sign_petition(petition, name="Second Name", email="AB@googlemail.com")
    assert outcome is SignOutcome.REMINDED
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    signature = db.session.scalar(select(Signature))
    # Whoever typed the second submission may not own the mailbox: nothing stored changes, and
    # the mail goes to the address as first stored.
    assert signature is not None
    assert (signature.name, signature.email) == ("First Name", "a.b+petitions@gmail.com")
    first, second = outbox()
    assert second.recipient == "a.b+petitions@gmail.com"
    assert "Second Name" in second.text
    assert load_confirmation(token_in(first)).details.name == "First Name"
    assert load_confirmation(token_in(second)).details.name == "Second Name"
    confirm_signature(token_in(second))
    db.session.expire_all()
    assert db.session.scalar(select(Signature.name)) == "Second Name"


def test_signing_after_confirming_sends_an_already_signed_note(make_petition) -> None:
    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    confirm_signature(token_in(outbox()[0]))
    assert (
        sign_petition(petition, name="Ann", email="ANN@example.org")
        is SignOutcome.ALREADY_CONFIRMED
    )
    note = outbox()[-1]
    assert note.subject.startswith("You have already signed")
    assert "/confirm/" not in note.text
    assert petition.signature_count == 1


def test_a_signature_causes_at_most_five_messages(app: Flask, make_petition) -> None:
    petition = make_petition()
    outcomes = [sign_petition(petition, name="Ann", email="ann@example.org") for _ in range(8)]
    assert outcomes[-3:] == [SignOutcome.CAPPED] * 3
    assert len(outbox()) == app.config["MAX_MESSAGES_PER_SIGNATURE"] == 5


def test_confirming_twice_counts_once(make_petition) -> None:
    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    token = token_in(outbox()[0])
    first = confirm_signature(token)
    second = confirm_signature(token)
    assert first.status == second.status == "confirmed"
    assert must(db.session.get(Petition, petition.id)).signature_count == 1


def test_loading_a_confirmation_changes_nothing(make_petition) -> None:
    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    preview = load_confirmation(token_in(outbox()[0]))
    assert not preview.confirmed
    assert db.session.scalar(select(Signature.status)) == "pending"
    assert petition.signature_count == 0


def test_a_closed_petition_takes_no_signature(make_petition) -> None:
    petition = make_petition()
    petition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(PetitionClosedError):
        sign_petition(petition, name="Ann", email="ann@example.org")
    assert outbox() == []


def test_a_signature_made_before_closing_can_be_confirmed_for_a_day(make_petition) -> None:
    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    sign_petition(petition, name="Bob", email="bob@example.org")
    ann_token, bob_token = (token_in(m) for m in outbox())
    for signature in db.session.scalars(select(Signature)):
        signature.created_at = utcnow() - timedelta(days=2)
    petition.closes_at = utcnow() - timedelta(hours=23)
    db.session.commit()
    assert confirm_signature(ann_token).status == "confirmed"
    petition.closes_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    with pytest.raises(PetitionClosedError):
        confirm_signature(bob_token)
    assert must(db.session.get(Petition, petition.id)).signature_count == 1


def test_a_token_for_a_missing_signature_is_invalid(app: Flask, make_petition) -> None:
    token = tokens.make_token(app.config["SECRET_KEY"], tokens.CONFIRM_SIGNATURE, [999, 1])
    with pytest.raises(tokens.InvalidTokenError):
        confirm_signature(token)


def test_a_token_made_with_another_secret_is_invalid(make_petition) -> None:
    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    signature = db.session.scalar(select(Signature))
    assert signature is not None
    good = confirmation_token(signature)
    forged = tokens.make_token(
        "not-our-secret", tokens.CONFIRM_SIGNATURE, [signature.id, petition.id]
    )
    assert good != forged
    with pytest.raises(tokens.InvalidTokenError):
        confirm_signature(forged)


def run_at_once(app: Flask, calls: Sequence[Callable[[], object]]) -> list[BaseException]:
    """Run each call in its own thread and app context, released together; return the errors."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                call()
            except BaseException as exc:  # reported to the test
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_racing_submissions_of_one_address_end_as_one_signature(app: Flask, make_petition) -> None:
    petition_id = make_petition().id

    def submit(n: int) -> None:
        petition = db.session.get(Petition, petition_id)
        assert petition is not None
        sign_petition(petition, name=f"Ann {n}", email=f"ann+{n}@example.org")

    assert run_at_once(app, [partial(submit, n) for n in range(8)]) == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    assert len(outbox()) == 5  # one signature: its first five messages, then the cap


def test_concurrent_confirmations_never_lose_an_increment(app: Flask, make_petition) -> None:
    petition = make_petition()
    for n in range(12):
        sign_petition(petition, name=f"Signer {n}", email=f"signer{n}@example.org")
    calls = [partial(confirm_signature, token_in(message)) for message in outbox()]
    assert run_at_once(app, calls) == []
    db.session.rollback()
    assert must(db.session.get(Petition, petition.id)).signature_count == 12


def test_no_outcome_writes_mail_in_the_request_so_none_answers_faster(
    app: Flask, make_petition
) -> None:
    """Signing only owes mail; the deliverer writes it. So a capped address (or a client over
    its limit) does the same work as any other: answering sooner would tell a stranger that
    this address signed many times."""
    from flask import template_rendered
    from sqlalchemy import event

    petition = make_petition()
    rendered: list[str] = []
    statements: list[str] = []

    def record(_sender: Flask, template, context, **_extra) -> None:
        rendered.append(template.name)

    def count(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement.split()[0].upper())

    cap = app.config["MAX_MESSAGES_PER_SIGNATURE"]
    outcomes, work = [], []
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with template_rendered.connected_to(record, app):
            for n in range(cap + 2):
                statements.clear()
                outcomes.append(sign_petition(petition, name=f"Ann {n}", email="ann@example.org"))
                work.append([s for s in statements if s != "INSERT"])
            sign_petition(petition, name="Bob", email="bob@example.org", mail=False)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert rendered == []
    assert outcomes[0] is SignOutcome.NEW and outcomes[-1] is SignOutcome.CAPPED
    # A reminder and a capped submission read and write the same; only the owed row differs.
    assert work[1] == work[-1]
    assert len(outbox()) == cap
