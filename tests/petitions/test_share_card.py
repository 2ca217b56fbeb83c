"""Link previews: a card per petition and language, the tags that name it, and the site's icon."""

import html
import io
import re

from flask.testing import FlaskClient
from PIL import Image

from petition.extensions import db
from petition.models import Petition
from petition.petitions.share_card import rounded_count
from petition.petitions.versions import save_petition_text
from tests.helpers.checks import must

PUBLIC = "https://petitions.example.org"


def meta(page: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    assert match, key
    return html.unescape(match.group(1))


def petition_in_three_languages(make_petition) -> Petition:
    petition = make_petition(slug="park", title="Save the river park", body="No car park.")
    for language, title in (
        ("ru", "Сохраним парк у реки"),
        ("kk", "Өзен жағасындағы саябақты сақтайық"),
    ):
        save_petition_text(
            petition, petition.organisers[0], language=language, title=title, body=f"{title}."
        )
    return petition


def test_previews_name_the_petition_and_its_card_in_the_readers_language(
    client: FlaskClient, make_petition
) -> None:
    petition_in_three_languages(make_petition)
    for language, title in (
        ("ru", "Сохраним парк у реки"),
        ("kk", "Өзен жағасындағы саябақты сақтайық"),
    ):
        page = client.get(f"/petitions/park?lang={language}").get_data(as_text=True)
        assert meta(page, "og:title") == title and meta(page, "twitter:title") == title
        assert meta(page, "og:description") == f"{title}."
        image = meta(page, "og:image")
        assert image.startswith(f"{PUBLIC}/petitions/park/card.png?lang={language}&v=")
        assert meta(page, "twitter:image") == image
        assert meta(page, "og:image:alt").startswith(f"{title}: 0 ")
        assert meta(page, "twitter:image:alt") == meta(page, "og:image:alt")
        # The page only names the card: a reader's phone never downloads it.
        assert "card.png" not in re.sub(r"<meta [^>]*>", "", page)


def card(client: FlaskClient, address: str) -> tuple[bytes, dict[str, str]]:
    response = client.get(address.removeprefix(PUBLIC))
    assert response.status_code == 200 and response.mimetype == "image/png"
    return response.get_data(), dict(response.headers)


def test_the_card_is_a_1200_by_630_png_that_changes_with_language_title_and_rounded_count(
    client: FlaskClient, make_petition
) -> None:
    petition = petition_in_three_languages(make_petition)
    address = meta(client.get("/petitions/park?lang=kk").get_data(as_text=True), "og:image")
    kazakh, headers = card(client, address)
    assert Image.open(io.BytesIO(kazakh)).size == (1200, 630)
    assert (
        "immutable" in headers["Cache-Control"] and "max-age=31536000" in headers["Cache-Control"]
    )
    assert client.get(address, headers={"If-None-Match": headers["ETag"]}).status_code == 304
    russian, _ = card(client, "/petitions/park/card.png?lang=ru")
    assert russian != kazakh

    must(db.session.get(Petition, petition.id)).signature_count = 1234
    db.session.commit()
    counted_address = meta(client.get("/petitions/park?lang=kk").get_data(as_text=True), "og:image")
    assert counted_address != address  # previews fetch the new picture
    counted, _ = card(client, counted_address)
    assert counted != kazakh
    # An address whose version has passed still answers, but is not kept for long.
    _, old = card(client, address)
    assert "immutable" not in old["Cache-Control"]

    # The same rounded count: 1 200+.
    must(db.session.get(Petition, petition.id)).signature_count = 1250
    db.session.commit()
    assert (
        meta(client.get("/petitions/park?lang=kk").get_data(as_text=True), "og:image")
        == counted_address
    )


def test_counts_are_rounded_to_two_digits_from_100() -> None:
    assert [rounded_count(n) for n in (0, 99, 100, 1234, 12_345, 99_999)] == [
        0,
        99,
        100,
        1200,
        12_000,
        99_000,
    ]


def test_the_site_has_an_icon(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.get_data())).format == "ICO"
    assert 'rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)
