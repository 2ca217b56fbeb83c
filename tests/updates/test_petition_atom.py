"""A petition's own Atom feed: its milestones and the updates sent to its signers, as XML."""

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

from flask.testing import FlaskClient

from petition.extensions import db
from petition.models import MilestoneKind, PetitionUpdate, utcnow
from petition.petitions.editing import StateChange, change_state
from petition.updates.milestones import record_milestone
from tests.helpers.checks import must

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://petitions.example.org"


def feed(client: FlaskClient, path: str = "/petitions/free-the-lawyer.atom") -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def add_update(petition_id: int, sent_at: datetime | None, **fields) -> PetitionUpdate:
    update = PetitionUpdate(petition_id=petition_id, sent_at=sent_at, **fields)
    db.session.add(update)
    db.session.commit()
    return update


def test_the_feed_carries_milestones_and_sent_updates_newest_first(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    organiser = make_organiser()
    petition = make_petition(slug="free-the-lawyer", organiser=organiser)
    root = feed(client)  # an empty feed is still a valid one
    assert root.findtext(f"{ATOM}id") == f"{PUBLIC}/petitions/free-the-lawyer.atom"
    assert root.findall(f"{ATOM}entry") == []
    datetime.fromisoformat(must(root.findtext(f"{ATOM}updated")))

    delivered, _ = record_milestone(
        petition,
        organiser,
        kind=MilestoneKind.DELIVERED,
        happened_on=date(2026, 3, 3),
        recipient="Ministry <of> Justice & Co",
        method="by post",
    )
    add_update(petition.id, None, subject="A draft", body="Never sent")
    add_update(
        petition.id,
        utcnow() + timedelta(seconds=5),
        subject="We delivered it",
        body="Thank you **all**.",
        translations={"ru": {"subject": "Мы передали", "body": "Спасибо **всем**."}},
    )
    answered, _ = record_milestone(
        petition,
        organiser,
        kind=MilestoneKind.ANSWERED,
        happened_on=date(2026, 3, 20),
        text="They said <no>.",
        link="https://gov.example.org/a?x=1&y=2",
    )
    root = feed(client)
    assert (
        root.findtext(f"{ATOM}title") == "What happens to the petition: Stop the forced evictions"
    )
    links = {
        link.get("rel"): link.get("href")
        for link in root.findall(f"{ATOM}link")
        if link.get("hreflang") is None  # the same feed in the other languages
    }
    assert links == {
        "self": f"{PUBLIC}/petitions/free-the-lawyer.atom",
        "alternate": f"{PUBLIC}/petitions/free-the-lawyer",
    }
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [
        "We delivered it",
        "Answer received: 20 March 2026",
        "Delivered: 3 March 2026",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids[1:] == [
        f"{PUBLIC}/petitions/free-the-lawyer#milestone-{answered.id}",
        f"{PUBLIC}/petitions/free-the-lawyer#milestone-{delivered.id}",
    ]
    assert must(ids[0]).startswith(f"{PUBLIC}/petitions/free-the-lawyer#update-")
    for entry in entries:
        assert datetime.fromisoformat(must(entry.findtext(f"{ATOM}updated"))).tzinfo is not None
        assert must(entry.find(f"{ATOM}content")).get("type") == "html"
    update_html = entries[0].findtext(f"{ATOM}content")
    assert update_html is not None
    assert "<strong>all</strong>" in update_html
    answer_html = entries[1].findtext(f"{ATOM}content")
    assert answer_html is not None
    assert "They said &lt;no&gt;." in answer_html  # the text's markup is text, not markup
    assert 'href="https://gov.example.org/a?x=1&amp;y=2"' in answer_html
    delivery_html = entries[2].findtext(f"{ATOM}content")
    assert delivery_html is not None
    assert "Delivered to Ministry &lt;of&gt; Justice &amp; Co. How: by post." in delivery_html
    assert "A draft" not in client.get("/petitions/free-the-lawyer.atom").get_data(as_text=True)

    russian = feed(client, "/petitions/free-the-lawyer.atom?lang=ru")
    first = russian.findall(f"{ATOM}entry")[0]
    assert first.findtext(f"{ATOM}title") == "Мы передали"
    assert first.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    assert "<strong>всем</strong>" in must(first.findtext(f"{ATOM}content"))


def test_the_petition_page_links_to_its_feed(client: FlaskClient, make_petition) -> None:
    make_petition(slug="free-the-lawyer")
    page = client.get("/petitions/free-the-lawyer?lang=en").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/petitions/free-the-lawyer.atom?lang=en"'
        in page
    )
    assert '<a href="/petitions/free-the-lawyer.atom?lang=en" type="application/atom+xml">' in page


def test_a_hidden_or_unknown_petition_has_no_feed(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    organiser = make_organiser()
    change_state(make_petition(slug="hidden", organiser=organiser), organiser, StateChange.HIDE)
    assert client.get("/petitions/hidden.atom").status_code == 404
    assert client.get("/petitions/nobody.atom").status_code == 404
    assert client.get("/petitions/bad%00slug.atom").status_code == 404
