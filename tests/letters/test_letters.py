"""Letter actions: written and given targets by organisers, sent by supporters from their own mail."""

import re
import uuid
from collections.abc import Callable
from html import unescape
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select, update

from petition.extensions import db
from petition.models import EventAction, LetterAction, LetterTarget, Petition, PetitionEvent
from petition.transactions import write_transaction
from tests.conftest import PASSWORD
from tests.letters.support import (
    BODY,
    EMBASSIES_CSV,
    GREETING_EN,
    SUBJECT,
    decode_mailto,
    sent_body,
    shown_targets,
    upload,
    write_action,
)

MakePetition = Callable[..., Petition]


def _targets() -> int:
    return db.session.scalar(select(func.count()).select_from(LetterTarget)) or 0


def _mailto(page: str) -> str:
    found = re.search(r'id="mailto" href="([^"]*)"', page)
    assert found, page[-2000:]
    return unescape(found.group(1))


@pytest.fixture
def action(organiser_client: FlaskClient, make_petition: MakePetition) -> tuple[str, int]:
    petition = make_petition()
    action_id = write_action(organiser_client, petition.slug)
    response = upload(organiser_client, petition.slug, action_id, EMBASSIES_CSV.encode())
    assert response.status_code == 303, response.text[-1500:]
    return petition.slug, action_id


def test_an_organiser_imports_targets_from_a_csv_file(
    organiser_client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    assert _targets() == 4
    page = organiser_client.get(f"/organisers/petitions/{slug}/letters/{action_id}").text
    assert "Nordendstraße 14-17" in page and "Верховный суд" in page
    events = db.session.scalars(select(PetitionEvent.action)).all()
    assert EventAction.LETTER_ADDED in events and EventAction.TARGETS_IMPORTED in events
    history = organiser_client.get(f"/organisers/petitions/{slug}/").text
    assert "Letter actions" in history
    assert "0 letters sent" in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,email,phone\nA,a@example.org,1\n", "Row 1: the columns must be"),
        (
            b"name,email,postal_address,phone,country\nA,not-an-address,,,\n",
            "Row 2, column “email”: “not-an-address” is not an email address.",
        ),
        (
            b"name,email,postal_address,phone,country\nA,a@example.org,,,KZ\nB,,,,XX\n",
            "Row 3, column “country”: “XX” is not a known two-letter country code.",
        ),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "could not be read as text"),
        (
            b"name,email,postal_address,phone,country\n" + b"A" * 201 + b",,,,\n",
            "Row 2, column “name”: The name can be at most 200 characters long.",
        ),
        (b"name,email,postal_address,phone,country\n" + b"A,,,,\n" * 400_000, "larger than 1 MB"),
    ],
    ids=["columns", "email", "country", "not-text", "too-long", "2MB"],
)
def test_a_malformed_csv_says_what_is_wrong_and_imports_nothing(
    organiser_client: FlaskClient, make_petition: MakePetition, data: bytes, message: str
) -> None:
    slug = make_petition().slug
    action_id = write_action(organiser_client, slug)
    response = upload(organiser_client, slug, action_id, data)
    assert response.status_code == 400
    assert message in unescape(response.text)
    assert _targets() == 0


def test_a_csv_with_a_bom_is_read(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    slug = make_petition().slug
    action_id = write_action(organiser_client, slug)
    data = "\ufeffname,email,postal_address,phone,country\nСуд,,Астана,,\n".encode()
    assert upload(organiser_client, slug, action_id, data).status_code == 303
    assert db.session.scalar(select(LetterTarget.name)) == "Суд"


def test_other_organisers_find_nothing(
    app: Flask, action: tuple[str, int], make_organiser: Callable[..., object]
) -> None:
    slug, action_id = action
    make_organiser("other@example.org")
    other = app.test_client()
    other.post("/organisers/login", data={"email": "other@example.org", "password": PASSWORD})
    base = f"/organisers/petitions/{slug}/letters/{action_id}"
    assert other.get(base).status_code == 404
    assert other.post(base, data={"title": "x", "subject": "x", "body": "x"}).status_code == 404
    assert upload(other, slug, action_id, EMBASSIES_CSV.encode()).status_code == 404
    assert other.post(f"{base}/remove").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(LetterAction)) == 1


def test_a_supporter_in_russian_choosing_kazakhstan_gets_that_embassy(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    page = client.get(f"/petitions/{slug}/letters/{action_id}?lang=ru&country=KZ").text
    shown = shown_targets(page)
    assert "Посольство Казахстана (для Казахстана: МИД)" in shown
    assert "Верховный суд" in shown  # the fixed target, for everyone
    assert "Embassy of Kazakhstan in Germany" not in shown
    fields = decode_mailto(_mailto(page))
    assert fields["to"] == "mfa@example.kz,supreme@example.kz"
    assert fields["cc"] == "campaign@example.org,copy@example.org"
    assert fields["subject"] == SUBJECT
    assert fields["body"] == sent_body(BODY, GREETING_EN)
    assert "%20" in _mailto(page) and "%0D%0A" in _mailto(page) and "+" not in _mailto(page)
    assert 'id="paste-notice" hidden' in page


def test_kazakh_readers_are_offered_kazakhstan_without_choosing(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    page = client.get(f"/petitions/{slug}/letters/{action_id}?lang=kk").text
    assert decode_mailto(_mailto(page))["to"] == "mfa@example.kz,supreme@example.kz"
    english = client.get(f"/petitions/{slug}/letters/{action_id}?lang=en").text
    assert decode_mailto(_mailto(english))["to"] == "supreme@example.kz"


def test_the_supporters_edit_goes_into_the_link_and_is_never_stored(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    edited = "Я, Анна из Берлина, прошу вас.\nОсвободите их."
    response = client.post(
        f"/petitions/{slug}/letters/{action_id}?lang=ru",
        data={"country": "DE", "subject": "Моя просьба", "body": edited},
    )
    fields = decode_mailto(_mailto(response.text))
    assert fields["to"] == "embassy.de@example.kz,supreme@example.kz"
    assert fields["subject"] == "Моя просьба" and fields["body"] == sent_body(edited, GREETING_EN)
    db.session.expire_all()
    assert db.session.get(LetterAction, action_id).body == BODY  # type: ignore[union-attr]


def test_a_long_letter_leaves_the_body_out_of_the_link(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    long_body = "Освободите их. " * 100
    page = client.post(
        f"/petitions/{slug}/letters/{action_id}?lang=ru",
        data={"country": "KZ", "subject": SUBJECT, "body": long_body},
    ).text
    href = _mailto(page)
    fields = decode_mailto(href)
    assert "body" not in fields and fields["subject"] == SUBJECT
    assert fields["cc"] == "campaign@example.org,copy@example.org"
    assert 'id="paste-notice">' in page  # shown, not hidden
    assert long_body.strip() in unescape(page)  # in the textarea, to copy


def test_the_printable_letter_has_the_address_and_the_cyrillic_subject(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    response = client.get(f"/petitions/{slug}/letters/{action_id}/letter.pdf?country=RU&lang=ru")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Чистопрудный бульвар" in text and SUBJECT in text
    assert "Верховный суд" in text
    edited = client.post(
        f"/petitions/{slug}/letters/{action_id}/letter.pdf",
        data={"country": "DE", "subject": "Моя просьба", "body": "Текст"},
    )
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(edited.data)).pages)
    assert "Nordendstraße" in text and "Моя просьба" in text


def test_i_sent_it_counts_once_per_client_then_refuses_politely(
    app: Flask, client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    app.config |= {"LETTER_SENT_LIMIT": "1 per day", "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    sent = f"/petitions/{slug}/letters/{action_id}/sent?country=KZ"
    first = client.post(sent)
    # Back to the action's page (POST, redirect, GET): a reload counts nothing again.
    assert first.status_code == 303
    assert first.location == f"/petitions/{slug}/letters/{action_id}?country=KZ#main"
    shown = client.get(first.location)
    assert "1 letter sent" in shown.text and "Your letter is counted" in shown.text
    assert decode_mailto(_mailto(shown.text))["to"] == "mfa@example.kz,supreme@example.kz"
    assert "Your letter is counted" not in client.get(first.location).text  # said once
    again = client.post(sent, follow_redirects=True)
    assert again.status_code == 200 and "already counted" in again.text
    assert "1 letter sent" in again.text
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.post(f"/petitions/{slug}/letters/{action_id}/sent").status_code == 303
    db.session.expire_all()
    assert db.session.get(LetterAction, action_id).letters_sent == 2  # type: ignore[union-attr]
    petition_page = client.get(f"/petitions/{slug}?lang=en").text
    assert "2 letters sent" in petition_page
    assert f"/petitions/{slug}/letters/{action_id}" in petition_page


def test_the_sent_count_goes_on_past_what_a_32_bit_integer_holds(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    with write_transaction() as session:
        session.execute(
            update(LetterAction).where(LetterAction.id == action_id).values(letters_sent=2**31 - 1)
        )
    assert client.post(f"/petitions/{slug}/letters/{action_id}/sent").status_code == 303
    db.session.expire_all()
    assert db.session.get_one(LetterAction, action_id).letters_sent == 2**31


def test_no_get_changes_anything(client: FlaskClient, action: tuple[str, int]) -> None:
    slug, action_id = action
    before = db.session.scalar(select(func.count()).select_from(PetitionEvent))
    for path in (
        f"/petitions/{slug}/letters/{action_id}",
        f"/petitions/{slug}/letters/{action_id}/letter.pdf",
        f"/petitions/{slug}/letters/{action_id}/sent",
    ):
        client.get(path)
    db.session.expire_all()
    assert db.session.get(LetterAction, action_id).letters_sent == 0  # type: ignore[union-attr]
    assert db.session.scalar(select(func.count()).select_from(PetitionEvent)) == before
