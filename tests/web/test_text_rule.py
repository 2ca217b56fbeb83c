"""One rule for the text we keep, at every door: forms, the use cases behind them, the CSV import.

A NUL reaches no database (PostgreSQL refuses it with a 500), an invisible format character is
refused with a message (never a 409 or a 500 from a check further in), and a no-break space,
which is text, passes everywhere.
"""

import importlib
import pkgutil
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from wtforms import PasswordField, StringField

import petition
from petition.extensions import db
from petition.models import LetterTarget, Petition, PetitionMilestone, PetitionUpdate
from petition.text import FORMAT, find_address, unwanted_character
from petition.web.forms import Form, multiline_text, plain_text
from tests.letters.support import upload, write_action

NBSP = "\u00a0"
ZWJ = "\u200d"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # a crash answers 500, as in production
    with app.app_context():
        yield app


@pytest.fixture
def slug(make_petition: Callable[..., Petition]) -> str:
    return make_petition().slug


def count(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def every_form() -> list[type[Form]]:
    for module in pkgutil.walk_packages(petition.__path__, "petition."):
        if "migrations" not in module.name:
            importlib.import_module(module.name)
    found, queue = [], list(Form.__subclasses__())
    while queue:
        form = queue.pop()
        found.append(form)
        queue += form.__subclasses__()
    return found


def test_every_text_field_of_every_form_keeps_the_rule(app: Flask) -> None:
    forms = every_form()
    assert len(forms) > 20
    with app.test_request_context():
        for form_class in forms:
            try:
                form = form_class()
            except TypeError:  # a form that needs its petition: its fields are checked apart
                continue
            for field in form:
                if isinstance(field, StringField) and not isinstance(field, PasswordField):
                    rules = {check.check for check in field.validators} & {
                        plain_text,
                        multiline_text,
                    }
                    assert rules, f"{form_class.__name__}.{field.name}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Stop", "body": "Text\x00"}, "control characters"),
        ({"title": "Stop", "body": f"Te{ZWJ}xt"}, "control characters"),
        ({"title": "St\u202eop", "body": "Text"}, "on one line"),
    ],
)
def test_a_petitions_text_keeps_no_nul_nor_format_character(
    organiser_client: FlaskClient, slug: str, data: dict[str, str], message: str
) -> None:
    edited = organiser_client.post(
        f"/organisers/petitions/{slug}/edit", data=data | {"language": "en"}
    )
    assert edited.status_code == 400 and message in edited.text
    version = organiser_client.post(
        f"/organisers/petitions/{slug}/texts", data=data | {"language": "ru"}
    )
    assert version.status_code == 400 and message in version.text


def test_a_no_break_space_is_text_and_a_joiner_is_refused_in_a_milestone_update(
    organiser_client: FlaskClient, slug: str
) -> None:
    def deliver(recipient: str):
        return organiser_client.post(
            f"/organisers/petitions/{slug}/timeline",
            data={
                "kind": "delivered",
                "delivered-happened_on": "2026-01-01",
                "delivered-recipient": recipient,
                "delivered-announce": "y",
            },
        )

    assert deliver(f"Акимат{ZWJ}города").status_code == 400
    assert count(PetitionMilestone) == 0
    assert deliver(f"Акимат{NBSP}города").status_code == 303
    assert count(PetitionMilestone) == 1 and count(PetitionUpdate) == 1


def test_an_update_subject_with_a_joiner_is_a_400_and_a_no_break_space_is_kept(
    organiser_client: FlaskClient, slug: str
) -> None:
    def save(subject: str):
        return organiser_client.post(
            f"/organisers/petitions/{slug}/updates/new",
            data={"subject": subject, "body": "Суд перенесён", "action": "save"},
        )

    assert save(f"Суд{ZWJ}перенесён").status_code == 400
    assert save(f"Суд{NBSP}перенесён").status_code == 303
    assert count(PetitionUpdate) == 1


def test_a_letter_title_with_a_joiner_is_a_400_and_a_no_break_space_is_kept(
    organiser_client: FlaskClient, slug: str
) -> None:
    refused = organiser_client.post(
        f"/organisers/petitions/{slug}/letters/new",
        data={"title": f"Пишите{ZWJ}в посольство", "subject": "S", "body": "B", "action": "save"},
    )
    assert refused.status_code == 400 and "on one line" in refused.text
    write_action(organiser_client, slug, title=f"Пишите{NBSP}в посольство")


def test_an_imported_target_obeys_the_typed_forms_rule(
    organiser_client: FlaskClient, slug: str
) -> None:
    action = write_action(organiser_client, slug)
    typed = organiser_client.post(
        f"/organisers/petitions/{slug}/letters/{action}/targets",
        data={"name": "Посол\u202eьство", "email": "embassy@example.org"},
    )
    assert typed.status_code == 400
    hostile = (
        "name,email,postal_address,phone,country\nПосол\u202eьство,embassy@example.org,,,\n"
    ).encode()
    imported = upload(organiser_client, slug, action, hostile)
    assert imported.status_code == 400 and "control characters" in imported.text
    assert count(LetterTarget) == 0


@pytest.mark.parametrize(
    "unit", ["a.", "a-", "a.-", ".a", "\u200b", "a\u0301", "ab.cd@", "www.", "1."]
)
@pytest.mark.serial
def test_the_rules_read_text_in_linear_time(unit: str) -> None:
    """Ten times the text takes about ten times as long (a quadratic rule would take a hundred)."""

    def best(text: str) -> float:
        took = []
        for _ in range(3):
            start = time.perf_counter()
            find_address(text)
            unwanted_character(text)
            unwanted_character(text, lines=True)
            took.append(time.perf_counter() - start)
        return min(took)

    small, large = unit * 30_000, unit * 300_000
    assert best(large) < 30 * best(small) + 0.005


def test_every_format_character_is_dropped_before_addresses_are_looked_for() -> None:
    formats = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert all(FORMAT.fullmatch(char) for char in formats)
    assert find_address("evil" + "".join(formats) + ".com")
