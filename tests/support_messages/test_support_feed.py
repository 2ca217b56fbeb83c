"""Approved messages of support reach the petition's feed and counts; others never do."""

import xml.etree.ElementTree as ET

from flask import Flask
from flask.testing import FlaskClient

from petition.models import Organiser, Petition, SupportState
from petition.support import decide_messages, pending_messages, write_message
from tests.helpers.checks import json_of

ATOM = "{http://www.w3.org/2005/Atom}"


def written(petition: Petition, body: str, language: str = "en") -> None:
    write_message(
        petition.id, body=body, name="Аня", city=None, language=language, client_address=None
    )


def test_the_feed_and_counts_carry_approved_messages_only(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    organiser: Organiser = make_organiser()
    petition = make_petition(slug="free-them", organiser=organiser)
    written(petition, "Мы с вами <всегда>", language="ru")
    written(petition, "Waiting still")
    written(petition, "Turned down")
    approve, waiting, reject = pending_messages(petition).messages
    decide_messages(petition, organiser, [approve.id], approve=True)
    decide_messages(petition, organiser, [reject.id], approve=False)

    root = ET.fromstring(client.get("/petitions/free-them.atom").data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    [entry] = entries
    assert entry.findtext(f"{ATOM}content") == "Мы с вами <всегда>"
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    assert entry.findtext(f"{ATOM}title") == "Message of support: Аня"
    text = client.get("/petitions/free-them.atom").get_data(as_text=True)
    assert "Waiting still" not in text and "Turned down" not in text

    assert json_of(client.get("/petitions/free-them.json"))["support_message_count"] == 1
    assert json_of(client.get("/api/v1/petitions/free-them"))["support_message_count"] == 1
    assert waiting.state == SupportState.PENDING


def test_a_pending_message_keeps_the_public_copy_and_a_decision_drops_it(
    app: Flask, client: FlaskClient, make_petition, make_organiser
) -> None:
    from petition.petitions.public_copies import public_snapshot

    app.config["PUBLIC_SNAPSHOT_SECONDS"] = 3600  # kept by the rule, not because a second is short
    organiser: Organiser = make_organiser()
    petition = make_petition(slug="free-them", organiser=organiser)
    kept = public_snapshot("free-them")
    assert kept is not None and public_snapshot("free-them") is kept
    written(petition, "Pending, not shown")
    assert public_snapshot("free-them") is kept  # a surge of messages keeps every copy
    [message] = pending_messages(petition).messages
    decide_messages(petition, organiser, [message.id], approve=True)
    assert public_snapshot("free-them") is not kept  # shown at once
