"""A petition's Atom feed has a version per language, and the page points at the reader's."""

import re
import xml.etree.ElementTree as ET

from flask.testing import FlaskClient

from petition.models import utcnow
from tests.updates.test_petition_atom import ATOM, PUBLIC, add_update


def test_each_language_has_its_feed_and_the_page_links_the_readers(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(slug="trees")
    add_update(
        petition.id,
        utcnow(),
        subject="Trees saved",
        body="Saved.",
        translations={"kk": {"subject": "Ағаштар сақталды", "body": "Сақталды."}},
    )
    page = client.get("/petitions/trees?lang=kk").text
    link = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', page)
    assert link is not None and link.group(1) == "/petitions/trees.atom?lang=kk"

    kazakh = ET.fromstring(client.get(link.group(1)).get_data())
    assert kazakh.get("{http://www.w3.org/XML/1998/namespace}lang") == "kk"
    assert kazakh.findtext(f"{ATOM}entry/{ATOM}title") == "Ағаштар сақталды"
    links = {
        (e.get("rel"), e.get("hreflang")): e.get("href") for e in kazakh.findall(f"{ATOM}link")
    }
    assert links[("self", None)] == f"{PUBLIC}/petitions/trees.atom?lang=kk"
    assert links[("alternate", None)] == f"{PUBLIC}/petitions/trees?lang=kk"
    assert links[("alternate", "ru")] == f"{PUBLIC}/petitions/trees.atom?lang=ru"

    russian = ET.fromstring(client.get("/petitions/trees.atom?lang=ru").get_data())
    assert russian.findtext(f"{ATOM}entry/{ATOM}title") == "Trees saved"  # no Russian version
    assert russian.findtext(f"{ATOM}title") != kazakh.findtext(f"{ATOM}title")
