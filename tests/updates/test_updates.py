"""Updates to signers, by their choice: through the pages, the outbox and a real SMTP server."""

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import (
    EventAction,
    OutboxMessage,
    Petition,
    PetitionEvent,
    PetitionUpdate,
)
from petition.petitions.versions import save_petition_text
from petition.signing.signatures import sign_petition
from petition.updates.drafts import draft_version
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.checks import must
from tests.helpers.signing import signature_of
from tests.updates.support import (
    CONFIRM_LINK,
    UNSUBSCRIBE_LINK,
    confirm_from_mail,
    deliver,
    path_of,
    send_confirmed,
    sign_choosing_updates,
    text_of,
    updates_to,
)

MakePetition = Callable[..., Petition]


def _write(
    client: FlaskClient,
    slug: str,
    subject: str,
    body: str = "It was **delivered** today.",
    **more: str,
) -> int:
    """Save a draft through the organiser's form; returns its id."""
    data = {"subject": subject, "body": body, "action": "save"} | more
    response = client.post(f"/organisers/petitions/{slug}/updates/new", data=data)
    assert response.status_code == 303, response.text[-800:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _send(client: FlaskClient, slug: str, update_id: int) -> None:
    response = send_confirmed(client, slug, update_id)
    assert response.status_code == 303, response.text[-800:]


def test_an_opted_in_signer_gets_the_update_in_their_language_and_stops_it_in_one_click(
    app: Flask, organiser_client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    client = organiser_client
    petition = make_petition()
    slug = petition.slug
    save_petition_text(
        petition, petition.organisers[0], language="ru", title="Остановите выселения", body="Текст."
    )
    sign_choosing_updates(client, slug, "Анна", "anna@example.org", wants=True, lang="ru")
    sign_choosing_updates(client, slug, "Ben", "ben@example.org", wants=True)
    sign_choosing_updates(client, slug, "Cleo", "cleo@example.org", wants=False)
    for address in ("anna@example.org", "ben@example.org", "cleo@example.org"):
        confirm_from_mail(client, smtp, address)
    sign_choosing_updates(client, slug, "Dana", "dana@example.org", wants=True)  # never confirms
    # Held quietly (a rule it broke): it looks confirmed to its signer, and is never counted.
    sign_petition(
        petition, name="Eve", email="eve@example.org", flag_reason="test", wants_updates=True
    )
    confirm_from_mail(client, smtp, "eve@example.org")
    assert signature_of("eve@example.org").confirmed_at is not None
    page = client.get(f"/organisers/petitions/{slug}/").text
    assert "2 verified signers want to hear what happens" in page

    update_id = _write(
        client, slug, "Delivered!", subject_ru="Доставлено!", body_ru="Петицию **вручили** сегодня."
    )
    _send(client, slug, update_id)
    deliver(smtp)

    [anna] = updates_to(smtp, "anna@example.org", "Доставлено!")
    [ben] = updates_to(smtp, "ben@example.org", "Delivered!")
    for nobody in ("cleo@example.org", "dana@example.org", "eve@example.org"):
        assert not updates_to(smtp, nobody, "Delivered") and not updates_to(
            smtp, nobody, "Доставлено"
        )
    text = text_of(anna)
    assert "Петицию вручили сегодня." in text and "**" not in text
    assert "Остановите выселения" in text  # the petition named in her language
    assert f"https://petitions.example.org/petitions/{slug}?lang=ru" in text
    html = must(anna.get_body(("html",))).get_content()
    assert "<strong>вручили</strong>" in html
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Folded onto a line of its own (it is longer than a line), as RFC 5322 allows.
    header = str(anna["List-Unsubscribe"]).strip()
    assert header.startswith("<https://petitions.example.org/unsubscribe/") and header.endswith(">")
    assert header[1:-1] in text and header[1:-1] in html.replace("&amp;", "&")

    # The mail app's one-click POST: no cookie, no CSRF token, no login.
    stranger = app.test_client()
    answer = stranger.post(
        path_of(header[1:-1]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert "no more updates" in answer.text.lower() or "больше" in answer.text.lower()
    assert signature_of("anna@example.org").wants_updates is False
    assert signature_of("anna@example.org").status == "confirmed"  # still counted
    assert stranger.post(path_of(header[1:-1])).status_code == 200  # again: the same

    # Ben opens the link in the text: a page with one button; opening it changes nothing.
    link = UNSUBSCRIBE_LINK.search(text_of(ben))
    assert link is not None
    shown = stranger.get(link.group(1))
    assert shown.status_code == 200 and "Stop my updates" in shown.text
    assert signature_of("ben@example.org").wants_updates is True
    assert stranger.post(link.group(1)).status_code == 200
    assert signature_of("ben@example.org").wants_updates is False

    # The history and the progress on the organiser's page.
    event = db.session.scalar(
        select(PetitionEvent).where(PetitionEvent.action == EventAction.UPDATE_SENT)
    )
    assert event is not None and event.values["recipients"] == 2 and event.rows == 2
    page = client.get(f"/organisers/petitions/{slug}/").text
    assert "“Delivered!” to 2 signers" in page
    assert "0 verified signers want to hear" in page
    # Recipients 2, waiting 0, delivered 2, failed 0.
    cells = "".join(page.split())
    assert '2</td><tdclass="num">0</td><tdclass="num">2</td><tdclass="num">0</td>' in cells


def test_an_update_queued_before_unsubscribing_is_never_sent(
    make_app: Callable[..., Flask], make_petition: MakePetition, smtp: SMTPServer
) -> None:
    app = make_app(UPDATES_PER_WEEK=3)
    with app.app_context():
        client = app.test_client()
        petition = make_petition()
        client.post(
            "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        sign_choosing_updates(client, petition.slug, "Ann", "ann@example.org", wants=True)
        confirm_from_mail(client, smtp, "ann@example.org")
        _send(client, petition.slug, _write(client, petition.slug, "First news"))
        deliver(smtp)
        [first] = updates_to(smtp, "ann@example.org", "First news")
        link = UNSUBSCRIBE_LINK.search(text_of(first))
        assert link is not None

        _send(client, petition.slug, _write(client, petition.slug, "Second news"))  # queued
        assert app.test_client().post(link.group(1)).status_code == 200  # then she unsubscribes
        before = len(smtp.sink.messages)
        deliver(smtp)
        assert len(smtp.sink.messages) == before
        assert not updates_to(smtp, "ann@example.org", "Second news")
        # A third update finds nobody to send to, and the step says so instead of sending.
        third = _write(client, petition.slug, "Third news")
        step = client.get(f"/organisers/petitions/{petition.slug}/updates/{third}/send")
        assert "nobody would get this one" in step.text
        assert 'name="version"' not in step.text


def test_one_update_a_week_and_a_sent_update_is_final(
    organiser_client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    client = organiser_client
    slug = make_petition().slug
    sign_choosing_updates(client, slug, "Ann", "ann@example.org", wants=True)
    confirm_from_mail(client, smtp, "ann@example.org")
    first = _write(client, slug, "First news")
    _send(client, slug, first)
    second = _write(client, slug, "Too soon")
    refused = client.get(f"/organisers/petitions/{slug}/updates/{second}/send")
    assert refused.status_code == 200
    assert "1 update in 7 days" in refused.text and "The next one can go from" in refused.text
    assert 'name="version"' not in refused.text  # no button to send it
    forced = client.post(
        f"/organisers/petitions/{slug}/updates/{second}/send",
        data={"count": "1", "version": draft_version(must(db.session.get(PetitionUpdate, second)))},
    )
    assert forced.status_code == 409 and "The next one can go from" in forced.text
    draft = db.session.get(PetitionUpdate, second)
    assert draft is not None and draft.sent_at is None

    # The sent one cannot be changed or sent again.
    client.post(
        f"/organisers/petitions/{slug}/updates/{first}",
        data={"subject": "Changed", "body": "Changed", "action": "save"},
    )
    again = client.post(f"/organisers/petitions/{slug}/updates/{first}/send")
    assert again.status_code == 303
    db.session.expire_all()
    sent = db.session.get(PetitionUpdate, first)
    assert sent is not None and sent.subject == "First news" and sent.recipients == 1
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.update_id == first)).all()
    assert len(rows) == 1


def test_an_update_too_long_is_refused_with_a_message_and_nothing_is_stored(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    slug = make_petition().slug
    response = organiser_client.post(
        f"/organisers/petitions/{slug}/updates/new",
        data={"subject": "Long", "body": "x" * 20_001, "action": "save"},
    )
    assert response.status_code == 400
    assert "at most 20,000 characters long; this one has 20,001" in response.text
    long_subject = organiser_client.post(
        f"/organisers/petitions/{slug}/updates/new",
        data={"subject": "s" * 201, "body": "Fine", "action": "save"},
    )
    assert long_subject.status_code == 400 and "At most 200 characters." in long_subject.text
    hostile = {"subject": "Nul\x00", "body": "Text\x00", "action": "save", "body_ru": "x" * 30_000}
    refused = organiser_client.post(f"/organisers/petitions/{slug}/updates/new", data=hostile)
    assert refused.status_code == 400
    assert "Please remove the control characters from this text." in refused.text
    assert "Please use letters, spaces and punctuation only, on one line." in refused.text
    assert db.session.scalar(select(PetitionUpdate)) is None


def test_the_preview_shows_the_text_as_signers_will_read_it(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    slug = make_petition().slug
    response = organiser_client.post(
        f"/organisers/petitions/{slug}/updates/new",
        data={"subject": "News", "body": "**Big** <script>alert(1)</script>", "action": "preview"},
    )
    assert response.status_code == 200
    assert "<strong>Big</strong>" in response.text and "<script>alert" not in response.text
    assert db.session.scalar(select(PetitionUpdate)) is None


def test_a_test_send_goes_only_to_the_organiser_and_says_it_is_a_test(
    organiser_client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    client = organiser_client
    slug = make_petition().slug
    sign_choosing_updates(client, slug, "Ann", "ann@example.org", wants=True)
    confirm_from_mail(client, smtp, "ann@example.org")
    update_id = _write(client, slug, "Draft news")
    response = client.post(f"/organisers/petitions/{slug}/updates/{update_id}/test")
    assert response.status_code == 303
    deliver(smtp)
    [test] = [m for m in smtp.sink.messages if "Draft news" in str(m["Subject"])]
    assert test["To"] == "organiser@example.org"
    assert str(test["Subject"]) == "[Test] Draft news"
    assert "This is a test of your update: only you got it." in text_of(test)
    assert test["List-Unsubscribe"] is None and "/unsubscribe/" not in text_of(test)
    draft = db.session.get(PetitionUpdate, update_id)
    assert draft is not None and draft.sent_at is None


def test_another_organiser_cannot_see_preview_test_or_send_this_petitions_updates(
    app: Flask, make_petition: MakePetition, make_organiser: Callable[..., object], smtp: SMTPServer
) -> None:
    petition = make_petition()
    owner = app.test_client()
    owner.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    update_id = _write(owner, petition.slug, "Ours")
    make_organiser("other@example.org")
    other = app.test_client()
    other.post("/organisers/login", data={"email": "other@example.org", "password": PASSWORD})
    base = f"/organisers/petitions/{petition.slug}/updates"
    assert other.get(f"{base}/new").status_code == 404
    assert other.get(f"{base}/{update_id}").status_code == 404
    preview = {"subject": "x", "body": "y", "action": "preview"}
    assert other.post(f"{base}/new", data=preview).status_code == 404
    assert other.post(f"{base}/{update_id}", data=preview | {"action": "save"}).status_code == 404
    assert other.post(f"{base}/{update_id}/test").status_code == 404
    assert other.post(f"{base}/{update_id}/send").status_code == 404
    # Ids no database holds, or none at all.
    for wrong in ("99999999999999999999999999", "0", "-1", "x"):
        assert owner.get(f"{base}/{wrong}").status_code == 404
        assert owner.post(f"{base}/{wrong}/send").status_code == 404
    # An update id of another petition, under one's own petition, finds nothing either.
    mine = make_petition(
        title="Another petition", organiser=db.session.merge(_organiser("other@example.org"))
    )
    assert other.get(f"/organisers/petitions/{mine.slug}/updates/{update_id}").status_code == 404
    assert (
        other.post(f"/organisers/petitions/{mine.slug}/updates/{update_id}/send").status_code == 404
    )
    assert db.session.get(PetitionUpdate, update_id).sent_at is None  # type: ignore[union-attr]
    assert not db.session.scalars(select(OutboxMessage)).all()


def _organiser(email: str) -> object:
    from petition.models import Organiser

    return db.session.scalar(select(Organiser).where(Organiser.email == email))


def test_the_choice_waits_for_the_mailbox_and_shows_on_the_confirm_page(
    client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    sign_choosing_updates(client, slug, "Ann", "ann@example.org", wants=False)
    sign_choosing_updates(
        client, slug, "Ann", "ann@example.org", wants=True
    )  # anyone could type this
    assert signature_of("ann@example.org").wants_updates is False
    messages = [m for m in deliver(smtp) if m["To"] == "ann@example.org"]
    first, second = (CONFIRM_LINK.search(text_of(m)).group(1) for m in messages)  # type: ignore[union-attr]
    assert "You will get no updates about this petition." in client.get(first).text
    second_page = client.get(second).text
    assert "You will get the organisers" in second_page, second_page[-1500:]
    assert client.post(second).status_code == 303
    assert signature_of("ann@example.org").wants_updates is True


def test_the_sign_forms_offer_the_box_unticked(
    client: FlaskClient, make_petition: MakePetition
) -> None:
    slug = make_petition().slug
    for page in (
        client.get(f"/petitions/{slug}?lang=en").text,
        client.get(f"/petitions/{slug}/embed").text,
    ):
        assert 'name="wants_updates"' in page and "Email me what happens with this petition" in page
        assert 'name="wants_updates" type="checkbox" value="y">' in page  # not checked


def test_a_half_written_version_is_refused_beside_the_empty_field(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    petition = make_petition()
    save_petition_text(
        petition, petition.organisers[0], language="ru", title="Остановите", body="Текст"
    )
    url = f"/organisers/petitions/{petition.slug}/updates/new"
    no_text = organiser_client.post(
        url, data={"subject": "News", "body": "Text", "subject_ru": "Новости", "action": "save"}
    )
    assert no_text.status_code == 400
    assert "Please write the text in this language too." in no_text.text
    no_subject = organiser_client.post(
        url, data={"subject": "News", "body": "Text", "body_ru": "Текст", "action": "save"}
    )
    assert no_subject.status_code == 400
    assert "Please give the subject in this language too." in no_subject.text
    assert db.session.scalar(select(PetitionUpdate)) is None
