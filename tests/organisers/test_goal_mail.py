"""The email to organisers when a petition passes a quarter of its goal: once each, ever."""

from collections.abc import Callable
from email.message import EmailMessage

from sqlalchemy import event, select

from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import MailKind, Organiser, OutboxMessage, Petition, Signature
from petition.organisers.goal_mail import quarter_reached
from petition.organisers.team import remove_organiser
from petition.signing.links import confirmation_token, withdrawal_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.signing.withdrawal import withdraw_signature
from petition.transactions import write_transaction
from tests.conftest import SMTPServer
from tests.helpers.checks import must

ORGANISERS = ("organiser@example.org", "second@example.org")


def run_by_two(make_petition: Callable[..., Petition], make_organiser, **fields) -> Petition:
    petition = make_petition(**fields)
    second = make_organiser(ORGANISERS[1])
    with write_transaction() as session:
        session.get_one(Petition, petition.id).organisers.append(session.merge(second))
    return petition


def signer(petition: Petition, n: int) -> Signature:
    email = f"signer{n}@example.net"
    sign_petition(petition, name=f"Signer {n}", email=email, client_address=f"192.0.2.{n}")
    signature = db.session.scalar(select(Signature).filter_by(email=email))
    assert signature is not None
    return signature


def confirmed_signer(petition: Petition, n: int) -> Signature:
    signature = signer(petition, n)
    confirm_signature(confirmation_token(signature))
    return signature


def goal_mail_in(smtp: SMTPServer) -> list[EmailMessage]:
    """Deliver what is owed and return the goal mail received so far, in order."""
    deliver_due(1000)
    return [m for m in smtp.sink.messages if m["To"] in ORGANISERS]


def test_quarters_are_counted_down_to_the_last_whole_one() -> None:
    assert [quarter_reached(n, 8) for n in range(10)] == [0, 0, 25, 25, 50, 50, 75, 75, 100, 100]
    assert quarter_reached(5, None) == 0 and quarter_reached(5, 0) == 0
    assert quarter_reached(10**9, 3) == 100


def test_each_quarter_sends_one_mail_to_every_organiser_in_order(
    make_petition, make_organiser, smtp: SMTPServer
) -> None:
    petition = run_by_two(make_petition, make_organiser, goal=8)
    received: list[EmailMessage] = []
    for n in range(1, 9):
        confirmed_signer(petition, n)
        received = goal_mail_in(smtp)
        assert len(received) == 2 * (n // 2), f"after {n} confirmations"
    assert [m["Subject"] for m in received] == [
        f"Stop the forced evictions passed {q}% of its goal"
        for q in (25, 25, 50, 50, 75, 75, 100, 100)
    ]
    assert sorted(m["To"] for m in received[:2]) == sorted(ORGANISERS)
    last = must(received[-1].get_body(("plain",))).get_content()
    assert "8 verified signatures; its goal is 8" in last
    assert f"https://petitions.example.org/organisers/petitions/{petition.slug}/?lang=en" in last
    html = must(received[-1].get_body(("html",))).get_content()
    assert "<strong>Stop the forced evictions</strong> has passed 100% of its goal" in html
    assert must(db.session.get(Petition, petition.id)).goal_notified == 100


def test_passing_a_quarter_again_after_a_withdrawal_sends_nothing(
    make_petition, smtp: SMTPServer
) -> None:
    petition = make_petition(goal=8)
    confirmed_signer(petition, 1)
    second = confirmed_signer(petition, 2)
    assert len(goal_mail_in(smtp)) == 1
    withdraw_signature(withdrawal_token(second))
    confirmed_signer(petition, 3)
    assert len(goal_mail_in(smtp)) == 1
    assert must(db.session.get(Petition, petition.id)).signature_count == 2


def test_a_petition_without_a_goal_sends_nothing(make_petition, smtp: SMTPServer) -> None:
    petition = make_petition()
    for n in range(1, 4):
        confirmed_signer(petition, n)
    assert goal_mail_in(smtp) == []
    assert db.session.scalars(select(OutboxMessage.kind)).all() == [MailKind.CONFIRM] * 3


def test_a_jump_past_two_quarters_tells_only_the_highest(make_petition, smtp: SMTPServer) -> None:
    petition = make_petition(goal=1000)
    confirmed_signer(petition, 1)
    with write_transaction() as session:  # as if 599 were counted at once, e.g. reinstated
        session.get_one(Petition, petition.id).signature_count = 600
    confirmed_signer(petition, 2)
    received = goal_mail_in(smtp)
    assert [m["Subject"] for m in received] == ["Stop the forced evictions passed 50% of its goal"]
    assert must(db.session.get(Petition, petition.id)).goal_notified == 50


def test_a_removed_organiser_gets_nothing(make_petition, make_organiser, smtp: SMTPServer) -> None:
    petition = run_by_two(make_petition, make_organiser, goal=4)
    confirmed_signer(petition, 1)  # owed to both, delivered after one of them left
    first = db.session.scalar(select(Organiser).filter_by(email=ORGANISERS[0]))
    second = db.session.scalar(select(Organiser).filter_by(email=ORGANISERS[1]))
    assert first is not None
    assert second is not None
    remove_organiser(petition, first, second.id)
    received = goal_mail_in(smtp)
    assert [m["To"] for m in received] == [ORGANISERS[0]]


def test_a_confirmation_that_passes_no_quarter_costs_no_query_more(
    make_petition, smtp: SMTPServer
) -> None:
    petition = make_petition(goal=100)
    counted: dict[str, list[str]] = {}

    def statements_of(name: str, callback: Callable[[], object]) -> None:
        seen: list[str] = []

        def listen(conn, cursor, statement, *args) -> None:
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            callback()
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        counted[name] = seen

    with_goal = signer(petition, 1)
    statements_of("with goal", lambda: confirm_signature(confirmation_token(with_goal)))
    plain = make_petition(title="Save the library")
    without_goal = signer(plain, 2)
    statements_of("without goal", lambda: confirm_signature(confirmation_token(without_goal)))
    assert len(counted["with goal"]) == len(counted["without goal"])
    assert not any("goal_notified =" in s for s in counted["with goal"])
