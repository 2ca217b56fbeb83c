"""Every organiser URL, found by walking the URL map, refuses strangers and other organisers."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from petition.extensions import db
from petition.models import Organiser, Petition
from petition.organisers.team import remove_organiser
from tests.conftest import PASSWORD

# Pages that must work before logging in: the login itself, and the emailed invitation (whose
# signed token is the proof). Everything else under organisers. needs a session.
# Open to anyone: what a person uses before they can log in, or to log out.
OPEN_ENDPOINTS = {
    "organisers.login",
    "organisers.accept_invitation",
    "organisers.logout",
    "organisers.forgot_password",
    "organisers.reset_link_sent",
    "organisers.reset_password",
}
SAMPLE_VALUES = {
    "fmt": ["csv", "xlsx", "json", "svg", "png"],
    "token": ["x"],
    "organiser_id": ["1", "2"],
    "invitation_id": ["1"],
    "invalidation_id": ["1"],
    "signature_id": ["1"],
    "update_id": ["1"],
    "action_id": ["1"],
    "target_id": ["1"],
}


def organiser_urls(
    app: Flask, slug: str, prefixes: tuple[str, ...] = ("organisers.",)
) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every organiser rule, filled with this slug and every format."""
    found = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(prefixes):
            continue
        combos: list[dict[str, str]] = [{}]
        for argument in rule.arguments:
            values = [slug] if argument == "slug" else SAMPLE_VALUES[argument]
            combos = [combo | {argument: value} for combo in combos for value in values]
        for filled in combos:
            path = adapter.build(rule.endpoint, filled)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, path))
    return found


@pytest.fixture
def theirs(make_petition, make_organiser) -> Petition:
    """A petition run by someone else than the organiser who will log in."""
    make_organiser("intruder@example.org")
    return make_petition(title="Their petition", organiser=make_organiser("owner@example.org"))


def test_the_walk_finds_every_organiser_page(app: Flask, theirs: Petition) -> None:
    endpoints = {endpoint for endpoint, _, _ in organiser_urls(app, theirs.slug)}
    assert {"organisers.export", "organisers.delivery", "organisers.petition"} <= endpoints
    assert len(endpoints) >= 14


def test_anonymous_visitors_are_sent_to_the_login(
    app: Flask, client: FlaskClient, theirs: Petition
) -> None:
    checked = 0
    for endpoint, method, path in organiser_urls(app, theirs.slug):
        if endpoint in OPEN_ENDPOINTS:
            continue
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.location.startswith("/organisers/login?next="), (method, path)
        checked += 1
    assert checked >= 20


def test_another_organiser_gets_404_for_every_petition_url(
    app: Flask, client: FlaskClient, theirs: Petition
) -> None:
    response = client.post(
        "/organisers/login", data={"email": "intruder@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    checked = 0
    for endpoint, method, path in organiser_urls(app, theirs.slug):
        if "/petitions/" not in path or endpoint == "organisers.new_petition":
            continue
        response = client.open(path, method=method, data={"change": "close", "email": "a@b.org"})
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Their petition" not in response.get_data(as_text=True)
        checked += 1
    assert checked >= 15
    # Nothing was changed or sent on their behalf.
    assert theirs.is_open() and theirs.hidden_at is None
    assert len(theirs.organisers) == 1


def test_a_guessed_slug_is_404_for_its_own_organiser_too(
    client: FlaskClient, make_organiser
) -> None:
    make_organiser()
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    for suffix in ("", "edit", "export.csv", "delivery-pack.pdf", "qr.svg"):
        assert client.get(f"/organisers/petitions/no-such-one/{suffix}").status_code == 404


def test_a_removed_organiser_gets_404_at_once_on_every_page_of_the_petition(
    app: Flask, make_petition, make_organiser
) -> None:
    owner = make_organiser("owner@example.org")
    colleague = make_organiser("colleague@example.org")
    petition = make_petition(title="Our petition", organiser=owner)
    petition.organisers.append(colleague)
    db.session.commit()
    client = app.test_client()
    client.post("/organisers/login", data={"email": "colleague@example.org", "password": PASSWORD})
    urls = [
        (endpoint, method, path)
        for endpoint, method, path in organiser_urls(
            app, petition.slug, ("organisers.", "moderation.")
        )
        if f"/{petition.slug}/" in path
    ]
    assert {"organisers.remove", "organisers.leave", "organisers.withdraw"} <= {
        endpoint for endpoint, _, _ in urls
    }
    assert client.get(f"/organisers/petitions/{petition.slug}/").status_code == 200

    remove_organiser(petition, owner, colleague.id)  # while the colleague is logged in

    for endpoint, method, path in urls:
        response = client.open(path, method=method, data={"change": "hide", "email": "a@b.org"})
        assert response.status_code == 404, (endpoint, method, path, response.status_code)
        assert "Our petition" not in response.get_data(as_text=True)
    assert len(urls) >= 25
    db.session.expire_all()
    assert petition.is_open() and petition.hidden_at is None
    assert [member.email for member in petition.organisers] == ["owner@example.org"]
    assert db.session.get(Organiser, colleague.id) is not None  # the account itself stays
