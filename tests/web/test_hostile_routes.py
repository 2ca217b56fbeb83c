"""Every route in the URL map, every method, with hostile input: no 500, no reflection, no trace.

Forms' field names are collected from every form class, so routes and fields added later are
walked too without touching this file.
"""

import io
import re
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import LoginFailures, PetitionEvent, SupportMessage, SupportState
from petition.organisers.accounts import set_organiser_password
from petition.petitions.history import DELIVERY_PACK
from petition.petitions.publishing import create_petition
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.checks import must

# Every route, each with hostile input: left out of `make test-fast`.
pytestmark = pytest.mark.slow

SCRIPT = '<script>alert("walker")</script>'
HOSTILE = [
    SCRIPT,
    "\"'><img src=x onerror=alert(1)>",
    "' OR '1'='1'; DROP TABLE signatures; --",
    "line\r\nX-Injected: yes",
    "nul\x00byte",
    "../../../etc/passwd",
    "%ff%fe%00",  # percent-escapes as text; raw invalid bytes are sent separately below
]
# Raw text that must never come back unescaped in a page.
# Not text at all: invalid UTF-8, and fields as long as a request may carry and beyond.
RAW = "raw"
REFLECTION_MARKERS = [SCRIPT, "<img src=x", "'><img"]
WRONG_METHODS = {"PUT", "DELETE", "PATCH"}
BIG = "x" * (1024 * 1024)
# Days and moments at the ends of Python's calendar, where adding a day or a time zone overflows.
EXTREME_DAYS = ["9999-12-31", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00"]


def _form_fields() -> set[str]:
    def subclasses(cls: type) -> Iterator[type]:
        sub: type
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {"csrf_token", "on", "next"}
    for form in subclasses(FlaskForm):
        names.update(name for name, _ in getattr(form, "_unbound_fields", None) or [])
        names.update(name for name in vars(form) if not name.startswith("_"))
    return {name for name in names if re.fullmatch(r"[a-z_]+", name)}


def _paths(app: Flask, slug: str, value: str) -> Iterator[tuple[str, set[str]]]:
    """Each rule's path, with its arguments set to a real slug or to the hostile value, and the
    methods it answers."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for choice in ("real", "hostile"):

            def fill(match: re.Match[str], choice: str = choice) -> str:
                converter = match.group(1) or ""
                if choice == "real" and converter == "slug:":
                    return slug
                if converter == "id:":
                    return "999999" if choice == "real" else "-1"
                return quote(value, safe="")

            yield re.sub(r"<([a-z]+:)?([a-z_]+)>", fill, rule.rule), rule.methods or set()


def _row_counts() -> dict[str, int]:
    db.session.rollback()
    return {
        table.name: must(db.session.scalar(select(func.count()).select_from(table)))
        for table in db.metadata.sorted_tables
    }


def _check(response, what: str) -> None:
    assert response.status_code < 500, what
    body = response.get_data().decode("utf-8", "replace")  # PNG, PDF and XLSX are routes too
    for marker in REFLECTION_MARKERS:
        assert marker not in body, f"{what} reflects {marker!r}"
    for name, header in response.headers.items():
        assert "\r" not in header and "\n" not in header and name != "X-Injected", what
    location = response.headers.get("Location")
    if location:
        assert urlsplit(location).netloc in ("", "localhost", "petitions.example.org"), what


def _walk(client: FlaskClient, app: Flask, slug: str, fields: set[str], value: str) -> int:
    requests = 0
    forms = [
        {name: value for name in fields},
        {name: value for name in fields if name != "leave_blank"},
    ]
    for path, allowed in _paths(app, slug, value):
        for method in sorted(allowed | WRONG_METHODS):
            sends_body = method not in ("GET", "HEAD", "OPTIONS")
            # A route reads a form only by a method it answers; the rest refuse either alike,
            # and a request without a body is the same request whichever form it would carry.
            for form in forms if method in allowed and sends_body else forms[:1]:
                response = client.open(
                    path,
                    method=method,
                    data=form if sends_body else None,
                    query_string={"next": value, "q": value},
                    # Raw in the environ: the test client would refuse a header with CRLF.
                    environ_base={"HTTP_X_FORWARDED_FOR": value, "HTTP_REFERER": value},
                )
                _check(response, f"{method} {path!r} with {value!r}")
                requests += 1
    return requests


def _walk_raw(client: FlaskClient, app: Flask, slug: str, fields: set[str]) -> int:
    """Invalid UTF-8, fields as long as a request may carry, and one beyond it, on every route."""
    requests = 0
    for rule in app.url_map.iter_rules():
        path = re.sub(
            r"<([a-z]+:)?([a-z_]+)>", lambda m: slug if m.group(1) == "slug:" else "%ff", rule.rule
        )
        raw = client.post(
            path, data=b"name=%ff%fe&email=%c3%28", content_type="application/x-www-form-urlencoded"
        )
        _check(raw, f"POST {path} with invalid UTF-8")
        # Every field long, the body just under the request limit: each field's own limit and
        # every pattern meet "a." repeated, the worst case for a careless regular expression.
        share = int(0.9 * app.config["MAX_CONTENT_LENGTH"]) // (2 * len(fields))
        long = client.post(path, data={name: "a." * share for name in fields})
        _check(long, f"POST {path} with every field long")
        big = client.post(path, data={"name": BIG})
        _check(big, f"POST {path} with a 1 MB field")
        requests += 3
    return requests


@pytest.fixture
def walker_app(make_app) -> Flask:
    return make_app(RATELIMIT_ENABLED=False)


@pytest.mark.parametrize(
    "value",
    [*HOSTILE, RAW],
    ids=lambda value: f"{HOSTILE.index(value) if value in HOSTILE else 'raw'}",
)
@pytest.mark.parametrize("visitor", ["anonymous", "organiser"])
def test_hostile_input_on_every_route_leaves_no_trace(
    walker_app: Flask, smtp: SMTPServer, visitor: str, value: str
) -> None:
    """Walks run apart so that the workers share them: a stranger with CSRF off, where only
    validation stands between the input and the database, and a logged-in organiser with CSRF
    on, where missing and forged tokens must stop every form; each hostile value on its own."""
    # Not the make_petition fixture: it builds a second app, and the limiter follows the last.
    with walker_app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        slug = create_petition(title="A petition", body="Text.", organiser=organiser).slug
        before = _row_counts()
        fields = _form_fields()
        assert {"name", "email", "password", "reason"} <= fields

        client = walker_app.test_client()
        if visitor == "organiser":
            login = client.post(
                "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
            )
            assert login.status_code == 303
            walker_app.config["WTF_CSRF_ENABLED"] = True
            assert client.get("/organisers/").status_code == 200
            fields |= {"csrf_token"}
        if value == RAW:
            assert _walk_raw(client, walker_app, slug, fields) > 100
        else:
            assert _walk(client, walker_app, slug, fields, value) > 500

        after = _row_counts()
        # Wrong passwords are counted, for any typed address, but only as hashes of fixed length.
        failures = after.pop("login_failures")
        assert before.pop("login_failures") == 0
        if visitor == "anonymous" and value == SCRIPT:  # text a login form reads reaches it
            assert failures > 0
        keys = db.session.scalars(select(LoginFailures.key)).all()
        assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
        # Downloading the delivery pack is an export, and every export is logged: not a trace.
        exports = db.session.scalars(select(PetitionEvent).where(PetitionEvent.action == "export"))
        packs = sum(event.values["format"] == DELIVERY_PACK for event in exports)
        after["petition_events"] -= packs
        # Anyone may write a message of support; hostile text that passes the form only waits,
        # pending, for the organisers, and no decision is taken on anything.
        states = db.session.scalars(select(SupportMessage.state)).all()
        assert set(states) <= {SupportState.PENDING}
        after["support_messages"] -= len(states)
        assert after == before, "hostile input stored something"
        assert smtp.sink.messages == []


def _files_and_days(client: FlaskClient, app: Flask, slug: str, fields: set[str]) -> int:
    """A file in every field (and in made-up ones), and extreme days in every field and query."""
    requests = 0
    for path, allowed in _paths(app, slug, "x"):
        if path in ("/organisers/logout", "/organisers/logout-everywhere"):
            continue  # the walk stays logged in (the anonymous walk covers them)
        for method in sorted(allowed):  # the hostile walk sends the other methods
            sends_body = method not in ("GET", "HEAD", "OPTIONS")
            if sends_body:
                files = {name: (io.BytesIO(b"%PDF- text"), f"{name}.txt") for name in fields}
                files["made_up_field"] = (io.BytesIO(b"x"), "made-up.txt")
                response = client.open(
                    path, method=method, data=files, content_type="multipart/form-data"
                )
                _check(response, f"{method} {path!r} with a file in every field")
                requests += 1
            for day in EXTREME_DAYS:
                response = client.open(
                    path,
                    method=method,
                    data={name: day for name in fields} if sends_body else None,
                    query_string={name: day for name in fields},
                )
                _check(response, f"{method} {path!r} with {day!r}")
                requests += 1
    return requests


@pytest.mark.parametrize("visitor", ["anonymous", "organiser"])
def test_files_and_extreme_days_on_every_route_get_a_clear_answer(
    walker_app: Flask, smtp: SMTPServer, visitor: str
) -> None:
    """A stranger, and an organiser logged in with CSRF off, so that every organiser form reads
    what it is sent; apart, so that two workers share the walk."""
    walker_app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, as in production
    with walker_app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        slug = create_petition(title="A petition", body="Text.", organiser=organiser).slug
        fields = _form_fields()
        assert {"name", "email", "closes_on", "first", "last", "since"} <= fields

        client = walker_app.test_client()
        if visitor == "organiser":
            login = client.post(
                "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
            )
            assert login.status_code == 303
        assert _files_and_days(client, walker_app, slug, fields) > 300
        if visitor == "organiser":
            assert client.get("/organisers/").status_code == 200, "the walk stayed logged in"
