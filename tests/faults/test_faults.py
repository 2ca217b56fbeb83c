"""Faults under load: the database connection cut, the mail server gone, 500 signers at once.

Each runs gunicorn over real HTTP. Run them alone with `pytest -m faults`.
"""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import partial

import pytest
import requests
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Petition, Signature, SignatureStatus
from petition.petitions.publishing import create_petition
from petition.transparency.recount import recount_signatures
from tests.conftest import SMTPServer
from tests.helpers.checks import must
from tests.helpers.processes import CONFIRM_LINK, confirm_link, outbox_states, sign_as, wait_until

pytestmark = pytest.mark.faults


def publish(make_organiser: Callable) -> str:
    return create_petition(title="Stop the evictions", body="Now.", organiser=make_organiser()).slug


def outcome(call: Callable[[], int]) -> int | str:
    """A request's status code, or "dropped" if the connection itself failed."""
    try:
        return call()
    except requests.ConnectionError:
        return "dropped"


def stored_emails() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(Signature.email)))


def assert_each_owed_message_arrived_once(smtp: SMTPServer, owed: set[str]) -> None:
    smtp.sink.wait_for(len(owed), timeout=90)
    wait_until(lambda: outbox_states() == {OutboxState.SENT: len(owed)}, 60, "all mail is sent")
    recipients = Counter(str(message["To"]) for message in smtp.sink.messages)
    assert set(recipients) == owed
    assert set(recipients.values()) == {1}, "some message arrived twice"


def test_five_hundred_signers_signing_and_confirming_at_once_count_exactly_500(
    app: Flask, make_organiser, gunicorn, smtp: SMTPServer
) -> None:
    slug = publish(make_organiser)
    server = gunicorn(4)
    signers = 500

    with ThreadPoolExecutor(max_workers=32) as pool:
        signed = Counter(pool.map(lambda n: sign_as(server.url, slug, n), range(signers)))
        assert signed == {303: signers}
        messages = smtp.sink.wait_for(signers, timeout=120)
        links = [
            must(CONFIRM_LINK.search(must(m.get_body(("plain",))).get_content())).group(0)
            for m in messages
        ]
        # Every confirmation races the others for the same petition row.
        confirmed = Counter(pool.map(lambda link: confirm_link(server.url, link), links))
    assert confirmed == {303: signers}  # each sent on to its own link's page
    db.session.rollback()
    assert db.session.scalar(select(Petition.signature_count)) == signers
    confirmed_count = select(func.count()).where(Signature.status == SignatureStatus.CONFIRMED)
    assert db.session.scalar(confirmed_count) == signers
    assert [check.drift for check in recount_signatures(slug)] == [0]
    count = requests.get(f"{server.url}/petitions/{slug}.json", timeout=10).json()
    assert count["signature_count"] == signers


def delivery_has_failed() -> bool:
    """Whether some message has been tried and could not be delivered."""
    db.session.rollback()
    failed = select(func.count()).where(OutboxMessage.last_error.is_not(None))
    return must(db.session.scalar(failed)) > 0


def test_mail_server_down_under_load_then_back_delivers_each_message_once(
    app: Flask, make_organiser, gunicorn, smtp: SMTPServer
) -> None:
    slug = publish(make_organiser)
    server = gunicorn(2, settings={"FLASK_OUTBOX_MAX_BACKOFF": "2"})
    signers, stop_after, start_after = 150, 30, 100
    outcomes: list[int | str] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [
            pool.submit(outcome, partial(sign_as, server.url, slug, n)) for n in range(signers)
        ]
        for future in as_completed(futures):
            outcomes.append(future.result())
            if len(outcomes) == stop_after:
                smtp.stop()
            elif len(outcomes) == start_after:
                wait_until(delivery_has_failed, 30, "delivery has met the dead mail server")
                smtp.start()
    assert outcomes == [303] * signers
    assert_each_owed_message_arrived_once(smtp, stored_emails())
    assert len(stored_emails()) == signers


def terminate_app_connections(database_url: str) -> int:
    """Cut every other connection to the test database from an admin session, as a failover would."""
    admin = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).all()
            )
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_cut_database_connections_fail_at_worst_with_503_and_heal(
    app: Flask, make_organiser, gunicorn, smtp: SMTPServer, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("cuts server connections; runs when the suite runs on PostgreSQL")
    slug = publish(make_organiser)
    db.session.remove()  # hold no connection of our own while they are being cut
    server = gunicorn(4)
    stop = threading.Event()
    cuts: list[int] = []

    def cut_repeatedly() -> None:
        while not stop.wait(0.3):
            cuts.append(terminate_app_connections(database_url))

    cutter = threading.Thread(target=cut_repeatedly)
    signers = 200
    cutter.start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            outcomes = dict(
                zip(
                    range(signers),
                    pool.map(
                        lambda n: outcome(lambda: sign_as(server.url, slug, n)), range(signers)
                    ),
                    strict=True,
                )
            )
    finally:
        stop.set()
        cutter.join()
    assert sum(cuts) > 0, "no connection was ever cut"
    assert set(outcomes.values()) <= {303, 503}, Counter(outcomes.values())

    # Healed by itself: the next signers all succeed without any restart.
    later = [sign_as(server.url, slug, n) for n in range(signers, signers + 20)]
    assert later == [303] * 20
    acknowledged = {f"signer{n}@example.org" for n, s in outcomes.items() if s == 303}
    acknowledged |= {f"signer{n}@example.org" for n in range(signers, signers + 20)}
    stored = stored_emails()
    assert acknowledged <= stored
    assert_each_owed_message_arrived_once(smtp, stored)
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
