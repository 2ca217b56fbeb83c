"""Letter actions under hostile or careless input, hidden petitions, the JSON and the API."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.extensions import db
from petition.letters.actions import save_action
from petition.models import (
    EventAction,
    LetterAction,
    LetterTarget,
    Organiser,
    Petition,
    PetitionEvent,
)
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.transactions import write_transaction
from tests.conftest import PASSWORD
from tests.helpers.checks import must
from tests.letters.support import BODY, EMBASSIES_CSV, SUBJECT, upload, write_action

MakePetition = Callable[..., Petition]


@pytest.fixture
def action(organiser_client: FlaskClient, make_petition: MakePetition) -> tuple[str, int]:
    slug = make_petition().slug
    action_id = write_action(organiser_client, slug)
    assert upload(organiser_client, slug, action_id, EMBASSIES_CSV.encode()).status_code == 303
    return slug, action_id


def _events() -> list[str]:
    return list(db.session.scalars(select(PetitionEvent.action).order_by(PetitionEvent.id)))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "x" * 5001, "at most 5,000 characters"),
        ("subject", "x" * 201, "At most 200 characters."),
        ("title", "", "Please name the action."),
        ("body", "Hello\x00", "control characters"),
        ("copies", "\n".join(f"c{n}@example.org" for n in range(11)), "At most 10 addresses"),
        ("copies", "campaign@example.org\nnot an address", "“not an address” is not an email"),
    ],
)
def test_a_letter_that_breaks_a_rule_is_refused_with_a_message(
    organiser_client: FlaskClient, make_petition: MakePetition, field: str, value: str, message: str
) -> None:
    slug = make_petition().slug
    data = {"title": "T", "subject": "S", "body": "B", "action": "save"} | {field: value}
    response = organiser_client.post(f"/organisers/petitions/{slug}/letters/new", data=data)
    assert response.status_code == 400
    assert message in response.text.replace("&#34;", '"')
    assert db.session.scalar(select(func.count()).select_from(LetterAction)) == 0


def test_the_preview_shows_the_letter_and_saves_nothing(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    slug = make_petition().slug
    data = {"title": "T", "subject": SUBJECT, "body": BODY, "action": "preview"}
    response = organiser_client.post(f"/organisers/petitions/{slug}/letters/new", data=data)
    assert response.status_code == 200 and 'class="preview"' in response.text
    assert SUBJECT in response.text
    assert db.session.scalar(select(func.count()).select_from(LetterAction)) == 0


def test_a_target_typed_in_shows_every_fault_at_once(
    organiser_client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    targets = db.session.scalar(select(func.count()).select_from(LetterTarget))
    response = organiser_client.post(
        f"/organisers/petitions/{slug}/letters/{action_id}/targets",
        data={"name": "", "email": "nope", "phone": "1" * 101, "country": ""},
    )
    page = response.text.replace("&#34;", '"')
    assert response.status_code == 400
    assert "Please give the target's name." in page.replace("&#39;", "'")
    assert "is not an email address" in page
    assert page.count("At most 100 characters.") == 1
    assert db.session.scalar(select(func.count()).select_from(LetterTarget)) == targets


def test_targets_typed_in_and_removed_are_in_the_history(
    organiser_client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    base = f"/organisers/petitions/{slug}/letters/{action_id}"
    bad = organiser_client.post(
        f"{base}/targets", data={"name": "Суд", "email": "nope", "country": ""}
    )
    assert bad.status_code == 400 and "is not an email address" in bad.text.replace("&#34;", '"')
    wrong_country = organiser_client.post(f"{base}/targets", data={"name": "Суд", "country": "ZZ"})
    assert wrong_country.status_code == 400
    added = organiser_client.post(
        f"{base}/targets",
        data={"name": "Генпрокуратура", "postal_address": "Астана\nул. Б, 1", "country": ""},
    )
    assert added.status_code == 303
    target = db.session.scalar(select(LetterTarget).where(LetterTarget.name == "Генпрокуратура"))
    assert target is not None and target.postal_address == "Астана\nул. Б, 1"
    assert organiser_client.post(f"{base}/targets/{target.id}/remove").status_code == 303
    assert organiser_client.post(f"{base}/targets/{target.id}/remove").status_code == 404
    assert organiser_client.post(f"{base}/targets/{2**70}/remove").status_code == 404
    assert _events()[-2:] == [EventAction.TARGET_ADDED, EventAction.TARGET_REMOVED]
    history = organiser_client.get(f"/organisers/petitions/{slug}/").text
    assert "Генпрокуратура" in history


def test_changing_and_removing_an_action_is_recorded(
    organiser_client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    base = f"/organisers/petitions/{slug}/letters/{action_id}"
    data = {"title": "Новое", "subject": "S", "body": "B", "copies": "", "action": "save"}
    assert organiser_client.post(base, data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(LetterAction, action_id).copies == []  # type: ignore[union-attr]
    assert organiser_client.post(f"{base}/remove").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(LetterTarget)) == 0
    assert _events()[-2:] == [EventAction.LETTER_CHANGED, EventAction.LETTER_REMOVED]
    assert organiser_client.get(base).status_code == 404


def test_a_version_in_the_readers_language_is_shown_to_them(
    organiser_client: FlaskClient, make_petition: MakePetition, client: FlaskClient
) -> None:
    petition = make_petition()
    save_petition_text(
        petition,
        must(db.session.scalar(select(Organiser))),
        language="ru",
        title="Остановите",
        body="Семьи.",
    )
    action_id = write_action(
        organiser_client, petition.slug, title="Write", subject="Free them", body="Dear Sir",
        title_ru="Напишите", subject_ru=SUBJECT, body_ru=BODY,
    )  # fmt: skip
    english = client.get(f"/petitions/{petition.slug}/letters/{action_id}?lang=en").text
    russian = client.get(f"/petitions/{petition.slug}/letters/{action_id}?lang=ru").text
    kazakh = client.get(f"/petitions/{petition.slug}/letters/{action_id}?lang=kk").text
    assert "Free them" in english and SUBJECT not in english
    assert SUBJECT in russian and "Напишите" in russian
    assert "Free them" in kazakh  # no version in Kazakh: the original


@pytest.mark.parametrize(
    "path",
    [
        "/petitions/{slug}/letters/{big}",
        "/petitions/{slug}/letters/{other}",
        "/petitions/no-such-petition/letters/{id}",
        "/petitions/{slug}/letters/{big}/letter.pdf",
    ],
)
def test_unknown_actions_are_not_found(
    client: FlaskClient, action: tuple[str, int], path: str
) -> None:
    slug, action_id = action
    url = path.format(slug=slug, big=2**70, other=action_id + 1, id=action_id)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"subject": "x", "body": "y"}).status_code == 404


def test_hostile_supporter_input_gets_a_400_or_is_ignored(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    base = f"/petitions/{slug}/letters/{action_id}"
    assert client.post(base, data={"subject": "x\x00", "body": "y"}).status_code == 400
    assert client.post(base, data={"subject": "x", "body": "y" * 5001}).status_code == 400
    assert client.post(base, json=[1, 2]).status_code == 400
    assert client.post(f"{base}/letter.pdf", data={"subject": "", "body": ""}).status_code == 400
    odd_country = client.get(f"{base}?country=%00%00&lang=ru")
    assert odd_country.status_code == 200  # no such country: the fixed targets only
    pdf = client.post(
        f"{base}/letter.pdf", data={"subject": "s", "body": "b", "country": "x" * 999}
    )
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_hidden_petitions_actions_are_not_found(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    with write_transaction() as session:
        found = session.scalar(select(Petition).where(Petition.slug == slug))
        assert found is not None
        found.hidden_at = func.now()
    base = f"/petitions/{slug}/letters/{action_id}"
    for response in (
        client.get(base),
        client.get(f"{base}/letter.pdf"),
        client.post(f"{base}/sent"),
    ):
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(LetterAction, action_id).letters_sent == 0  # type: ignore[union-attr]


def test_the_json_and_the_api_list_the_actions(
    client: FlaskClient, action: tuple[str, int]
) -> None:
    slug, action_id = action
    client.post(f"/petitions/{slug}/letters/{action_id}/sent")
    expected = {
        "id": action_id,
        "title": "Напишите в посольство",
        "url": f"https://petitions.example.org/petitions/{slug}/letters/{action_id}",
        "letters_sent": 1,
        "targets": 4,
    }
    public = client.get(f"/petitions/{slug}.json").get_json()
    assert public["letter_actions"] == [expected] and "signature_count" in public
    api = client.get(f"/api/v1/petitions/{slug}").get_json()
    assert api["letter_actions"] == [expected] and "milestones" in api
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(schema["LetterAction"]["required"]) == set(expected)


def test_with_csrf_on_the_supporters_edit_works_without_a_token_and_counting_needs_one(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        petition = create_petition(title="Free them", body="Held.", organiser=organiser)
        action_id = save_action(
            petition, organiser, None, title="Write", subject="Free them", body="Dear Sir",
            versions={}, copies=[],
        )  # fmt: skip
        slug = petition.slug
    # Outside the app context, so each request has its own g (where the CSRF check is kept).
    organiser_client = app.test_client()
    page = organiser_client.get("/organisers/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    logged_in = organiser_client.post(
        "/organisers/login",
        data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert logged_in.status_code == 303
    imported = upload(organiser_client, slug, action_id, EMBASSIES_CSV.encode())
    assert imported.status_code == 400  # the file came without the form's token
    client = app.test_client()
    base = f"/petitions/{slug}/letters/{action_id}"
    edited = client.post(base, data={"subject": "Mine", "body": "My words", "country": ""})
    assert edited.status_code == 200 and "subject=Mine" in edited.text
    assert client.post(f"{base}/letter.pdf", data={"subject": "S", "body": "B"}).status_code == 200
    assert client.post(f"{base}/sent").status_code == 400  # no token: not counted
    page = client.get(base).text
    sent_token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"{base}/sent", data={"csrf_token": sent_token}).status_code == 303
    with app.app_context():
        assert db.session.get(LetterAction, action_id).letters_sent == 1  # type: ignore[union-attr]
        assert db.session.scalar(select(func.count()).select_from(LetterTarget)) == 0


def test_an_action_keeps_at_most_its_number_of_targets(
    organiser_client: FlaskClient, make_petition: MakePetition, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("petition.letters.actions.MAX_TARGETS", 3)  # 5,000 rows cost time here
    slug = make_petition().slug
    action_id = write_action(organiser_client, slug)
    response = upload(organiser_client, slug, action_id, EMBASSIES_CSV.encode())
    assert response.status_code == 400
    assert "at most 3 targets" in response.text
    assert db.session.scalar(select(func.count()).select_from(LetterTarget)) == 0


def test_a_half_written_version_of_the_letter_is_refused(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    petition = make_petition()
    save_petition_text(
        petition, petition.organisers[0], language="ru", title="Остановите", body="Текст"
    )
    data = {"title": "T", "subject": "S", "body": "B", "subject_ru": "Тема", "action": "save"}
    url = f"/organisers/petitions/{petition.slug}/letters/new"
    response = organiser_client.post(url, data=data)
    assert response.status_code == 400
    assert "Please write the letter in this language too." in response.text
    assert db.session.scalar(select(func.count()).select_from(LetterAction)) == 0
