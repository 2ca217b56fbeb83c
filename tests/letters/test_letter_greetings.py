"""Each target's letter opens with its own salutation, or neutrally, and the printed letter has
pages only for the targets that post can reach."""

import re
from collections.abc import Callable
from html import unescape
from io import BytesIO

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from petition.extensions import db
from petition.models import LetterTarget, Petition
from tests.letters.support import (
    BODY,
    GREETING_EN,
    SALUTATION,
    SALUTED_CSV,
    decode_mailto,
    sent_body,
    shown_targets,
    upload,
    write_action,
)

MakePetition = Callable[..., Petition]


@pytest.fixture
def saluted(organiser_client: FlaskClient, make_petition: MakePetition) -> tuple[str, int]:
    petition = make_petition()
    action_id = write_action(organiser_client, petition.slug)
    response = upload(organiser_client, petition.slug, action_id, SALUTED_CSV.encode())
    assert response.status_code == 303, response.text[-1500:]
    return petition.slug, action_id


def _page(client: FlaskClient, slug: str, action_id: int, query: str) -> str:
    response = client.get(f"/petitions/{slug}/letters/{action_id}?{query}")
    assert response.status_code == 200
    return response.text


def _mailto(page: str) -> dict[str, str]:
    found = re.search(r'id="mailto" href="([^"]*)"', page)
    assert found, page[-2000:]
    return decode_mailto(unescape(found.group(1)))


def _pdf_pages(client: FlaskClient, slug: str, action_id: int, query: str) -> list[str]:
    response = client.get(f"/petitions/{slug}/letters/{action_id}/letter.pdf?{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return [page.extract_text() for page in PdfReader(BytesIO(response.data)).pages]


def test_a_targets_salutation_opens_its_mail_its_copy_and_its_page(
    client: FlaskClient, saluted: tuple[str, int]
) -> None:
    slug, action_id = saluted
    page = _page(client, slug, action_id, "lang=ru&country=DE")
    fields = _mailto(page)
    assert fields["to"] == "embassy.de@example.kz"  # the court has no email: it gets paper
    assert fields["body"] == sent_body(BODY, SALUTATION)
    shown = re.search(r'id="greeting"[^>]*>([^<]*)<', page)
    assert shown is not None and unescape(shown.group(1)) == SALUTATION  # Copy puts it first
    pages = _pdf_pages(client, slug, action_id, "country=DE&lang=ru")
    assert len(pages) == 2
    embassy, court = pages
    assert "Nordendstraße" in embassy and "Верховный суд" in court
    assert embassy.index(SALUTATION) < embassy.index(BODY.splitlines()[0])
    assert SALUTATION not in court
    assert court.index(GREETING_EN) < court.index(BODY.splitlines()[0])


def test_without_a_salutation_the_letter_opens_neutrally_in_its_language(
    client: FlaskClient, saluted: tuple[str, int]
) -> None:
    slug, action_id = saluted
    fields = _mailto(_page(client, slug, action_id, "lang=ru&country=RU"))
    assert fields["to"] == "embassy.ru@example.kz"
    assert fields["body"] == sent_body(BODY, GREETING_EN)  # the letter is the English original


def test_the_printed_letter_has_pages_only_for_postal_targets(
    client: FlaskClient, saluted: tuple[str, int]
) -> None:
    slug, action_id = saluted
    pages = _pdf_pages(client, slug, action_id, "country=RU&lang=ru")
    assert len(pages) == 1  # the court's; the embassy in Russia has no postal address
    assert "Верховный суд" in pages[0]
    note = " ".join(pages[0].split())
    assert "Also by email: Посольство Казахстана в России <embassy.ru@example.kz>" in note


def test_with_no_postal_target_the_letter_prints_one_unaddressed_page(
    organiser_client: FlaskClient, client: FlaskClient, make_petition: MakePetition
) -> None:
    slug = make_petition().slug
    action_id = write_action(organiser_client, slug)
    csv = "name,email,postal_address,phone,country\nMFA,mfa@example.kz,,,\n"
    assert upload(organiser_client, slug, action_id, csv.encode()).status_code == 303
    pages = _pdf_pages(client, slug, action_id, "lang=ru")
    assert len(pages) == 1
    assert pages[0].index(GREETING_EN) < pages[0].index(BODY.splitlines()[0])
    assert "MFA <mfa@example.kz>" in pages[0]


def test_without_javascript_the_country_has_its_own_form(
    client: FlaskClient, saluted: tuple[str, int]
) -> None:
    slug, action_id = saluted
    page = _page(client, slug, action_id, "lang=ru")  # Russian readers are offered Kazakhstan
    form = re.search(r'<form method="get"[^>]*>(.*?)</form>', page, flags=re.S)
    assert form is not None
    assert 'name="country"' in form.group(1) and 'name="lang" value="ru"' in form.group(1)
    assert "Показать адреса для этой страны" in form.group(1)
    assert 'name="country" id="letter-country" value="KZ"' in page  # the edit keeps it
    chosen = _page(client, slug, action_id, "lang=ru&country=DE")
    assert "Embassy of Kazakhstan in Germany" in shown_targets(chosen)
    assert "Посольство Казахстана в России" not in shown_targets(chosen)


def test_the_salutation_is_typed_in_with_the_text_rules_of_every_field(
    organiser_client: FlaskClient, saluted: tuple[str, int]
) -> None:
    slug, action_id = saluted
    base = f"/organisers/petitions/{slug}/letters/{action_id}/targets"
    too_long = organiser_client.post(
        base, data={"name": "Суд", "salutation": "x" * 201, "country": ""}
    )
    assert too_long.status_code == 400 and "At most 200 characters." in too_long.text
    control = organiser_client.post(
        base, data={"name": "Суд", "salutation": "Уважаемый\x07", "country": ""}
    )
    assert control.status_code == 400 and 'id="salutation-error"' in control.text
    added = organiser_client.post(
        base, data={"name": "Генпрокуратура", "salutation": " Уважаемый прокурор, ", "country": ""}
    )
    assert added.status_code == 303
    found = db.session.scalar(select(LetterTarget).where(LetterTarget.name == "Генпрокуратура"))
    assert found is not None and found.salutation == "Уважаемый прокурор,"
    listed = organiser_client.get(f"/organisers/petitions/{slug}/letters/{action_id}").text
    assert "Уважаемый прокурор," in listed


@pytest.mark.parametrize(
    ("csv", "problem"),
    [
        ("name,email,postal_address,phone,country,salutation\nA,,,,,"
         + "x" * 201 + "\n", "Row 2, column “salutation”: The salutation can be at most"),
        ("name,email,postal_address,phone,country,salutation,salutation\nA,,,,,,\n",
         "Row 1: the columns must be"),
        ("name,email,postal_address,phone,country,salutation\nA,,,,\n",
         "Row 2: 5 columns instead of 6"),
    ],
)  # fmt: skip
def test_a_wrong_salutation_column_says_what_is_wrong(
    organiser_client: FlaskClient, saluted: tuple[str, int], csv: str, problem: str
) -> None:
    slug, action_id = saluted
    response = upload(organiser_client, slug, action_id, csv.encode())
    assert response.status_code == 400
    assert problem in unescape(response.text)
