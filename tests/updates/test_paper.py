"""Paper signatures: organisers record batches; they are shown apart and never verified, exported
or logged as signatures."""

import io
import json
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import (
    EventAction,
    LogEntry,
    PaperBatch,
    Petition,
    PetitionEvent,
    Signature,
)
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.transactions import write_transaction
from petition.transparency.checkpoints import checkpoint_petitions, current_checkpoint
from petition.updates.paper import MAX_PAPER_TOTAL, record_paper_batch, remove_paper_batch
from tests.conftest import PASSWORD
from tests.helpers.checks import json_of, must
from tests.helpers.clock import days_from_today, today_utc
from tests.signing.test_signing import run_at_once


@pytest.fixture
def petition(organiser_client: FlaskClient, make_petition, make_organiser) -> Petition:
    return make_petition(slug="stop-evictions", organiser=make_organiser())


def post_batch(client: FlaskClient, count: str, day: str = "2026-02-01", note: str = ""):
    return client.post(
        "/organisers/petitions/stop-evictions/paper",
        data={"count": count, "collected_on": day, "note": note},
    )


def stored(slug: str = "stop-evictions") -> Petition:
    db.session.expire_all()
    found = db.session.scalar(select(Petition).where(Petition.slug == slug))
    assert found is not None
    return found


def batch_sum(petition_id: int) -> int:
    return must(
        db.session.scalar(
            select(func.coalesce(func.sum(PaperBatch.count), 0)).where(
                PaperBatch.petition_id == petition_id
            )
        )
    )


def sign_and_confirm(petition: Petition, n: int) -> None:
    for i in range(n):
        sign_petition(petition, name=f"Signer {i}", email=f"s{i}@example.org")
    for signature in db.session.scalars(select(Signature)).all():
        confirm_signature(confirmation_token(signature))


def test_a_batch_is_counted_apart_and_shown_beside_the_verified_count(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    sign_and_confirm(petition, 2)
    response = post_batch(organiser_client, "1 200", note="Market square, Saturday")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/organisers/petitions/stop-evictions/paper")
    assert post_batch(organiser_client, "34").status_code == 303
    found = stored()
    assert (found.signature_count, found.paper_signature_count) == (2, 1234)
    assert batch_sum(found.id) == 1234
    page = organiser_client.get("/petitions/stop-evictions?lang=en").get_data(as_text=True)
    assert "<strong data-count>2</strong>" in page  # the verified count, as the counter updates it
    assert (
        "Also 1,234 signatures on paper, counted by the organisers: not verified online, "
        "and not in the count above." in page
    )
    russian = organiser_client.get("/petitions/stop-evictions?lang=ru").get_data(as_text=True)
    assert "1\u00a0234" in russian
    public = json.loads(organiser_client.get("/petitions/stop-evictions.json").data)
    assert (public["signature_count"], public["paper_signature_count"]) == (2, 1234)
    count = organiser_client.get("/api/v1/petitions/stop-evictions/count").json
    assert count == {
        "slug": "stop-evictions",
        "signature_count": 2,
        "goal": None,
        "paper_signature_count": 1234,
    }
    listed = json_of(organiser_client.get("/api/v1/petitions"))["petitions"][0]
    assert (listed["signature_count"], listed["paper_signature_count"]) == (2, 1234)


def test_the_paper_page_lists_batches_with_who_recorded_them_and_removes_one(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    post_batch(organiser_client, "500", note="Leaflet stand")
    post_batch(organiser_client, "70")
    page = organiser_client.get("/organisers/petitions/stop-evictions/paper").get_data(as_text=True)
    assert "570 signatures on paper in all." in page
    assert "Leaflet stand" in page and "organiser@example.org" in page
    first = db.session.scalars(select(PaperBatch).order_by(PaperBatch.id)).first()
    assert first is not None
    removed = organiser_client.post(
        "/organisers/petitions/stop-evictions/paper/remove", data={"batch": str(first.id)}
    )
    assert removed.status_code == 303
    assert stored().paper_signature_count == 70
    history = organiser_client.get("/organisers/petitions/stop-evictions/").get_data(as_text=True)
    assert "Paper signatures recorded: 500 signatures on paper, collected on 1 February 2026" in (
        history
    )
    assert "Paper signatures removed: 500 signatures on paper" in history
    events = db.session.scalars(
        select(PetitionEvent).where(PetitionEvent.action.like("paper%")).order_by(PetitionEvent.id)
    ).all()
    assert [e.action for e in events] == [
        EventAction.PAPER_RECORDED,
        EventAction.PAPER_RECORDED,
        EventAction.PAPER_REMOVED,
    ]
    assert {must(e.organiser).email for e in events} == {"organiser@example.org"}


@pytest.mark.parametrize(
    ("count", "day", "note", "message"),
    [
        ("0", None, "", "A batch is a whole number of signatures from 1 to 1,000,000."),
        ("-5", None, "", "A batch is a whole number of signatures from 1 to 1,000,000."),
        ("1000001", None, "", "A batch is a whole number of signatures from 1 to 1,000,000."),
        ("1" + "0" * 30, None, "", "A batch is a whole number of signatures from 1 to 1,000,000."),
        ("abc", None, "", "Please give the number of signatures in figures, for example 250."),
        ("1e30", None, "", "Please give the number of signatures in figures, for example 250."),
        ("12.5", None, "", "Please give the number of signatures in figures, for example 250."),
        ("1\x00", None, "", "Please give the number of signatures in figures, for example 250."),
        ("٣", None, "", "Please give the number of signatures in figures, for example 250."),
        ("", None, "", "Please give the number of signatures."),
        ("9" * 41, None, "", "At most 40 characters."),
        ("10", "tomorrow", "", "The day they were collected cannot be in the future."),
        ("10", "", "", "Please give the date."),
        ("10", "2026-13-45", "", "Please give the date."),
        ("10", None, "n" * 501, "At most 500 characters."),
        ("10", None, "a\x00b", "Please use letters, spaces and punctuation only, on one line."),
    ],
)
def test_bad_batches_get_a_clear_message_and_change_nothing(
    organiser_client: FlaskClient, petition: Petition, count, day, note, message
) -> None:
    if day == "tomorrow":
        day = days_from_today(1).isoformat()
    response = post_batch(organiser_client, count, "2026-02-01" if day is None else day, note)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored().paper_signature_count == 0
    assert db.session.scalar(select(func.count()).select_from(PaperBatch)) == 0


def test_a_batch_that_would_pass_the_paper_cap_is_refused_with_a_message(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    near = MAX_PAPER_TOTAL - 500_000
    with write_transaction() as session:  # as ninety-nine and a half batches of a million leave it
        session.add(
            PaperBatch(
                petition_id=petition.id,
                organiser_id=petition.organisers[0].id,
                count=near,
                collected_on=today_utc(),
            )
        )
        session.get_one(Petition, petition.id).paper_signature_count = near
    refused = post_batch(organiser_client, "1 000 000")
    assert refused.status_code == 400
    assert (
        "A petition can count at most 100,000,000 signatures on paper, and this one has "
        "99,500,000 already: this batch would pass that." in refused.get_data(as_text=True)
    )
    assert post_batch(organiser_client, "500 000").status_code == 303  # up to the cap itself
    organiser_client.get("/?lang=ru")
    in_russian = post_batch(organiser_client, "1")
    assert in_russian.status_code == 400
    assert "подписей на бумаге" in in_russian.get_data(as_text=True)
    assert stored().paper_signature_count == MAX_PAPER_TOTAL == batch_sum(petition.id)


@pytest.mark.parametrize("value", ["", "x", "-1", "9" * 40])
def test_removing_without_a_real_id_is_a_bad_request(
    organiser_client: FlaskClient, petition: Petition, value: str
) -> None:
    response = organiser_client.post(
        "/organisers/petitions/stop-evictions/paper/remove", data={"batch": value}
    )
    assert response.status_code == 400


def test_the_total_stays_the_sum_of_the_batches(app: Flask, make_petition, make_organiser) -> None:
    organiser = make_organiser()
    petition = make_petition(organiser=organiser)
    other = make_petition(slug="other", organiser=organiser)
    batches = [
        record_paper_batch(petition, organiser, count=n, collected_on=today_utc())
        for n in (5, 7, 11)
    ]
    record_paper_batch(other, organiser, count=1000, collected_on=today_utc())
    assert remove_paper_batch(petition, organiser, batches[1].id)
    assert not remove_paper_batch(petition, organiser, batches[1].id)  # already gone
    foreign = db.session.scalar(select(PaperBatch).where(PaperBatch.petition_id == other.id))
    assert foreign is not None
    assert not remove_paper_batch(petition, organiser, foreign.id)  # not this petition's
    for each in (petition, other):
        db.session.expire_all()
        found = db.session.get(Petition, each.id)
        assert found is not None
        assert found.paper_signature_count == batch_sum(found.id)
    assert must(db.session.get(Petition, petition.id)).paper_signature_count == 16
    assert must(db.session.get(Petition, petition.id)).signature_count == 0


def test_paper_is_never_in_the_exports_or_the_log(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    sign_and_confirm(petition, 1)
    entries_before = db.session.scalar(select(func.count()).select_from(LogEntry))
    assert post_batch(organiser_client, "777").status_code == 303
    found = stored()
    assert (found.signature_count, found.log_size) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == entries_before
    checkpoint_petitions(found.slug)
    assert current_checkpoint(found.id).count == 1
    base = "/organisers/petitions/stop-evictions/export"
    csv_rows = organiser_client.get(f"{base}.csv").get_data(as_text=True).strip().splitlines()
    assert len(csv_rows) == 2 and "777" not in "".join(csv_rows)
    records = organiser_client.get(f"{base}.json").json
    assert records is not None
    assert len(records if isinstance(records, list) else records["signatures"]) == 1
    sheet = load_workbook(io.BytesIO(organiser_client.get(f"{base}.xlsx").data)).active
    assert sheet.max_row == 2
    assert "777" not in {str(cell.value) for row in sheet.iter_rows() for cell in row}


def test_the_delivery_pack_gives_paper_on_its_own_line(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    sign_and_confirm(petition, 2)
    post_batch(organiser_client, "1200")
    response = organiser_client.get("/organisers/petitions/stop-evictions/delivery-pack.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    words = " ".join(text.split())
    assert "2 verified signatures" in words
    assert (
        "Also 1,200 signatures collected on paper, counted by the organisers: not verified, "
        "not in the count above nor in the list of signatories." in words
    )
    assert "Signer 0" in words and "1200" not in words.replace("1,200", "")


def test_other_organisers_and_strangers_cannot_touch_paper(
    app: Flask, client: FlaskClient, make_petition, make_organiser
) -> None:
    make_petition(slug="theirs", organiser=make_organiser("owner@example.org"))
    stranger = client.post(
        "/organisers/petitions/theirs/paper", data={"count": "5", "collected_on": "2026-01-01"}
    )
    assert (
        stranger.status_code in (302, 303) and "/organisers/login" in stranger.headers["Location"]
    )
    make_organiser("intruder@example.org")
    client.post("/organisers/login", data={"email": "intruder@example.org", "password": PASSWORD})
    assert client.get("/organisers/petitions/theirs/paper").status_code == 404
    data = {"count": "5", "collected_on": "2026-01-01"}
    assert client.post("/organisers/petitions/theirs/paper", data=data).status_code == 404
    remove = client.post("/organisers/petitions/theirs/paper/remove", data={"batch": "1"})
    assert remove.status_code == 404
    assert stored("theirs").paper_signature_count == 0


def test_hostile_bodies_get_400_not_500(organiser_client: FlaskClient, petition: Petition) -> None:
    paper = "/organisers/petitions/stop-evictions/paper"
    assert organiser_client.post(paper, json={"count": 10**30}).status_code == 400
    assert organiser_client.post(paper, json=[1, 2]).status_code == 400
    assert (
        organiser_client.post(
            paper, data={"count": (io.BytesIO(b"5"), "five.txt"), "collected_on": "2026-01-01"}
        ).status_code
        == 400
    )
    timeline = "/organisers/petitions/stop-evictions/timeline"
    assert organiser_client.post(timeline, json={"kind": "note"}).status_code == 400
    assert (
        organiser_client.post(
            timeline, data={"kind": "note", "note-happened_on": "2026-01-01", "note-text": "\x00"}
        ).status_code
        == 400
    )
    assert stored().paper_signature_count == 0


def test_batches_recorded_at_the_same_moment_all_count(app: Flask, make_petition) -> None:
    petition = make_petition()
    petition_id, organiser_id = petition.id, petition.organisers[0].id

    def record(n: int) -> None:
        from petition.models import Organiser

        found = db.session.get(Petition, petition_id)
        who = db.session.get(Organiser, organiser_id)
        assert found is not None
        assert who is not None
        record_paper_batch(found, who, count=n, collected_on=today_utc())

    sizes = [10, 20, 30, 40, 50, 60]
    db.session.rollback()  # end this test's read, which would keep seeing the count before
    assert run_at_once(app, [partial(record, n) for n in sizes]) == []
    db.session.rollback()
    assert stored(petition.slug).paper_signature_count == sum(sizes) == batch_sum(petition_id)
