"""The printable letter under hostile input: refused early, drawn within bounds, limited per client."""

import time
import unicodedata
import uuid
from collections.abc import Callable
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import update

from petition.extensions import db
from petition.letters.actions import add_targets, save_action
from petition.letters.printable import MAX_MARKS, longest_mark_run
from petition.letters.targets import TargetData
from petition.models import LetterAction, Petition
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from tests.conftest import PASSWORD

MakePetition = Callable[..., Petition]
ZERO_WIDTH = "\u200b"
ACUTE = "\u0301"  # a combining mark: it sits on the character before it


def _of_size(unit: str, size: int = 250_000) -> str:
    """The unit repeated to about `size` bytes of UTF-8."""
    return unit * (size // len(unit.encode()))


def _stored_action(petition: Petition, body: str, targets: int = 0) -> int:
    organiser = petition.organisers[0]
    action_id = save_action(
        petition, organiser, None, title="Write", subject="Free them", body="Free them.",
        versions={}, copies=[],
    )  # fmt: skip
    # As a row stored before today's rules: the drawing must stay bounded on any stored text.
    db.session.execute(update(LetterAction).where(LetterAction.id == action_id).values(body=body))
    db.session.commit()
    fixed = [TargetData(name=f"Minister {n}", postal_address=f"Street {n}") for n in range(targets)]
    if fixed:
        action = db.session.get(LetterAction, action_id)
        assert action is not None
        add_targets(petition, organiser, action, fixed, imported=True)
    return action_id


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_of_size("a."), "at most 5,000 characters"),
        (_of_size(ZERO_WIDTH), "at most 5,000 characters"),
        (_of_size("a" + ACUTE), "at most 5,000 characters"),
        (_of_size(ACUTE), "at most 5,000 characters"),
        ("a" + ACUTE * 4999, "one character can carry at most 3"),
        (("Free them" + ACUTE * (MAX_MARKS + 1) + " ") * 200, "one character can carry at most 3"),
    ],
    ids=["dots", "zero-width", "accented", "marks", "one-pile", "piles"],
)
@pytest.mark.serial
def test_a_huge_or_piled_up_letter_is_refused_before_it_is_drawn(
    client: FlaskClient, make_petition: MakePetition, body: str, message: str
) -> None:
    petition = make_petition()
    action_id = _stored_action(petition, "Dear Minister")
    started = time.perf_counter()
    response = client.post(
        f"/petitions/{petition.slug}/letters/{action_id}/letter.pdf",
        data={"subject": "Free them", "body": body},
        content_type="multipart/form-data",  # UTF-8 as it is, so 250 KB stays 250 KB
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert elapsed < 1.0, f"refusing took {elapsed:.2f}s"  # a generous guard; drawing takes more
    page = client.post(
        f"/petitions/{petition.slug}/letters/{action_id}",
        data={"subject": "Free them", "body": body},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400 and message in page.text


def test_the_printable_letter_leaves_out_invisible_characters_piled_accents_and_blank_lines(
    client: FlaskClient, make_petition: MakePetition
) -> None:
    """Whatever reaches the drawing, even a stored letter no form checked, is drawn in bounds."""
    petition = make_petition()
    body = (
        "Dear" + ZERO_WIDTH * 2000 + " Minister,"
        + "\n" * 2000
        + "free" + ACUTE * 900 + " them." + "\u2060" * 50
    )  # fmt: skip
    action_id = _stored_action(petition, body)
    response = client.get(f"/petitions/{petition.slug}/letters/{action_id}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = _pdf_text(response.data)
    assert pages == 1
    assert not [char for char in text if unicodedata.category(char) == "Cf"]
    assert longest_mark_run(text) <= MAX_MARKS
    assert "Minister," in text and "them." in text


def test_the_printable_letter_holds_at_most_five_targets(
    client: FlaskClient, make_petition: MakePetition
) -> None:
    petition = make_petition()
    action_id = _stored_action(petition, "Dear Minister,\n\nFree them.", targets=8)
    response = client.get(f"/petitions/{petition.slug}/letters/{action_id}/letter.pdf")
    pages, text = _pdf_text(response.data)
    assert pages == 5
    assert "Minister 4" in text and "Minister 5" not in text


def test_printable_letters_are_limited_per_client_with_a_page_in_their_language(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(LETTER_PDF_LIMIT="2 per minute", RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    with app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        petition = create_petition(title="Free them", body="Held.", organiser=organiser)
        action_id = _stored_action(petition, "Dear Minister")
        url = f"/petitions/{petition.slug}/letters/{action_id}/letter.pdf?lang=ru"
    client = app.test_client()
    assert client.get(url).status_code == 200
    assert client.post(url, data={"subject": "S", "body": "B"}).status_code == 200
    refused = client.post(url, data={"subject": "S", "body": "Моё письмо"})
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    # The letter's page comes back in the reader's language, with their edit as typed.
    assert "С этого подключения было много попыток" in refused.text
    assert "Моё письмо</textarea>" in refused.text
    assert client.get(url).status_code == 429  # the stored letter costs as much to draw
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.get(url).status_code == 200
