"""Messages of support: written by anyone, shown only once the petition's organisers approve."""

import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from petition.extensions import db
from petition.models import (
    EventAction,
    Petition,
    PetitionEvent,
    SupportMessage,
    SupportState,
    utcnow,
)
from petition.moderation.screening import add_rule
from petition.petitions.editing import StateChange, change_state, close_petition
from petition.support import purge_support_messages, write_message
from tests.helpers.organisers import log_in

SLUG = "free-them"


@pytest.fixture
def petition(make_petition, make_organiser) -> Petition:
    return make_petition(slug=SLUG, organiser=make_organiser())


def write(client: FlaskClient, message: str, slug: str = SLUG, **fields: str):
    return client.post(f"/petitions/{slug}/support", data={"message": message, **fields})


def messages(state: SupportState | None = None) -> list[SupportMessage]:
    db.session.expire_all()
    query = select(SupportMessage).order_by(SupportMessage.id)
    if state is not None:
        query = query.where(SupportMessage.state == state)
    return list(db.session.scalars(query))


def decide(client: FlaskClient, decision: str, ids: list[int], slug: str = SLUG):
    return client.post(
        f"/organisers/petitions/{slug}/support/decide",
        data={"decision": decision, "ids": [str(i) for i in ids]},
    )


def test_a_message_waits_then_shows_once_approved(client: FlaskClient, petition: Petition) -> None:
    response = write(client, "Держитесь!\nМы с вами.", first_name="Аня", city="Алматы")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/petitions/{SLUG}/support/thanks#main")
    thanks = client.get(response.headers["Location"])
    assert "once the organisers approve it" in thanks.get_data(as_text=True)
    [stored] = messages()
    assert (stored.state, stored.name, stored.city, stored.language) == (
        SupportState.PENDING,
        "Аня",
        "Алматы",
        "en",
    )
    assert "Держитесь" not in client.get(f"/petitions/{SLUG}?lang=en").get_data(as_text=True)

    assert log_in(client).status_code == 303
    queue = client.get(f"/organisers/petitions/{SLUG}/support").get_data(as_text=True)
    assert "Держитесь!\nМы с вами." in queue
    assert decide(client, "approve", [stored.id]).status_code == 303
    [approved] = messages(SupportState.APPROVED)
    assert approved.decided_by_id is not None and approved.decided_at is not None
    page = client.get(f"/petitions/{SLUG}?lang=en").get_data(as_text=True)
    assert "Держитесь!\nМы с вами." in page and "Аня, Алматы" in page
    event = db.session.scalars(
        select(PetitionEvent).where(PetitionEvent.action == EventAction.MESSAGES_APPROVED)
    ).one()
    assert event.values == {"count": 1}


def test_a_rejected_message_is_never_shown_and_purged_after_the_period(
    client: FlaskClient, petition: Petition, app: Flask
) -> None:
    write(client, "Not for the wall")
    write(client, "Kept waiting")
    rejected, waiting = messages()
    assert log_in(client).status_code == 303
    decide(client, "reject", [rejected.id])
    assert "Not for the wall" not in client.get(f"/petitions/{SLUG}?lang=en").get_data(as_text=True)
    assert "Not for the wall" not in client.get(f"/petitions/{SLUG}/support").get_data(as_text=True)
    assert purge_support_messages() == 0
    days = app.config["REJECTED_MESSAGE_RETENTION_DAYS"]
    assert purge_support_messages(utcnow() + timedelta(days=days, hours=1)) == 2
    assert messages() == []


def test_approved_messages_are_newest_first_and_paged(
    client: FlaskClient, petition: Petition
) -> None:
    for number in range(23):  # past the client's rate limit, so written directly
        write_message(
            petition.id,
            body=f"Message number {number:02d}",
            name=None,
            city=None,
            language="en",
            client_address=None,
        )
    stored = messages()
    base = utcnow() - timedelta(days=30)
    for offset, message in enumerate(stored):
        message.created_at = base + timedelta(minutes=offset)
    db.session.commit()
    assert log_in(client).status_code == 303
    decide(client, "approve", [m.id for m in stored])
    first = client.get(f"/petitions/{SLUG}/support").get_data(as_text=True)
    assert first.index("Message number 22") < first.index("Message number 03")
    assert "Message number 02" not in first and "page=2" in first
    second = client.get(f"/petitions/{SLUG}/support?page=2").get_data(as_text=True)
    assert "Message number 02" in second and "Message number 00" in second
    assert "Message number 03" not in second
    petition_page = client.get(f"/petitions/{SLUG}?lang=en").get_data(as_text=True)
    assert "Message number 22" in petition_page and "Message number 17" not in petition_page


@pytest.mark.parametrize(
    "text",
    [
        "see http://example.org",
        "HTTPS://evil.example",
        "visit www.example.org",
        "write to me at anna@example.org",
        "go to t.me/somechannel",
        "donate at example.com now",
        "смотрите сайт.рф",
    ],
)
def test_links_and_addresses_are_refused_with_a_message(
    client: FlaskClient, petition: Petition, text: str
) -> None:
    response = write(client, text)
    assert response.status_code == 400
    assert "cannot contain links or addresses" in response.get_data(as_text=True)
    assert messages() == []


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("log in at https\u200b://evil\u200b.com/login", None),
        ("log in at evil\u3002com/login", "evil.com/login"),
        ("log in at evil\uff0ecom/login", "evil.com/login"),
        ("log in at evil.c\u043em", "evil.c\u043em"),
        ("buy at evil.shop", "evil.shop"),
        ("see 1.2.3.4/login", "1.2.3.4/login"),
        ("log in at ev\u00adil.com", None),
        ("log in at evil\u202e.com", None),
        ("log in at EVIL.COM today", "EVIL.COM"),
        ("смотрите...evil.com/x", "смотрите...evil.com/x"),
    ],
)
def test_disguised_links_are_refused_too(
    client: FlaskClient, petition: Petition, text: str, quoted: str | None
) -> None:
    assert write(client, "Solidarity", first_name=text).status_code == 400
    assert write(client, "Solidarity", city=text).status_code == 400
    refused = write(client, text)
    assert refused.status_code == 400
    if quoted is not None:  # the visible ones are quoted; invisible characters have their message
        assert f"(“{quoted}”)" in refused.get_data(as_text=True)
    assert messages() == []


def test_a_link_in_the_name_or_city_is_refused(client: FlaskClient, petition: Petition) -> None:
    assert write(client, "Solidarity", first_name="www.spam.ru").status_code == 400
    assert write(client, "Solidarity", city="spam.example/x").status_code == 400
    assert messages() == []


def test_ordinary_punctuation_is_not_a_link(client: FlaskClient, petition: Petition) -> None:
    assert (
        write(client, "Stay strong.We are with you... 1.5 million people, e.g. us.").status_code
        == 303
    )
    assert len(messages()) == 1


def test_markup_is_shown_as_text(client: FlaskClient, petition: Petition) -> None:
    write(client, "<script>alert(1)</script> <b>bold</b>")
    assert log_in(client).status_code == 303
    decide(client, "approve", [messages()[0].id])
    page = client.get(f"/petitions/{SLUG}?lang=en").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"message": "x" * 501}, "At most 500 characters."),
        ({"message": "   "}, "Please write your message."),
        ({"message": "ok", "first_name": "n" * 51}, "At most 50 characters."),
        ({"message": "ok", "city": "c" * 51}, "At most 50 characters."),
        ({"message": "bad\x00byte"}, "control characters"),
        ({"message": "ok", "first_name": "two\nlines"}, "on one line"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client: FlaskClient, petition: Petition, fields: dict[str, str], error: str
) -> None:
    response = client.post(f"/petitions/{SLUG}/support", data=fields)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert messages() == []


def test_hostile_requests_get_400_or_404(client: FlaskClient, petition: Petition) -> None:
    assert client.post(f"/petitions/{SLUG}/support", data={}).status_code == 400
    assert client.get(f"/petitions/{SLUG}/support?page=-1").status_code == 400
    assert client.get(f"/petitions/{SLUG}/support?page=99999999999").status_code == 400
    assert client.get(f"/petitions/{SLUG}/support?page=50").status_code == 200
    assert write(client, "hi", slug="no-such-petition").status_code == 404
    files = {"message": (io.BytesIO(b"x"), "m.txt")}
    assert client.post(f"/petitions/{SLUG}/support", data=files).status_code == 400


def test_over_the_limit_the_form_comes_back_with_what_was_typed(make_app, make_petition) -> None:
    app = make_app(SUPPORT_MESSAGE_LIMIT="2 per hour")
    with app.app_context():
        make_petition(slug=SLUG)
        client = app.test_client()
        assert write(client, "one").status_code == 303
        assert write(client, "two").status_code == 303
        typed = "Держитесь, мы с вами & <не сдадимся>"
        refused = write(client, typed, first_name="Айгерим", city="Алматы")
        assert refused.status_code == 429
        page = refused.get_data(as_text=True)
        assert "Error:" in page.split("</title>")[0]
        assert "Please try again in 1 hour; your message is kept below." in page
        assert '<div class="error-summary" id="support-errors"' in page
        assert "Держитесь, мы с вами &amp; &lt;не сдадимся&gt;</textarea>" in page
        assert 'value="Айгерим"' in page and 'value="Алматы"' in page
        assert [m.body for m in messages()] == ["one", "two"]


def test_a_blocked_network_gets_thanks_but_nothing_is_stored(
    client: FlaskClient, petition: Petition
) -> None:
    add_rule("network", "127.0.0.0/8", "block")
    assert write(client, "from a blocked network").status_code == 303
    assert messages() == []


def test_a_hidden_petition_takes_no_message_and_a_closed_one_does(
    client: FlaskClient, make_petition
) -> None:
    change_state(make_petition(slug="hidden-one"), None, StateChange.HIDE)
    make_petition(slug="closed-one")
    close_petition("closed-one")
    assert write(client, "hello", slug="hidden-one").status_code == 404
    assert client.get("/petitions/hidden-one/support").status_code == 404
    assert write(client, "hello", slug="closed-one").status_code == 303


def test_bulk_decisions_ignore_other_petitions_messages(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    make_petition(slug=SLUG)
    make_petition(slug="theirs", organiser=make_organiser("other@example.org"))
    write(client, "mine")
    write(client, "theirs", slug="theirs")
    mine, theirs = messages()
    assert log_in(client).status_code == 303
    decide(client, "approve", [mine.id, theirs.id])
    assert messages(SupportState.APPROVED) == [mine]
    assert messages(SupportState.PENDING)[0].id == theirs.id
    # Another organiser's petition looks like none at all.
    assert client.get("/organisers/petitions/theirs/support").status_code == 404
    assert decide(client, "approve", [theirs.id], slug="theirs").status_code == 404
    assert client.get("/organisers/petitions/theirs/support.pdf").status_code == 404
    assert messages(SupportState.PENDING)[0].id == theirs.id


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "approve", "ids": ["1x"]},
        {"decision": "approve", "ids": ["9" * 40]},
        {"decision": "explode", "ids": ["1"]},
        {"ids": ["1"]},
        {"decision": "approve", "ids": [str(i) for i in range(500)]},
    ],
)
def test_hostile_decisions_are_400(
    client: FlaskClient, petition: Petition, data: dict[str, object]
) -> None:
    write(client, "waiting")
    assert log_in(client).status_code == 303
    response = client.post(f"/organisers/petitions/{SLUG}/support/decide", data=data)
    assert response.status_code == 400
    assert messages(SupportState.PENDING)


def test_an_approved_message_can_be_withdrawn(client: FlaskClient, petition: Petition) -> None:
    write(client, "Withdraw me later")
    assert log_in(client).status_code == 303
    [message] = messages()
    decide(client, "approve", [message.id])
    approved = client.get(f"/organisers/petitions/{SLUG}/support/approved")
    assert "Withdraw me later" in approved.get_data(as_text=True)
    decide(client, "reject", [message.id])
    assert messages(SupportState.REJECTED)
    assert "Withdraw me later" not in client.get(f"/petitions/{SLUG}?lang=en").get_data(
        as_text=True
    )


def test_the_panel_counts_the_waiting_messages(client: FlaskClient, petition: Petition) -> None:
    write(client, "one")
    write(client, "two")
    assert log_in(client).status_code == 303
    page = client.get(f"/organisers/petitions/{SLUG}/").get_data(as_text=True)
    assert "2 messages are waiting for your decision." in page
    assert f"/organisers/petitions/{SLUG}/support" in page


def test_the_pdf_bundle_holds_the_approved_cyrillic_messages(
    client: FlaskClient, petition: Petition
) -> None:
    write(client, "Мы с вами, держитесь!", first_name="Аня", city="Алматы")
    write(client, "Not approved")
    assert log_in(client).status_code == 303
    decide(client, "approve", [messages()[0].id])
    response = client.get(f"/organisers/petitions/{SLUG}/support.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Мы с вами, держитесь!" in text
    assert "Аня, Алматы" in text
    assert "Not approved" not in text


def test_the_purge_command_deletes_old_rejected_messages(
    client: FlaskClient, petition: Petition, runner
) -> None:
    write(client, "Old and rejected")
    write(client, "Old and approved")
    rejected, approved = messages()
    assert log_in(client).status_code == 303
    decide(client, "reject", [rejected.id])
    decide(client, "approve", [approved.id])
    for message in messages():
        message.created_at = message.decided_at = utcnow() - timedelta(days=31)
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 rejected or undecided messages of support" in result.output
    assert [m.body for m in messages()] == ["Old and approved"]


def test_the_queue_is_oldest_first_fifty_a_page(client: FlaskClient, petition: Petition) -> None:
    for number in range(51):
        write_message(
            petition.id,
            body=f"Queued {number:02d}",
            name=None,
            city=None,
            language="en",
            client_address=None,
        )
    assert log_in(client).status_code == 303
    first = client.get(f"/organisers/petitions/{SLUG}/support").get_data(as_text=True)
    assert first.index("Queued 00") < first.index("Queued 49")
    assert "Queued 50" not in first and "page=2" in first
    second = client.get(f"/organisers/petitions/{SLUG}/support?page=2").get_data(as_text=True)
    assert "Queued 50" in second and "Queued 49" not in second
    assert client.get(f"/organisers/petitions/{SLUG}/support?page=x").status_code == 400
