"""The Atom feed of open petitions, read as a feed reader would: as XML."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from flask.testing import FlaskClient

from petition.models import utcnow
from petition.petitions.editing import StateChange, change_state
from tests.helpers.checks import must

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://petitions.example.org"


def feed(client: FlaskClient) -> ET.Element:
    response = client.get("/petitions.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def test_the_feed_lists_open_petitions_with_every_required_element(
    client: FlaskClient, make_petition
) -> None:
    make_petition(title="First <appeal> & more", body="Stop it **now**.\n\nMore text.")
    make_petition(title="Second appeal", slug="second")
    make_petition(title="Closed appeal", closes_on=(utcnow() - timedelta(days=2)).date())
    root = feed(client)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == f"{PUBLIC}/petitions.atom"
    assert root.findtext(f"{ATOM}title") == "Open petitions"
    datetime.fromisoformat(must(root.findtext(f"{ATOM}updated")))
    assert must(root.find(f"{ATOM}author/{ATOM}name")).text
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": f"{PUBLIC}/petitions.atom", "alternate": f"{PUBLIC}/"}

    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Second appeal",
        "First <appeal> & more",
    ]
    second, first = entries
    assert second.findtext(f"{ATOM}id") == f"{PUBLIC}/petitions/second"
    assert must(second.find(f"{ATOM}link")).get("href") == f"{PUBLIC}/petitions/second"
    for entry in entries:
        assert datetime.fromisoformat(must(entry.findtext(f"{ATOM}updated"))).tzinfo is not None
    assert first.findtext(f"{ATOM}summary") == "Stop it now."
    content = first.find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "html" and "<strong>now</strong>" in must(content.text)


def test_a_hidden_petition_leaves_the_feed(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    change_state(make_petition(title="Hidden appeal"), make_organiser(), StateChange.HIDE)
    assert root_titles(feed(client)) == []


def root_titles(root: ET.Element) -> list[str | None]:
    return [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]


def test_an_empty_feed_is_still_valid_and_caches_may_keep_it(client: FlaskClient) -> None:
    root = feed(client)
    assert root.findall(f"{ATOM}entry") == [] and root.findtext(f"{ATOM}updated")
    response = client.get("/petitions.atom")
    assert response.cache_control.public and response.cache_control.max_age == 5
    again = client.get("/petitions.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
