"""Organisers record the delivery, the answer and notes; the public page, JSON and API show them."""

import json
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import EventAction, PetitionEvent, PetitionMilestone
from tests.conftest import PASSWORD
from tests.helpers.checks import json_of, must
from tests.helpers.clock import days_from_today, today_utc
from tests.helpers.http import organiser_session


def record(client: FlaskClient, slug: str, kind: str, **fields: str):
    data = {"kind": kind} | {f"{kind}-{name}": value for name, value in fields.items()}
    return client.post(f"/organisers/petitions/{slug}/timeline", data=data)


@pytest.fixture
def petition(organiser_client: FlaskClient, make_petition, make_organiser):
    return make_petition(slug="stop-evictions", organiser=make_organiser())


def milestones() -> list[PetitionMilestone]:
    db.session.expire_all()
    return list(db.session.scalars(select(PetitionMilestone).order_by(PetitionMilestone.id)))


def test_a_delivery_is_recorded_shown_on_the_public_page_and_in_the_history(
    organiser_client: FlaskClient, petition
) -> None:
    page = organiser_client.get("/petitions/stop-evictions?lang=en").get_data(as_text=True)
    assert "After the signing" not in page  # nothing yet: no empty timeline
    response = record(
        organiser_client,
        "stop-evictions",
        "delivered",
        happened_on="2026-03-03",
        recipient="The Mayor's office",
        method="by hand",
        reference="A-123/26",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/organisers/petitions/stop-evictions/timeline")
    [milestone] = milestones()
    assert (milestone.kind, milestone.happened_on) == ("delivered", date(2026, 3, 3))
    assert (milestone.recipient, milestone.method, milestone.reference) == (
        "The Mayor's office",
        "by hand",
        "A-123/26",
    )
    # Seen at once, without waiting for this process's public copy to run out.
    page = organiser_client.get("/petitions/stop-evictions?lang=en").get_data(as_text=True)
    assert '<ol class="timeline">' in page
    assert '<time datetime="2026-03-03">3 March 2026</time>: Delivered' in page
    assert "Delivered to The Mayor&#39;s office. How: by hand. Reference number: A-123/26." in page
    history = organiser_client.get("/organisers/petitions/stop-evictions/").get_data(as_text=True)
    assert "Milestone recorded: Delivered, 3 March 2026" in history
    russian = organiser_client.get("/petitions/stop-evictions?lang=ru").get_data(as_text=True)
    assert "3 марта 2026" in russian


def test_an_answer_needs_text_or_a_link_and_its_text_is_rendered_safely(
    organiser_client: FlaskClient, petition
) -> None:
    empty = record(organiser_client, "stop-evictions", "answered", happened_on="2026-03-10")
    assert empty.status_code == 400
    assert "Please give the answer&#39;s text, a link to it, or both." in empty.get_data(
        as_text=True
    )
    answer = "We **refuse**.<script>alert(1)</script> [x](javascript:alert(1))"
    response = record(
        organiser_client,
        "stop-evictions",
        "answered",
        happened_on="2026-03-10",
        text=answer,
        link="https://city.example.org/answer",
    )
    assert response.status_code == 303
    page = organiser_client.get("/petitions/stop-evictions?lang=en").get_data(as_text=True)
    assert "<strong>refuse</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert 'href="https://city.example.org/answer"' in page
    link_only = record(
        organiser_client,
        "stop-evictions",
        "answered",
        happened_on="2026-03-11",
        link="http://city.example.org/2",
    )
    assert link_only.status_code == 303
    assert [m.kind for m in milestones()] == ["answered", "answered"]


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (
            "delivered",
            {"happened_on": days_from_today(1).isoformat(), "recipient": "Mayor"},
            "The day it was delivered cannot be in the future.",
        ),
        (
            "answered",
            {"happened_on": days_from_today(1).isoformat(), "text": "Yes"},
            "The day the answer came cannot be in the future.",
        ),
        (
            "delivered",
            {"happened_on": "2026-01-01"},
            "Please say who the petition was delivered to.",
        ),
        (
            "delivered",
            {"happened_on": "2026-01-01", "recipient": "x" * 201},
            "At most 200 characters.",
        ),
        (
            "delivered",
            {"happened_on": "2026-01-01", "recipient": "M", "reference": "r" * 101},
            "At most 100 characters.",
        ),
        (
            "answered",
            {"happened_on": "2026-01-01", "text": "y" * 20_001},
            "At most 20,000 characters.",
        ),
        (
            "answered",
            {"happened_on": "2026-01-01", "link": "javascript:alert(1)"},
            "Please give a web address, for example https://example.org/page.",
        ),
        (
            "note",
            {"happened_on": "2026-01-01", "text": "ok", "link": "data:text/html,hi"},
            "Please give a web address, for example https://example.org/page.",
        ),
        (
            "answered",
            {"happened_on": "2026-01-01", "link": "https://x.example/" + "a" * 500},
            "At most 500 characters.",
        ),
        ("note", {"happened_on": "2026-01-01"}, "Please write the note."),
        ("note", {"text": "Hearing"}, "Please give the date."),
        ("note", {"happened_on": "99999-01-01", "text": "x"}, "Please give the date."),
        ("note", {"happened_on": "yesterday", "text": "x"}, "Please give the date."),
        ("note", {"happened_on": "2026-01-01", "text": "a\x00b"}, "control characters"),
        ("delivered", {"happened_on": "2026-01-01", "recipient": "a\x00b"}, "on one line"),
    ],
)
def test_bad_milestones_get_a_clear_message_and_change_nothing(
    organiser_client: FlaskClient, petition, kind: str, fields: dict[str, str], message: str
) -> None:
    response = record(organiser_client, "stop-evictions", kind, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message.replace("'", "&#39;") in page
    assert 'aria-invalid="true"' in page
    assert milestones() == []


def test_a_note_may_be_dated_ahead_and_a_milestone_removed(
    organiser_client: FlaskClient, petition
) -> None:
    response = record(
        organiser_client,
        "stop-evictions",
        "note",
        happened_on=days_from_today(1).isoformat(),
        text="The council debates it tomorrow.",
    )
    assert response.status_code == 303
    [note] = milestones()
    listed = json_of(organiser_client.get("/petitions/stop-evictions.json"))["milestones"]
    assert listed[0]["text"] == "The council debates it tomorrow."
    removed = organiser_client.post(
        "/organisers/petitions/stop-evictions/timeline/remove", data={"milestone": str(note.id)}
    )
    assert removed.status_code == 303
    assert milestones() == []
    assert json_of(organiser_client.get("/petitions/stop-evictions.json"))["milestones"] == []
    page = organiser_client.get("/petitions/stop-evictions?lang=en").get_data(as_text=True)
    assert "The council debates it tomorrow." not in page
    actions = db.session.scalars(select(PetitionEvent.action).order_by(PetitionEvent.id)).all()
    assert actions[-2:] == [EventAction.MILESTONE_RECORDED, EventAction.MILESTONE_REMOVED]
    history = organiser_client.get("/organisers/petitions/stop-evictions/").get_data(as_text=True)
    assert "Milestone removed: Note," in history


@pytest.mark.parametrize(
    "data",
    [{}, {"kind": "verdict"}, {"kind": "\x00"}],
)
def test_an_unknown_kind_is_a_bad_request(organiser_client: FlaskClient, petition, data) -> None:
    response = organiser_client.post("/organisers/petitions/stop-evictions/timeline", data=data)
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["", "abc", "-1", "1" * 30, "1\x00", "1.5"])
def test_a_remove_without_a_real_id_is_a_bad_request(
    organiser_client: FlaskClient, petition, value: str
) -> None:
    response = organiser_client.post(
        "/organisers/petitions/stop-evictions/timeline/remove", data={"milestone": value}
    )
    assert response.status_code == 400


def test_the_json_count_and_the_api_give_the_timeline(
    organiser_client: FlaskClient, petition
) -> None:
    record(organiser_client, "stop-evictions", "answered", happened_on="2026-03-10", text="No.")
    record(
        organiser_client,
        "stop-evictions",
        "delivered",
        happened_on="2026-03-03",
        recipient="Mayor",
    )
    expected = [
        {
            "kind": "delivered",
            "date": "2026-03-03",
            "recipient": "Mayor",
            "method": None,
            "reference": None,
            "text": None,
            "link": None,
        },
        {
            "kind": "answered",
            "date": "2026-03-10",
            "recipient": None,
            "method": None,
            "reference": None,
            "text": "No.",
            "link": None,
        },
    ]
    public = json.loads(organiser_client.get("/petitions/stop-evictions.json").data)
    assert public["milestones"] == expected  # in the order they happened
    assert public["signature_count"] == 0 and public["paper_signature_count"] == 0
    api = organiser_client.get("/api/v1/petitions/stop-evictions").json
    assert api is not None
    assert api["milestones"] == expected and api["paper_signature_count"] == 0
    schema = json_of(organiser_client.get("/api/v1/openapi.json"))["components"]["schemas"]
    assert set(schema["Milestone"]["properties"]) == set(expected[0])
    assert "paper_signature_count" in schema["Petition"]["required"]


def test_other_organisers_and_strangers_cannot_see_or_change_the_timeline(
    app: Flask, client: FlaskClient, make_petition, make_organiser
) -> None:
    owner = make_organiser("owner@example.org")
    make_petition(slug="theirs", organiser=owner)
    client.post("/organisers/petitions/theirs/timeline", data={"kind": "note"})
    stranger = client.post(
        "/organisers/petitions/theirs/timeline",
        data={"kind": "note", "note-happened_on": "2026-01-01", "note-text": "x"},
    )
    assert stranger.status_code in (302, 303)
    assert "/organisers/login" in stranger.headers["Location"]
    make_organiser("intruder@example.org")
    client.post("/organisers/login", data={"email": "intruder@example.org", "password": PASSWORD})
    for method, path, data in [
        ("get", "/organisers/petitions/theirs/timeline", None),
        ("post", "/organisers/petitions/theirs/timeline", {"kind": "note", "note-text": "x"}),
        ("post", "/organisers/petitions/theirs/timeline/remove", {"milestone": "1"}),
    ]:
        assert getattr(client, method)(path, data=data).status_code == 404
    assert milestones() == []


def test_another_petitions_milestone_cannot_be_removed(
    organiser_client: FlaskClient, petition, make_petition, make_organiser
) -> None:
    make_petition(slug="theirs", organiser=make_organiser("owner@example.org"))
    from petition.models import MilestoneKind, Petition
    from petition.updates.milestones import record_milestone

    theirs = db.session.scalar(select(Petition).where(Petition.slug == "theirs"))
    assert theirs is not None
    owner = theirs.organisers[0]
    kept, _ = record_milestone(
        theirs, owner, kind=MilestoneKind.NOTE, happened_on=today_utc(), text="Theirs"
    )
    response = organiser_client.post(
        "/organisers/petitions/stop-evictions/timeline/remove", data={"milestone": str(kept.id)}
    )
    assert response.status_code == 303
    assert [m.id for m in milestones()] == [kept.id]


def test_no_get_changes_the_timeline(organiser_client: FlaskClient, petition) -> None:
    response = organiser_client.get(
        "/organisers/petitions/stop-evictions/timeline",
        query_string={"kind": "note", "note-happened_on": "2026-01-01", "note-text": "x"},
    )
    assert response.status_code == 200
    assert (
        organiser_client.get("/organisers/petitions/stop-evictions/timeline/remove").status_code
        == 405
    )
    assert milestones() == []


def test_the_organiser_page_panel_links_to_the_timeline_and_paper(
    organiser_client: FlaskClient, petition
) -> None:
    record(organiser_client, "stop-evictions", "note", happened_on="2026-01-05", text="Met")
    page = organiser_client.get("/organisers/petitions/stop-evictions/").get_data(as_text=True)
    assert "Timeline and paper signatures" in page
    assert "5 January 2026</time>: Note" in page
    assert 'href="/organisers/petitions/stop-evictions/timeline"' in page
    assert 'href="/organisers/petitions/stop-evictions/paper"' in page


def test_a_kept_public_copy_gives_way_to_a_new_milestone_or_batch(make_app, make_petition) -> None:
    app = make_app(PUBLIC_SNAPSHOT_SECONDS=3600)  # copies would outlive the test if kept
    with app.app_context():
        from petition.models import MilestoneKind
        from petition.updates.milestones import record_milestone
        from petition.updates.paper import record_paper_batch

        petition = make_petition(slug="kept")
        organiser = petition.organisers[0]
        client = app.test_client()
        assert client.get("/petitions/kept.json").json["milestones"] == []
        assert "After the signing" not in client.get("/petitions/kept?lang=en").get_data(
            as_text=True
        )
        record_milestone(
            petition,
            organiser,
            kind=MilestoneKind.NOTE,
            happened_on=today_utc(),
            text="Hearing set",
        )
        assert client.get("/petitions/kept.json").json["milestones"][0]["text"] == "Hearing set"
        assert "Hearing set" in client.get("/petitions/kept?lang=en").get_data(as_text=True)
        record_paper_batch(petition, organiser, count=40, collected_on=today_utc())
        assert client.get("/petitions/kept.json").json["paper_signature_count"] == 40
        assert "Also 40 signatures on paper" in client.get("/petitions/kept?lang=en").get_data(
            as_text=True
        )


def test_over_http_with_csrf_on_only_a_form_from_the_page_records(
    live_server, make_petition
) -> None:
    with live_server.app.app_context():
        make_petition(slug="guarded")
    base = live_server.url
    session = organiser_session(base, "organiser@example.org", PASSWORD)
    timeline = f"{base}/organisers/petitions/guarded/timeline"
    fields = {"kind": "note", "note-happened_on": "2026-01-01", "note-text": "Forged"}
    assert session.post(timeline, data=fields, allow_redirects=False).status_code == 400
    paper = {"count": "5", "collected_on": "2026-01-01"}
    forged_paper = session.post(f"{base}/organisers/petitions/guarded/paper", data=paper)
    assert forged_paper.status_code == 400
    with live_server.app.app_context():
        assert milestones() == []
    page = session.get(timeline).text
    note_token = must(re.search(r'name="note-csrf_token" type="hidden" value="([^"]+)"', page))[1]
    fields |= {"note-csrf_token": note_token, "note-text": "Real"}
    assert session.post(timeline, data=fields, allow_redirects=False).status_code == 303
    with live_server.app.app_context():
        [note] = milestones()
        assert note.text == "Real"
    removal = {"milestone": str(note.id)}
    bare = session.post(f"{timeline}/remove", data=removal, allow_redirects=False)
    assert bare.status_code == 400
    removal["csrf_token"] = must(re.search(r'name="csrf_token" value="([^"]+)"', page))[1]
    done = session.post(f"{timeline}/remove", data=removal, allow_redirects=False)
    assert done.status_code == 303
    with live_server.app.app_context():
        assert milestones() == []


def test_a_milestone_recorded_to_be_announced_drafts_an_update_in_the_petitions_language(
    organiser_client: FlaskClient, make_petition, make_organiser
) -> None:
    from petition.models import PetitionUpdate

    make_petition(slug="svobodu", organiser=make_organiser(), language="ru")
    response = record(
        organiser_client,
        "svobodu",
        "delivered",
        happened_on="2026-03-03",
        recipient="Верховный суд",
        reference="A-123/26",
        announce="y",
    )
    assert response.status_code == 303
    [milestone] = milestones()
    [draft] = db.session.scalars(select(PetitionUpdate)).all()
    assert response.headers["Location"].endswith(
        f"/organisers/petitions/svobodu/updates/{draft.id}"
    )
    # A draft for the organiser to read over: nothing is sent until they press Send.
    assert (draft.milestone_id, draft.sent_at) == (milestone.id, None)
    assert draft.subject == "Петиция передана: Верховный суд"
    assert "3 марта 2026" in draft.body and "A-123/26" in draft.body
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Петиция передана: Верховный суд" in page
    # Without the box, no draft.
    record(organiser_client, "svobodu", "note", happened_on="2026-03-04", text="Hearing soon")
    assert db.session.scalar(select(db.func.count()).select_from(PetitionUpdate)) == 1
