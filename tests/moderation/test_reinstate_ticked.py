"""Organisers tick held signatures and reinstate just those, each recorded as if one by one."""

from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import PetitionEvent, SignatureStatus
from tests.helpers.organisers import log_in
from tests.helpers.signing import count_of
from tests.moderation.test_reinstatement import hold, state


def test_the_ticked_held_signatures_come_back_and_the_others_stay(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    other = make_petition(title="Another one")
    ann, bob, cleo = (hold(petition, f"{n}@example.org", confirm=n != "bob") for n in
                      ("ann", "bob", "cleo"))  # fmt: skip
    elsewhere = hold(other, "dan@example.org", confirm=True)
    log_in(client)
    page = client.get(f"/organisers/petitions/{petition.slug}/activity/").text
    assert page.count('data-select="held"') == 3 and 'data-select-controls="held"' in page
    assert f'name="ids" value="{ann}" form="reinstate-selected"' in page
    url = f"/organisers/petitions/{petition.slug}/activity/held/reinstate-selected"

    response = client.post(url, data={"reason": "one office", "ids": [ann, bob, elsewhere]})
    assert response.status_code == 303
    assert state(ann) == (SignatureStatus.CONFIRMED, None)
    assert state(bob) == (SignatureStatus.PENDING, None)
    assert state(cleo)[0] == state(elsewhere)[0] == SignatureStatus.HELD  # not ticked; not ours
    assert count_of(petition) == 1 and count_of(other) == 0
    events = db.session.scalars(select(PetitionEvent).filter_by(action="reinstated")).all()
    assert sorted(event.values["address"] for event in events) == [
        "a***@example.org",
        "b***@example.org",
    ]
    assert {event.values["reason"] for event in events} == {"one office"}


def test_ticking_nothing_or_giving_no_reason_gets_a_message_and_bad_ids_a_400(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    petition = make_petition()
    ann = hold(petition, "ann@example.org", confirm=True)
    url = f"/organisers/petitions/{petition.slug}/activity/held/reinstate-selected"
    assert client.post(url, data={"reason": "x", "ids": [ann]}).status_code == 302  # log in first
    make_organiser("stranger@example.org")
    log_in(client, "stranger@example.org")
    assert client.post(url, data={"reason": "x", "ids": [ann]}).status_code == 404
    client.post("/organisers/logout")
    log_in(client)
    nothing = client.post(url, data={"reason": "office"})
    assert nothing.status_code == 400 and "Tick the signatures to reinstate." in nothing.text
    no_reason = client.post(url, data={"ids": [ann]})
    assert no_reason.status_code == 400 and "Please say why you reinstate it" in no_reason.text
    for ids in (["x"], ["-1"], [str(ann)] * 201, ["9" * 40]):
        assert client.post(url, data={"reason": "office", "ids": ids}).status_code == 400
    assert client.post(url, data={"reason": "x" * 201, "ids": [ann]}).status_code == 400
    assert state(ann)[0] == SignatureStatus.HELD and count_of(petition) == 0
