"""The printed documents look official: the title and "Page n of N" on every page, links with
their address, black text, the checkpoint and the verification command whole on their lines."""

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from petition.exports.document import Document, fixed_width_block, with_addresses, write_body
from petition.extensions import db
from petition.models import Organiser, Petition, Signature, SupportMessage
from petition.petitions.markdown import render_markdown
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.support.messages import decide_messages, write_message
from petition.transparency.checkpoints import current_checkpoint
from petition.transparency.keys import log_key
from tests.conftest import PASSWORD
from tests.helpers.checks import must
from tests.letters.support import upload, write_action

MakePetition = Callable[..., Petition]
TITLE = (
    "Требуем прекратить принудительные выселения семей из домов на улице Абая и вернуть "
    "жильцам право на справедливую компенсацию и участие в планировании"
)
REPORT = "https://example.org/reports/2026/evictions"
BODY = (
    "## Что мы требуем\n\n"
    f"Подробности в [доклад]({REPORT}), адрес сайта: <https://example.org/>.\n\n"
    "1. Остановить выселения.\n2. Выплатить компенсации.\n"
)
SIGNERS = 120
# Any colour other than a grey (red list numbers, blue links) in a page's drawing commands.
COLOUR = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)")


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _coloured(data: bytes) -> list[bytes]:
    """The non-grey colours set on any page."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for red, green, blue in COLOUR.findall(must(page.get_contents()).get_data()):
            if not float(red) == float(green) == float(blue):
                found.append(red + b" " + green + b" " + blue)
    return found


def _every_page_has_its_title_and_number(
    pages: list[str], title_start: str, words: tuple[str, str]
) -> None:
    for number, text in enumerate(pages, start=1):
        assert title_start in text, f"page {number} has no title"
        assert f"{words[0]} {number} {words[1]} {len(pages)}" in text, f"page {number}"


def _in_russian(client: FlaskClient) -> FlaskClient:
    assert client.get("/?lang=ru").status_code == 200
    response = client.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    return client


def test_links_are_followed_by_their_address_unless_the_text_is_it() -> None:
    markup = str(
        render_markdown(BODY + '\n[a>b](https://e.org/?a=1&b=2 "x > y") <mailto:me@e.org>')
    )
    printed = with_addresses(markup)
    assert f"доклад</a> ({REPORT})" in printed
    assert "https://example.org/</a>." in printed  # the text is the address: not twice
    assert "</a> (https://e.org/?a=1&amp;b=2)" in printed  # a ">" in a title ends no tag
    assert "mailto:me@e.org</a></p>" in printed


def test_the_link_rewriting_is_linear_on_hostile_markup() -> None:
    # Long runs of the characters it looks for finish at once, whatever their order.
    for unit in ("<a ", '<a href="', "</a>", '"', "<"):
        assert with_addresses(unit * 50_000).startswith(unit)


def test_the_russian_delivery_pack_looks_official_on_every_page(
    client: FlaskClient, make_petition: MakePetition
) -> None:
    petition = make_petition(title=TITLE, body=BODY, language="ru", target="Акимат Алматы")
    for n in range(SIGNERS):
        sign_petition(petition, name=f"Подписант {n}", email=f"s{n}@example.org")
    for signature in db.session.scalars(select(Signature)).all():
        confirm_signature(confirmation_token(signature))
    response = _in_russian(client).get(f"/organisers/petitions/{petition.slug}/delivery-pack.pdf")
    assert response.status_code == 200
    pages = _pages(response.data)
    assert len(pages) >= 4  # the text, the signers over at least two pages, the check
    _every_page_has_its_title_and_number(pages, TITLE[:40], ("Страница", "из"))
    assert "…" in pages[1], "the running title is shortened to one line"
    words = " ".join(pages[0].split())
    assert TITLE in words and f"доклад ({REPORT})" in words
    assert "https://example.org/ (" not in words
    signers = " ".join(" ".join(pages[1:]).split())
    assert f"{SIGNERS}. Подписант {SIGNERS - 1}" in signers
    assert _coloured(response.data) == [], "text and list numbers are black or grey"
    # The checkpoint and the command come back line for line, none cut or run together.
    lines = {line.strip() for line in pages[-1].splitlines()}
    checkpoint = current_checkpoint(petition.id).text.rstrip("\n").split("\n")
    assert len(checkpoint[-1]) > 100 and checkpoint[-1].startswith("— petitions.example.org ")
    assert [line for line in checkpoint if line] == [line for line in checkpoint if line in lines]
    url = f"https://petitions.example.org/petitions/{petition.slug}"
    assert "python -m petition.verify \\" in lines and f"{url} \\" in lines
    assert f"--key-fingerprint {log_key().fingerprint}" in lines


def test_the_russian_support_bundle_has_its_title_and_numbers_on_every_page(
    client: FlaskClient, make_petition: MakePetition
) -> None:
    petition = make_petition(title=TITLE, language="ru")
    for n in range(40):
        write_message(
            petition.id, body=f"Сообщение {n}: держитесь, мы с вами! " * 4, name=f"Аня {n}",
            city="Алматы", language="ru", client_address=None,
        )  # fmt: skip
    organiser = db.session.scalars(select(Organiser)).one()
    decide_messages(petition, organiser, db.session.scalars(select(SupportMessage.id)), True)
    response = _in_russian(client).get(f"/organisers/petitions/{petition.slug}/support.pdf")
    assert response.status_code == 200
    pages = _pages(response.data)
    assert len(pages) >= 2
    _every_page_has_its_title_and_number(pages, TITLE[:40], ("Страница", "из"))
    assert "Аня 39, Алматы" in " ".join(pages[-1].split())
    assert _coloured(response.data) == []


@pytest.mark.parametrize("language", ["ru", "en"])
def test_each_printed_letter_has_the_title_and_its_own_page_numbers_in_its_language(
    organiser_client: FlaskClient, make_petition: MakePetition, language: str
) -> None:
    slug = make_petition(language=language).slug
    body = "\n\n".join(["Просим вас пересмотреть решение и освободить заключённых. " * 6] * 10)
    action_id = write_action(organiser_client, slug, title=TITLE, body=body)
    csv = "name,email,postal_address,phone,country\n" + "".join(
        f'Суд {n},,"010000, Астана, ул. Д. Кунаева, {n}",,\n' for n in range(3)
    )
    assert upload(organiser_client, slug, action_id, csv.encode()).status_code == 303
    response = organiser_client.get(f"/petitions/{slug}/letters/{action_id}/letter.pdf")
    assert response.status_code == 200
    pages = _pages(response.data)
    page, of = {"ru": ("Страница", "из"), "en": ("Page", "of")}[language]
    # Three letters of two pages: each addressee reads pages 1 and 2 of 2, not of the file's 6.
    assert len(pages) == 6
    for text, number in zip(pages, [1, 2, 1, 2, 1, 2], strict=True):
        assert TITLE[:40] in text and f"{page} {number} {of} 2" in text
    feet = [len(re.findall(rf"{page} \d+ {of} \d+", text)) for text in pages]
    assert feet == [1] * 6, "one foot on each page"
    assert _coloured(response.data) == []


def test_the_delivery_pack_says_clearly_when_its_fixed_width_font_is_missing(
    make_app: Callable[..., Flask], make_organiser: Callable[..., Organiser], make_petition
) -> None:
    app = make_app(DELIVERY_PACK_MONO_FONT="/nonexistent/mono.ttf")
    with app.app_context():
        make_organiser()
        slug = make_petition().slug
        client = app.test_client()
        client.post(
            "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        response = client.get(f"/organisers/petitions/{slug}/delivery-pack.pdf")
        assert response.status_code == 503
        assert "DELIVERY_PACK_MONO_FONT" in response.text and "fonts-dejavu-core" in response.text
        # The support bundle prints nothing in it, so it is still made.
        assert client.get(f"/organisers/petitions/{slug}/support.pdf").status_code == 200


def test_a_fixed_width_line_too_long_for_any_readable_size_is_cut_at_a_fixed_count(
    app: Flask,
) -> None:
    token = "".join(chr(ord("a") + n % 26) for n in range(300))
    pdf = Document("Проверка", fixed_width=True)
    pdf.add_page()
    fixed_width_block(pdf, [token, "count 2"])
    lines = [line.strip() for line in _pages(bytes(pdf.output()))[0].splitlines()]
    pieces = lines[lines.index("Проверка") + 1 : lines.index("count 2")]
    assert "".join(pieces) == token, "the pieces join back into the line"
    assert len(pieces) == 3 and len(pieces[0]) == len(pieces[1]) > 100


def _embedded_faces(data: bytes) -> set[str]:
    """The names of the fonts a PDF embeds, without their subset prefix (ABCDEF+DejaVuSans)."""
    faces = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        resources: Any = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            faces.add(str(font.get_object()["/BaseFont"]).partition("+")[2])
    return faces


def test_a_document_embeds_the_faces_its_text_uses_and_no_other(app: Flask) -> None:
    plain = Document("Проверка", fixed_width=True)
    plain.add_page()
    plain.set_font("PetitionSans", size=11)
    plain.cell(text="Подписи")
    assert _embedded_faces(bytes(plain.output())) == {"DejaVuSansBook"}

    styled = Document("Проверка", fixed_width=True)
    styled.add_page()
    styled.set_font("PetitionSans", size=11)
    write_body(styled, render_markdown("**Требуем** *вернуть* ***право***, `код`"))
    assert _embedded_faces(bytes(styled.output())) == {
        "DejaVuSansBook",
        "DejaVuSansBold",
        "DejaVuSansOblique",
        "DejaVuSansBoldOblique",
        "DejaVuSansMonoBook",
    }
