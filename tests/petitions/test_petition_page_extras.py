"""The petition page's link previews and its optional public list of signers."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Signature
from petition.petitions.markdown import summary
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail
from tests.helpers.signing import confirm_path, sign

PUBLIC = "https://petitions.example.org"


class MetaTags(HTMLParser):
    """The page's <meta property|name=... content=...> pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key:
            self.tags[key] = found.get("content") or ""


def meta_tags(page: str) -> dict[str, str]:
    parser = MetaTags()
    parser.feed(page)
    return parser.tags


def test_a_shared_link_shows_title_summary_and_a_card_from_this_site(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(
        title='Keep the "river" park',
        body="Families & children play **here** [every day](https://example.org).\n\nSecond.",
    )
    tags = meta_tags(client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True))
    url = f"{PUBLIC}/petitions/{petition.slug}"
    summary = "Families & children play here every day."
    assert tags["og:title"] == tags["twitter:title"] == 'Keep the "river" park'
    assert tags["og:description"] == tags["twitter:description"] == tags["description"] == summary
    assert tags["og:url"] == url and tags["twitter:card"] == "summary_large_image"
    # The petition's own card, in the reader's language, its version in the address.
    card = f"{PUBLIC}/petitions/{petition.slug}/card.png?lang=en&v="
    assert tags["og:image"] == tags["twitter:image"] and tags["og:image"].startswith(card)
    image = client.get(tags["og:image"].removeprefix(PUBLIC))
    assert image.status_code == 200 and image.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")


def test_the_summary_falls_back_to_the_title_without_a_paragraph(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(body="- only\n- a list")
    tags = meta_tags(client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True))
    assert tags["og:description"] == petition.title


def sign_and_confirm(client: FlaskClient, slug: str, name: str, email: str, show: bool) -> None:
    box: dict[str, Any] = {"show_name": "y"} if show else {}
    assert sign(client, slug, name=name, email=email, **box).status_code == 303
    db.session.rollback()
    [text] = [message.text for message in owed_mail() if message.recipient == email]
    client.post(confirm_path(text))


def test_the_show_name_box_is_off_by_default(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    box = must(re.search(r'<input[^>]*name="show_name"[^>]*>', page)).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert 'aria-describedby="show_name-hint"' in box
    assert "Recent signers" not in page


def test_only_confirmed_signers_who_ticked_the_box_are_listed_by_first_name(
    make_app, make_petition
) -> None:
    petition = make_petition()
    client = make_app(PUBLIC_SIGNERS_LIMIT=2).test_client()
    sign_and_confirm(client, petition.slug, "Айгерим Нурланова", "aigerim@example.org", True)
    sign_and_confirm(client, petition.slug, "Hidden Person", "hidden@example.org", False)
    sign_and_confirm(client, petition.slug, "  Ivan   Petrov ", "ivan@example.org", True)
    client.post(
        f"/petitions/{petition.slug}/sign",
        data={"name": "Pending Person", "email": "pending@example.org", "show_name": "y"},
    )
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    listed = must(re.search(r'<section class="signers".*?</section>', page, re.DOTALL)).group(0)
    assert re.findall(r"<li>(.*?)</li>", listed) == ["Ivan", "Айгерим"]
    for hidden in ("Nurlanova", "Нурланова", "Petrov", "Hidden", "Pending", "@"):
        assert hidden not in listed
    assert "@example.org" not in page
    sign_and_confirm(client, petition.slug, "Zhanna Q", "zhanna@example.org", True)
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    assert re.findall(r"<li>(Zhanna|Ivan|Айгерим)</li>", page) == ["Zhanna", "Ivan"]


def test_the_country_is_listed_when_the_signer_gave_one(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    sign_and_confirm(client, petition.slug, "Dana Smith", "dana@example.org", True)
    must(db.session.scalar(select(Signature))).country = "KZ"
    db.session.commit()
    page = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    assert '<li>Dana <span class="country">(Kazakhstan)</span></li>' in page


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## A heading\n\nThe *first* paragraph &amp; more.", "The first paragraph & more."),
        ("Line one\nline two.\n\nSecond.", "Line one line two."),
        ("<b>raw</b> stays text", "<b>raw</b> stays text"),
        ("word " * 60, ("word " * 39).strip() + "…"),
        ("- a list only", ""),
    ],
)
def test_a_summary_is_the_first_paragraph_as_plain_text(body: str, expected: str) -> None:
    assert summary(body) == expected
