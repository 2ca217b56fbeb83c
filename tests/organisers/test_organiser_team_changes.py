"""Changing a team: invitations bound to a secret and used once, withdrawing them, removing a
colleague, leaving; never leaving a petition with no one to run it."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.models import Invitation, Organiser, Petition, PetitionEvent
from petition.organisers.invitations import (
    UsedInvitationError,
    accept_invitation,
    invite_organiser,
    read_invitation,
)
from petition.petitions.history import event_detail
from tests.conftest import PASSWORD
from tests.helpers.checks import must
from tests.helpers.organisers import log_in

NEW_PASSWORD = "a brand new passphrase"


def link(app: Flask, payload: list) -> str:
    token = tokens.make_token(app.config["SECRET_KEY"], tokens.INVITE_ORGANISER, payload)
    return f"/organisers/invitations/{token}"


def emails_of(petition: Petition) -> list[str]:
    db.session.expire_all()
    return sorted(member.email for member in petition.organisers)


def actions(petition: Petition) -> list[tuple[str, str]]:
    events = db.session.scalars(
        select(PetitionEvent).where(PetitionEvent.petition_id == petition.id).order_by("id")
    )
    return [(event.action, event_detail(event)) for event in events][1:]  # after "created"


@pytest.fixture
def team(make_petition, make_organiser) -> Petition:
    """A petition run by two organisers."""
    petition = make_petition(title="Our petition")
    colleague = make_organiser("colleague@example.org")
    petition.organisers.append(colleague)
    db.session.commit()
    return petition


def test_an_invitation_link_works_once(app: Flask, client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    invitation = invite_organiser(petition, petition.organisers[0], "new@example.org")
    url = link(app, [invitation.id, invitation.secret])
    answer = client.post(url, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert answer.status_code == 303
    again = client.post(url, data={"password": "another one entirely", "repeat": "x"})
    assert again.status_code == 410 and "This invitation has been used" in again.get_data(
        as_text=True
    )
    assert must(db.session.get(Invitation, invitation.id)).used_at is not None


def test_two_uses_of_one_read_invitation_join_once(
    app: Flask, make_petition, make_organiser
) -> None:
    """Both read the link before either accepted it: the claim itself lets only one through."""
    petition = make_petition()
    make_organiser("colleague@example.org")
    invitation = invite_organiser(petition, petition.organisers[0], "colleague@example.org")
    token = link(app, [invitation.id, invitation.secret]).rsplit("/", 1)[1]
    first, second = read_invitation(token), read_invitation(token)
    accept_invitation(first, PASSWORD)
    with pytest.raises(UsedInvitationError):
        accept_invitation(second, PASSWORD)
    assert emails_of(petition) == ["colleague@example.org", "organiser@example.org"]
    assert [action for action, _ in actions(petition)] == ["invited", "joined"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_link_with_the_right_id_but_a_wrong_secret_does_nothing(
    app: Flask, client: FlaskClient, make_petition, method: str
) -> None:
    petition = make_petition()
    invitation = invite_organiser(petition, petition.organisers[0], "new@example.org")
    wrong = invitation.secret[:-1] + ("A" if invitation.secret[-1] != "A" else "B")
    for payload in ([invitation.id, wrong], [invitation.id, ""], [invitation.id, "é" * 22]):
        answer = client.open(
            link(app, payload),
            method=method,
            data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        )
        assert answer.status_code == 400, payload
        assert "new@example.org" not in answer.get_data(as_text=True)
    assert emails_of(petition) == ["organiser@example.org"]
    assert must(db.session.get(Invitation, invitation.id)).used_at is None
    assert db.session.scalar(select(func.count()).select_from(Organiser)) == 1


def test_invitation_links_of_the_old_form_stop_working(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    old = link(app, [petition.id, "new@example.org", petition.organisers[0].id])
    assert client.get(old).status_code == 400
    assert (
        client.post(old, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 400
    )
    assert emails_of(petition) == ["organiser@example.org"]


def test_the_invitation_page_sends_no_referrer(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    invitation = invite_organiser(petition, petition.organisers[0], "new@example.org")
    url = link(app, [invitation.id, invitation.secret])
    answers = [
        client.get(url),
        client.post(url, data={"password": "short", "repeat": "short"}),
        client.get("/organisers/invitations/broken"),
        client.post(url, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}),
        client.get(url),  # used
    ]
    assert [answer.status_code for answer in answers] == [200, 400, 400, 303, 410]
    assert all(answer.headers["Referrer-Policy"] == "no-referrer" for answer in answers)


def test_withdrawing_an_invitation_ends_its_link(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    assert log_in(client).status_code == 303
    base = f"/organisers/petitions/{petition.slug}"
    client.post(f"{base}/invite", data={"email": "new@example.org"})
    invitation = db.session.scalar(select(Invitation))
    assert invitation is not None
    url = link(app, [invitation.id, invitation.secret])
    team = client.get(f"{base}/").get_data(as_text=True)
    assert "Invitations not yet accepted" in team and "new@example.org, invited on" in team
    done = client.post(f"{base}/invitations/{invitation.id}/withdraw", follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "The invitation to new@example.org is withdrawn" in page
    assert "Invitation withdrawn: Withdrew the invitation of new@example.org" in page
    assert "Invitations not yet accepted" not in page
    assert client.get(url).status_code == 400
    assert (
        client.post(url, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 400
    )
    again = client.post(f"{base}/invitations/{invitation.id}/withdraw", follow_redirects=True)
    assert "That invitation was already used or withdrawn." in again.get_data(as_text=True)
    assert emails_of(petition) == ["organiser@example.org"]


def test_an_invitation_of_another_petition_cannot_be_withdrawn(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    mine = make_petition(title="Mine")
    theirs = make_petition(title="Theirs", organiser=make_organiser("owner@example.org"))
    invitation = invite_organiser(theirs, theirs.organisers[0], "friend@example.org")
    assert log_in(client).status_code == 303
    client.post(f"/organisers/petitions/{mine.slug}/invitations/{invitation.id}/withdraw")
    assert db.session.get(Invitation, invitation.id) is not None
    assert actions(theirs) == [("invited", "Invited friend@example.org")]


def test_removing_a_colleague(client: FlaskClient, team: Petition) -> None:
    assert log_in(client).status_code == 303
    colleague = db.session.scalar(select(Organiser).filter_by(email="colleague@example.org"))
    page = client.get(f"/organisers/petitions/{team.slug}/").get_data(as_text=True)
    assert colleague is not None
    assert f'action="/organisers/petitions/{team.slug}/organisers/{colleague.id}/remove"' in page
    done = client.post(
        f"/organisers/petitions/{team.slug}/organisers/{colleague.id}/remove",
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "colleague@example.org no longer runs this petition." in page
    assert "Removed: Removed colleague@example.org" in page
    assert emails_of(team) == ["organiser@example.org"]
    assert actions(team) == [("removed", "Removed colleague@example.org")]


def test_leaving_a_petition(client: FlaskClient, team: Petition) -> None:
    assert log_in(client, "colleague@example.org").status_code == 303
    done = client.post(f"/organisers/petitions/{team.slug}/leave", follow_redirects=True)
    assert done.status_code == 200
    assert "You no longer run “Our petition”." in done.get_data(as_text=True)
    assert emails_of(team) == ["organiser@example.org"]
    assert actions(team) == [("left", "colleague@example.org left")]
    assert client.get(f"/organisers/petitions/{team.slug}/").status_code == 404


def test_the_last_organiser_can_neither_leave_nor_be_removed(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    petition = make_petition()
    stranger = make_organiser("stranger@example.org")
    assert log_in(client).status_code == 303
    me = petition.organisers[0].id
    page = client.get(f"/organisers/petitions/{petition.slug}/").get_data(as_text=True)
    assert "Leave this petition" not in page  # nothing to offer when no one else runs it
    base = f"/organisers/petitions/{petition.slug}"
    for path in (f"{base}/leave", f"{base}/organisers/{me}/remove"):
        refused = client.post(path)
        assert refused.status_code == 409, path
        assert "A petition needs at least one organiser." in refused.get_data(as_text=True)
    not_member = client.post(f"{base}/organisers/{stranger.id}/remove")
    assert not_member.status_code == 409
    assert "That organiser no longer runs this petition." in not_member.get_data(as_text=True)
    assert emails_of(petition) == ["organiser@example.org"]
    assert actions(petition) == []


def test_team_changes_need_their_csrf_token(make_app) -> None:
    from petition.organisers.accounts import set_organiser_password
    from petition.petitions.publishing import create_petition

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        owner = set_organiser_password("organiser@example.org", PASSWORD)
        petition = create_petition(title="Ours", body="Text.", organiser=owner)
        colleague = set_organiser_password("colleague@example.org", PASSWORD)
        petition.organisers.append(colleague)
        db.session.commit()
        slug, colleague_id = petition.slug, petition.organisers[1].id
    client = app.test_client()
    form = client.get("/organisers/login").get_data(as_text=True)
    token = must(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form))[1]
    client.post(
        "/organisers/login",
        data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token},
    )
    base = f"/organisers/petitions/{slug}"
    assert client.post(f"{base}/organisers/{colleague_id}/remove").status_code == 400
    assert client.post(f"{base}/leave").status_code == 400
    with app.app_context():
        assert len(must(db.session.get(Petition, petition.id)).organisers) == 2
