"""The organisers' activity view and bulk invalidation: dry run, action, record, reversal."""

from datetime import timedelta
from functools import partial

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.models import Invalidation, Petition, Signature, SignatureStatus, utcnow
from petition.moderation.invalidations import Criteria, invalidate, reverse_invalidation
from petition.signing.links import confirmation_token, withdrawal_token
from petition.signing.signatures import (
    confirm_signature,
    sign_petition,
)
from petition.signing.withdrawal import withdraw_signature
from tests.helpers.checks import must
from tests.helpers.organisers import log_in
from tests.helpers.signing import count_of
from tests.signing.test_signing import run_at_once


def signed(petition: Petition, name: str, email: str, address: str, confirm: bool) -> Signature:
    sign_petition(petition, name=name, email=email, client_address=address)
    signature = db.session.scalar(select(Signature).filter_by(email=email))
    assert signature is not None
    if confirm:
        confirm_signature(confirmation_token(signature))
    return signature


def flood(petition: Petition) -> None:
    """Two honest signers and a burst of three from one domain and network."""
    signed(petition, "Ann", "ann@example.org", "192.0.2.1", confirm=True)
    signed(petition, "Bob", "bob@example.net", "198.51.100.9", confirm=False)
    for n in range(3):
        signed(petition, f"Bot {n}", f"bot{n}@spam.example", "203.0.113.5", confirm=n < 2)


def test_only_the_petitions_organisers_see_its_activity(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    petition = make_petition()
    assert client.get(f"/organisers/petitions/{petition.slug}/activity/").status_code == 302
    make_organiser("stranger@example.org")
    log_in(client, "stranger@example.org")
    assert client.get(f"/organisers/petitions/{petition.slug}/activity/").status_code == 404
    preview = client.post(
        f"/organisers/petitions/{petition.slug}/activity/invalidate",
        data={"domain": "example.org", "reason": "mine now"},
    )
    assert preview.status_code == 404 and count_of(petition) == 0


def test_the_activity_view_highlights_busy_domains_and_networks(make_app, make_petition) -> None:
    client = make_app(ACTIVITY_THRESHOLD=3).test_client()
    petition = make_petition()
    flood(petition)
    log_in(client)
    page = client.get(f"/organisers/petitions/{petition.slug}/activity/").get_data(as_text=True)
    assert 'class="over">spam.example</a>&nbsp;3' in page
    assert ">example.org</a>&nbsp;1" in page
    assert "203.0.113" not in page  # networks appear only as hash labels
    assert page.count('class="over"') == 2  # the domain and the network
    dashboard = client.get("/organisers/").get_data(as_text=True)
    assert f"/organisers/petitions/{petition.slug}/activity/" in dashboard


def test_a_dry_run_counts_then_the_action_uncounts_records_and_reverses(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    flood(petition)
    assert count_of(petition) == 3
    log_in(client)
    base = f"/organisers/petitions/{petition.slug}/activity"
    criteria = {"domain": "spam.example", "reason": "a burst from one throwaway domain"}
    preview = client.post(f"{base}/preview", data=criteria)
    assert preview.status_code == 200 and "3 signatures match" in preview.get_data(as_text=True)
    assert count_of(petition) == 3  # the dry run changed nothing

    done = client.post(f"{base}/invalidate", data=criteria)
    assert done.status_code == 303 and count_of(petition) == 1
    statuses = dict(db.session.execute(select(Signature.name, Signature.status)).all())
    assert statuses == {"Ann": "confirmed", "Bob": "pending"} | {
        f"Bot {n}": "held" for n in range(3)
    }
    record = db.session.scalars(select(Invalidation)).one()
    assert (record.count, record.reason, must(record.organiser).email) == (
        3,
        criteria["reason"],
        "organiser@example.org",
    )
    history = client.get(f"{base}/").get_data(as_text=True)
    assert "a burst from one throwaway domain" in history and "domain spam.example" in history
    assert "Held as not counted: 3 (invalidation)" in history

    assert client.post(f"{base}/invalidations/{record.id}/reverse").status_code == 303
    assert count_of(petition) == 3
    statuses = dict(db.session.execute(select(Signature.name, Signature.status)).all())
    assert [statuses[f"Bot {n}"] for n in range(3)] == ["confirmed", "confirmed", "pending"]
    assert client.post(f"{base}/invalidations/{record.id}/reverse").status_code == 303
    assert count_of(petition) == 3  # reversing twice counts once


def test_invalidation_by_network_name_pattern_and_time_window(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    flood(petition)
    log_in(client)
    db.session.rollback()
    bot = db.session.scalar(select(Signature).filter_by(name="Bot 0"))
    base = f"/organisers/petitions/{petition.slug}/activity"
    assert bot is not None
    by_network = {"network": must(bot.network_hash)[:12], "reason": "one network"}
    assert "3 signatures match" in client.post(f"{base}/preview", data=by_network).get_data(
        as_text=True
    )
    by_name = {"name_pattern": "BOT*", "reason": "names"}
    assert "3 signatures match" in client.post(f"{base}/preview", data=by_name).get_data(
        as_text=True
    )
    future = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    later = {"since": future, "reason": "nothing yet"}
    assert "0 signatures match" in client.post(f"{base}/preview", data=later).get_data(as_text=True)


def test_invalidation_needs_a_criterion_and_a_reason(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    flood(petition)
    log_in(client)
    base = f"/organisers/petitions/{petition.slug}/activity"
    no_reason = client.post(f"{base}/invalidate", data={"domain": "spam.example"})
    assert no_reason.status_code == 400 and "Please say why" in no_reason.get_data(as_text=True)
    no_criteria = client.post(f"{base}/invalidate", data={"reason": "everything"})
    assert no_criteria.status_code == 400
    assert "at least one of" in no_criteria.get_data(as_text=True)
    assert count_of(petition) == 3


def test_the_organiser_switches_disposable_domains_off_and_on(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    log_in(client)
    base = f"/organisers/petitions/{petition.slug}/activity"
    client.post(f"{base}/disposable", data={"on": "1"})
    signed(petition, "Temp", "temp@mailinator.com", "192.0.2.3", confirm=True)
    assert count_of(petition) == 0
    assert db.session.scalar(select(Signature.status)) == SignatureStatus.HELD
    client.post(f"{base}/disposable")
    db.session.rollback()
    assert must(db.session.get(Petition, petition.id)).blocks_disposable is False


def test_control_characters_in_criteria_get_a_message_not_a_crash(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    log_in(client)
    base = f"/organisers/petitions/{petition.slug}/activity"
    for field in ("domain", "name_pattern", "reason"):
        data = {"domain": "spam.example", "reason": "why"} | {field: "nul\x00byte"}
        response = client.post(f"{base}/preview", data=data)
        assert response.status_code == 400, field


def test_the_count_stays_exact_while_confirmations_withdrawals_and_invalidations_race(
    app: Flask, make_petition, make_organiser
) -> None:
    organiser = make_organiser()
    petition = make_petition(organiser=organiser)
    bots = [
        signed(petition, f"Bot {n}", f"bot{n}@spam.example", "203.0.113.5", n < 4)
        for n in range(12)
    ]
    confirms = [partial(confirm_signature, confirmation_token(bot)) for bot in bots[4:]]
    withdrawals = [partial(withdraw_signature, withdrawal_token(bot)) for bot in bots[::3]]
    spam = Criteria(domain="spam.example")

    def sweep() -> None:
        record = invalidate(petition, spam, organiser=organiser, reason="burst")
        reverse_invalidation(petition, record.id, organiser=organiser)
        invalidate(petition, spam, organiser=organiser, reason="burst again")

    errors = run_at_once(app, [*confirms, *withdrawals, sweep])
    # Confirming a signature its owner has just withdrawn finds nothing; nothing else may fail.
    assert all(isinstance(error, tokens.InvalidTokenError) for error in errors), errors
    db.session.rollback()
    confirmed = select(func.count()).where(Signature.status == SignatureStatus.CONFIRMED)
    assert count_of(petition) == db.session.scalar(confirmed)
    record = db.session.scalars(select(Invalidation).order_by(Invalidation.id.desc())).first()
    assert record is not None
    reverse_invalidation(petition, record.id, organiser=organiser)
    assert count_of(petition) == must(db.session.scalar(confirmed)) > 0
