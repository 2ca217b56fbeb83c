"""Organisers reinstate held signatures one by one (or all held for one reason), counted exactly."""

from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, PetitionEvent, Signature, SignatureStatus
from petition.moderation.reinstatement import mask_email
from petition.moderation.screening import add_rule
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from tests.conftest import PASSWORD
from tests.helpers.checks import json_of, must
from tests.helpers.organisers import log_in
from tests.helpers.signing import count_of


def hold(petition: Petition, email: str, confirm: bool, reason: str = "rate-limit") -> int:
    """A signature held for a reason, confirmed by its signer or not; its id."""
    sign_petition(petition, name=email.split("@")[0].title(), email=email, flag_reason=reason)
    signature = db.session.scalar(select(Signature).filter_by(email=email))
    assert signature is not None
    if confirm:
        confirm_signature(confirmation_token(signature))
    return signature.id


def state(signature_id: int) -> tuple[str, str | None]:
    db.session.rollback()
    signature = db.session.get(Signature, signature_id)
    assert signature is not None
    return signature.status, signature.flag_reason


def reinstate(client: FlaskClient, petition: Petition, signature_id: int, reason: str = "office"):
    url = f"/organisers/petitions/{petition.slug}/activity/held/{signature_id}/reinstate"
    return client.post(url, data={"reason": reason})


def test_masking_keeps_the_first_letter_and_the_domain() -> None:
    assert mask_email("ann.signer@example.org") == "a***@example.org"
    assert mask_email("no-at-sign") == "***"


def test_held_signatures_are_listed_masked_and_reinstated_counted_once(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    ann = hold(petition, "ann.signer@example.org", confirm=True)
    log_in(client)
    page = client.get(f"/organisers/petitions/{petition.slug}/activity/").get_data(as_text=True)
    assert "a***@example.org" in page and "ann.signer@example.org" not in page
    assert "rate-limit" in page and "Ann.Signer" in page
    assert count_of(petition) == 0
    assert reinstate(client, petition, ann, "Our office shares one address").status_code == 303
    assert state(ann) == (SignatureStatus.CONFIRMED, None) and count_of(petition) == 1
    assert reinstate(client, petition, ann).status_code == 404  # no longer held: counted once
    assert count_of(petition) == 1
    [event] = db.session.scalars(select(PetitionEvent).filter_by(action="reinstated")).all()
    assert must(event.organiser).email == "organiser@example.org" and event.rows == 1
    assert event.values == {
        "address": "a***@example.org",
        "held_for": "rate-limit",
        "reason": "Our office shares one address",
    }
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 1


def test_a_pending_held_signature_returns_to_pending_and_counts_once_confirmed(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    bob = hold(petition, "bob@example.org", confirm=False)
    log_in(client)
    assert reinstate(client, petition, bob).status_code == 303
    assert state(bob) == (SignatureStatus.PENDING, None) and count_of(petition) == 0
    confirm_signature(confirmation_token(must(db.session.get(Signature, bob))))
    assert count_of(petition) == 1


def test_other_organisers_and_other_petitions_find_no_door(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    petition = make_petition()
    mine = make_petition(title="Another one")
    ann = hold(petition, "ann@example.org", confirm=True)
    assert reinstate(client, petition, ann).status_code == 302  # to the login page
    make_organiser("stranger@example.org")
    log_in(client, "stranger@example.org")
    assert reinstate(client, petition, ann).status_code == 404
    client.post("/organisers/logout")
    log_in(client)
    assert reinstate(client, mine, ann).status_code == 404  # the id belongs to another petition
    assert reinstate(client, petition, 999_999).status_code == 404
    assert state(ann) == (SignatureStatus.HELD, "rate-limit") and count_of(petition) == 0


def test_a_reason_is_required_and_bad_input_gets_a_message(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    ann = hold(petition, "ann@example.org", confirm=True)
    log_in(client)
    empty = reinstate(client, petition, ann, "")
    assert empty.status_code == 400
    assert "Please say why you reinstate it" in empty.get_data(as_text=True)
    assert reinstate(client, petition, ann, "x\x00y").status_code == 400
    everything = f"/organisers/petitions/{petition.slug}/activity/held/reinstate"
    nul = client.post(everything, data={"reason": "ok", "flag_reason": "rate\x00limit"})
    assert nul.status_code == 400  # refused with a message, never sent to the database
    assert state(ann)[0] == SignatureStatus.HELD and count_of(petition) == 0


def test_all_held_for_one_reason_are_reinstated_and_the_others_stay(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    add_rule("domain", "blocked.example", "block")
    limited = [hold(petition, f"s{n}@example.org", confirm=n < 2) for n in range(3)]
    blocked = hold(petition, "x@blocked.example", confirm=True, reason="ignored")
    assert state(blocked) == (SignatureStatus.HELD, "blocked domain")
    log_in(client)
    url = f"/organisers/petitions/{petition.slug}/activity/held/reinstate"
    assert client.post(url, data={"reason": "university"}).status_code == 400  # which reason?
    response = client.post(url, data={"reason": "university", "flag_reason": "rate-limit"})
    assert response.status_code == 303
    assert [state(n)[0] for n in limited] == ["confirmed", "confirmed", "pending"]
    assert state(blocked)[0] == SignatureStatus.HELD and count_of(petition) == 2
    event = db.session.scalar(select(PetitionEvent).filter_by(action="reinstated"))
    assert event is not None
    assert event.rows == 3 and event.values == {
        "address": "all", "held_for": "rate-limit", "reason": "university"
    }  # fmt: skip


def test_reinstating_needs_the_csrf_token(make_app, make_petition) -> None:
    guarded = make_app(WTF_CSRF_ENABLED=True)
    with guarded.app_context():
        petition = make_petition()
        ann = hold(petition, "ann@example.org", confirm=True)
        slug = petition.slug
    # Requests outside the test's app context, so each has its own g (and CSRF token cache).
    client = guarded.test_client()
    login_page = client.get("/organisers/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    login = {"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/organisers/login", data=login).status_code == 303
    url = f"/organisers/petitions/{slug}/activity/held/{ann}/reinstate"
    assert client.post(url, data={"reason": "ok"}).status_code == 400
    with guarded.app_context():
        assert state(ann) == (SignatureStatus.HELD, "rate-limit")
    page = client.get(f"/organisers/petitions/{slug}/activity/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(url, data={"reason": "ok", "csrf_token": token}).status_code == 303
    with guarded.app_context():
        assert state(ann) == (SignatureStatus.CONFIRMED, None)
