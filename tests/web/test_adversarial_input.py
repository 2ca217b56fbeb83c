"""Every field of every form a stranger can post, fed 250 KB of what makes patterns backtrack.

Each answer is a clear refusal (never a 500) and comes at once: the hostile text costs at most
100 ms (plus half the baseline, for the slow printable letter) more than a one-letter
value in the same field (the best of three tries of each, measured side by side, so a slow
machine slows both), where the patterns of round two took up to 30 s. A
form that gains a field fails here until the field is walked too.
"""

import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm

from petition.letters.forms import SupporterLetterForm
from petition.models import Petition
from petition.organisers.forms import LoginForm
from petition.signing.forms import CodeForm, ReceiptForm, SignForm
from petition.support.forms import SupportForm
from petition.web.form_tokens import PetitionForm
from tests.conftest import PASSWORD
from tests.letters.support import write_action

# Every route, each with hostile input: left out of `make test-fast`.
pytestmark = pytest.mark.slow

PUBLIC = "https://petitions.example.org"
SIZE = 250_000  # bytes: the most a request body may carry, less room for the other fields
HOSTILE = ["a.", "a-", "\u200b", "a\u0301\u0302", "ab.cd@"]
BUDGET = 0.1  # seconds


def hostile(unit: str) -> str:
    return unit * (SIZE // len(unit.encode()))


@dataclass
class Door:
    """A form a stranger can post: where, which form class, and the rest of a valid submission."""

    path: str
    form: type[FlaskForm]
    valid: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    refused: tuple[int, ...] = (400,)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    # A crash answers 500, as in production; limits are off, so every post reaches the form.
    app = make_app(PROPAGATE_EXCEPTIONS=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def doors(app: Flask, make_petition: Callable[..., Petition], make_organiser) -> dict[str, Door]:
    petition = make_petition(collects_country=True)
    slug = petition.slug
    organiser = app.test_client()
    organiser.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    action = write_action(organiser, slug)
    widget = app.test_client().get(f"/petitions/{slug}/embed").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', widget)
    assert token
    signer = {"name": "Айгерим Нурланова", "email": "aigerim@example.org", "country": "KZ"}
    letter = {"country": "KZ", "subject": "Освободите", "body": "Текст письма"}
    return {
        "sign": Door(f"/petitions/{slug}/sign", SignForm, signer),
        "widget": Door(
            f"/petitions/{slug}/embed/sign",
            SignForm,
            signer | {"form_token": token.group(1)},
            headers={"Origin": PUBLIC},
        ),
        "code": Door(f"/petitions/{slug}/code", CodeForm, {"email": "a@example.org"}),
        "receipt": Door(f"/petitions/{slug}/receipt", ReceiptForm, {}),
        "support": Door(f"/petitions/{slug}/support", SupportForm, {"message": "Держитесь!"}),
        "letter": Door(f"/petitions/{slug}/letters/{action}", SupporterLetterForm, letter),
        "letter pdf": Door(
            f"/petitions/{slug}/letters/{action}/letter.pdf", SupporterLetterForm, letter
        ),
        "login": Door("/organisers/login", LoginForm, {"email": "a@example.org", "password": "x"}),
    }


def fields_of(app: Flask, form: type[FlaskForm]) -> set[str]:
    with app.test_request_context():
        if issubclass(form, SignForm):
            built = form(petition_id=1, collects_country=True)
        elif issubclass(form, PetitionForm):
            built = form(petition_id=1)
        else:
            built = form()
        return {name for name in built._fields if name != "csrf_token"}


# Fields whose every value is a valid choice: a box ticked by any value, the honeypot (filled, it
# gets the usual "check your email" answer and nothing is stored), the letter's country (an
# unknown one chooses none).
NOT_REFUSED = {"show_name", "wants_updates", "leave_blank", "letter:country", "letter pdf:country"}


def test_the_walk_covers_every_field_of_every_public_form(
    app: Flask, doors: dict[str, Door]
) -> None:
    walked = {(name, f) for name, door in doors.items() for f in fields_of(app, door.form)}
    assert walked == set(WALK)


def _walk() -> list[tuple[str, str]]:
    signer = ["name", "email", "country", "show_name", "wants_updates", "leave_blank"]
    return (
        [("sign", f) for f in [*signer, "form_token"]]
        + [("widget", f) for f in [*signer, "form_token"]]
        + [("code", "email"), ("code", "code"), ("receipt", "receipt")]
        + [("support", f) for f in ["message", "first_name", "city", "form_token"]]
        + [(door, f) for door in ("letter", "letter pdf") for f in ["country", "subject", "body"]]
        + [("login", "email"), ("login", "password")]
    )


WALK = _walk()


@pytest.mark.parametrize(("door", "name"), WALK, ids=[f"{d}-{n}" for d, n in WALK])
@pytest.mark.serial
def test_250_kb_of_hostile_text_is_refused_at_once(
    app: Flask, doors: dict[str, Door], door: str, name: str
) -> None:
    chosen = doors[door]
    client: FlaskClient = app.test_client()

    refused = not ({name, f"{door}:{name}"} & NOT_REFUSED)

    def best_of_three(value: str) -> float:
        took = []
        for _ in range(3):
            start = time.perf_counter()
            # Multipart, as a browser may send any form: the text as it is, not percent-encoded.
            answer = client.post(
                chosen.path,
                data=chosen.valid | {name: value},
                content_type="multipart/form-data",
                headers=chosen.headers,
            )
            took.append(time.perf_counter() - start)
            assert answer.status_code < 500, answer.get_data(as_text=True)[-500:]
            if refused and value != "x":
                assert answer.status_code in chosen.refused, (answer.status_code, door, name)
        return min(took)

    baseline = best_of_three("x")
    for unit in HOSTILE:
        extra = best_of_three(hostile(unit)) - baseline
        # Half the baseline on top: a printable letter takes long enough to be noisy.
        allowed = BUDGET + baseline / 2
        assert extra < allowed, f"{unit!r}: {extra * 1000:.0f} ms more than one letter"


def test_a_file_in_place_of_text_is_no_cost_either(app: Flask, doors: dict[str, Door]) -> None:
    chosen = doors["support"]
    answer = app.test_client().post(
        chosen.path,
        data={"message": (io.BytesIO(b"a." * 100_000), "m.txt")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
