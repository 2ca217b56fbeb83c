# ruff: noqa: F811 (the log's petition fixture is imported, then named as an argument)
"""Ids and whole numbers a stranger picks, wherever a request carries them: a 404 or a 400, no 500.

An id column is a 32-bit INTEGER on PostgreSQL, so a number beyond it must be refused before any
query, not by the database. The routes are read from the URL map, so one added later is walked
too; ids inside signed links and posted forms are checked against the same range.
"""

import re
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from petition import tokens
from petition.models import Petition
from petition.web.numbers import IdConverter
from tests.helpers.organisers import log_in
from tests.letters.support import write_action
from tests.transparency.test_log_endpoints import logged  # noqa: F401  (a petition whose log has entries)

# Every route, each with hostile input: left out of `make test-fast`.
pytestmark = pytest.mark.slow

# Both edges of the column, the edges of a 64-bit one, and spellings that are not numbers.
ABSENT = str(2**31 - 1)  # a valid id that no row has
HOSTILE = [
    str(2**31),
    ABSENT,
    str(2**63 - 1),
    str(2**63),
    str(10**30),
    "0",
    "-1",
    "0001",  # a leading zero: one id has one address
    "\u00b2",  # a superscript two: str.isdigit() says yes, int() says no
    "9" * 5000,  # longer than int() reads at all
]
# Every whole number a query string carries, at a value its endpoints accept.
QUERY_NUMBERS = {
    "page": "1",
    "per_page": "1",
    "before": "1",
    "start": "0",
    "end": "1",
    "index": "0",
    "size": "1",
    "from": "1",
    "to": "1",
}
ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")
CLEAR_REFUSALS = {400, 404}
# What reads a number in a path: ours, and werkzeug's int and float, which no route should use.
NUMBER_CONVERTERS = (IdConverter, NumberConverter)


@pytest.fixture
def walker(make_app) -> Flask:
    """An app of its own, as in production: each request has its own context and database
    session, and a crash answers 500."""
    # Limits are not what this walks: a wide one lets every number reach the printable letter.
    return make_app(
        PROPAGATE_EXCEPTIONS=False, RATELIMIT_ENABLED=False, LETTER_PDF_LIMIT="100000 per minute"
    )


@pytest.fixture
def organiser(walker: Flask, logged: Petition) -> FlaskClient:
    """The petition's organiser, logged in to the walked app."""
    client = walker.test_client()
    assert log_in(client).status_code == 303
    return client


def numbers_in(rule: Rule) -> list[str]:
    """The arguments of the rule's path that are numbers."""
    return [name for name, c in rule._converters.items() if isinstance(c, NUMBER_CONVERTERS)]


def path_of(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with arguments from values; other numbers are 1, other text is "x"."""
    filled = dict.fromkeys(numbers_in(rule), "1") | values
    return ARGUMENT.sub(lambda match: filled.get(match.group(2), "x"), rule.rule)


def client_for(rule: Rule, stranger: FlaskClient, organiser: FlaskClient) -> FlaskClient:
    """Organisers' pages are walked logged in, so the check behind the login is reached."""
    return organiser if rule.rule.startswith("/organisers/") else stranger


def methods_of(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_every_id_in_a_path_uses_the_id_converter(app: Flask) -> None:
    assert app.url_map.converters["id"] is IdConverter
    plain = []
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, NumberConverter):
                plain.append(f"{rule.rule} reads {name} as any number")
            elif name.endswith("_id") and not isinstance(converter, IdConverter):
                plain.append(f"{rule.rule} reads {name} as text")
    assert not plain, "\n".join(plain)
    assert sum(bool(numbers_in(rule)) for rule in app.url_map.iter_rules()) >= 15


def test_an_id_no_column_holds_in_a_path_is_not_found(
    walker: Flask, logged: Petition, organiser: FlaskClient
) -> None:
    stranger = walker.test_client()
    # A real letter action, so a target's id is looked up behind an action that exists.
    real = {"slug": logged.slug, "action_id": str(write_action(organiser, logged.slug))}
    answers: list[str] = []
    for rule in walker.url_map.iter_rules():
        client = client_for(rule, stranger, organiser)
        for name, value, method in product(numbers_in(rule), HOSTILE, methods_of(rule)):
            path = path_of(rule, real | {name: value})
            # Posted with a reason, so forms that need one reach their lookup.
            status = client.open(
                path, method=method, data={"reason": "Checked by hand."}
            ).status_code
            # A valid id no row has gets the route's own answer; any other value matches no route.
            if (status >= 500) if value == ABSENT else (status != 404):
                answers.append(f"{method} {rule.rule} {name}={value[:24]}: {status}")
    assert not answers, "\n".join(answers)


def _query_answers(client: FlaskClient, path: str, values: list[str]) -> Iterator[str]:
    """A hostile number in the query is ignored (the page as with valid ones) or refused."""
    usual = client.get(path, query_string=QUERY_NUMBERS).status_code
    assert usual < 500, f"{path}: {usual} with valid numbers"
    for value in values:
        everywhere = client.get(path, query_string=dict.fromkeys(QUERY_NUMBERS, value))
        if everywhere.status_code == usual:
            continue
        if everywhere.status_code not in CLEAR_REFUSALS:
            yield f"GET {path} with every number {value[:24]}: {everywhere.status_code}"
        # The first refused number may hide a later one: each on its own.
        for name in QUERY_NUMBERS:
            alone = client.get(path, query_string=QUERY_NUMBERS | {name: value})
            if alone.status_code not in CLEAR_REFUSALS | {usual}:
                yield f"GET {path}?{name}={value[:24]}: {alone.status_code}"


# The values in three groups: the workers share the walk, and each group asks for each page with
# valid numbers once.
QUERY_GROUPS = [HOSTILE[start::3] for start in range(3)]


@pytest.mark.parametrize("values", QUERY_GROUPS, ids=["group-0", "group-1", "group-2"])
def test_every_number_in_a_query_gives_the_page_or_a_clear_refusal(
    walker: Flask, logged: Petition, organiser: FlaskClient, values: list[str]
) -> None:
    stranger = walker.test_client()
    real = {"slug": logged.slug, "action_id": str(write_action(organiser, logged.slug))}
    answers: list[str] = []
    for rule in walker.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        client = client_for(rule, stranger, organiser)
        answers.extend(_query_answers(client, path_of(rule, real), values))
    assert not answers, "\n".join(answers)


# Where forms post ids: a remove button's, and the ticked messages of a bulk decision.
POSTED_IDS = {"timeline/remove": "milestone", "paper/remove": "batch", "support/decide": "ids"}


def test_a_posted_id_no_column_holds_is_a_bad_request(
    logged: Petition, organiser: FlaskClient
) -> None:
    answers = []
    for (path, field), value in product(POSTED_IDS.items(), HOSTILE):
        status = organiser.post(
            f"/organisers/petitions/{logged.slug}/{path}",
            data={field: value, "decision": "approve"},
        ).status_code
        # A valid id no row has: nothing to remove or decide, and back to the page.
        if status != (303 if value == ABSENT else 400):
            answers.append(f"{path} {field}={value[:24]}: {status}")
    assert not answers, "\n".join(answers)


# Ids as a signed link's JSON carries them: both edges of the column, a 64-bit one's, below 1.
LINK_IDS = [2**31, 2**31 - 1, 2**63 - 1, 2**63, 10**30, 0, -1]
SIGNATURE_LINKS = {
    "/confirm": tokens.CONFIRM_SIGNATURE,
    "/withdraw": tokens.WITHDRAW_SIGNATURE,
    "/unsubscribe": tokens.UNSUBSCRIBE_UPDATES,
}


def _signed(app: Flask, purpose: str, payload: Any) -> str:
    return tokens.make_token(app.config["SECRET_KEY"], purpose, payload)


def test_a_signed_link_naming_an_id_no_column_holds_is_refused(
    walker: Flask, logged: Petition
) -> None:
    """Signed with the real key (as after a leak): its ids are checked, not left to the database."""
    answers = []
    client = walker.test_client()
    # The signature's id, the petition's, and the id of the details a resubmission asked for.
    for (prefix, purpose), value, place in product(SIGNATURE_LINKS.items(), LINK_IDS, (0, 1, 3)):
        payload: list[Any] = [1, logged.id, "secret", 1][: max(3, place + 1)]
        payload[place] = value
        token = _signed(walker, purpose, payload)
        for method in ("GET", "POST"):
            status = client.open(f"{prefix}/{token}", method=method).status_code
            # A valid id no row has gets the link's own answer; any other is an invalid link.
            if (status >= 500) if value == int(ABSENT) else (status != 400):
                answers.append(f"{method} {prefix} {payload}: {status}")
    assert not answers, "\n".join(answers)


def test_an_expired_link_naming_a_petition_no_column_holds_offers_nothing(walker: Flask) -> None:
    walker.config["CONFIRMATION_MAX_AGE"] = -1  # every link has expired
    client = walker.test_client()
    for value in LINK_IDS:
        token = _signed(walker, tokens.CONFIRM_SIGNATURE, [1, value, "secret"])
        assert client.get(f"/confirm/{token}").status_code == 410, value


def test_an_invitation_naming_an_id_no_column_holds_is_refused(walker: Flask) -> None:
    client = walker.test_client()
    for value, method in product(LINK_IDS, ("GET", "POST")):
        token = _signed(walker, tokens.INVITE_ORGANISER, [value, "secret"])
        status = client.open(f"/organisers/invitations/{token}", method=method).status_code
        assert status == 400, f"{method} {value}"
