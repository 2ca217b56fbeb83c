"""Organisers create, preview, edit, close, reopen, hide and show petitions; every change is kept."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, PetitionEvent
from petition.petitions.history import event_detail
from tests.conftest import PASSWORD
from tests.helpers.clock import days_from_today, today_utc

FORM = {
    "title": "Сохраним парк у реки",
    "target": "Акимат города",
    "body": "We ask the city to **keep** the park.",
    "goal": "",
    "closes_on": "",
}


def events(petition_id: int) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(PetitionEvent)
        .where(PetitionEvent.petition_id == petition_id)
        .order_by(PetitionEvent.id)
    )
    return [(event.action, event_detail(event)) for event in rows]


def test_creating_a_cyrillic_petition_gives_a_readable_slug(organiser_client: FlaskClient) -> None:
    page = organiser_client.get("/organisers/petitions/new")
    assert page.status_code == 200 and 'name="body"' in page.get_data(as_text=True)
    response = organiser_client.post(
        "/organisers/petitions/new", data=FORM | {"goal": "500", "collects_country": "y"}
    )
    assert response.status_code == 303
    assert response.location == "/organisers/petitions/sokhranim-park-u-reki/"
    petition = db.session.scalar(select(Petition))
    assert petition is not None
    assert (petition.goal, petition.collects_country, petition.target) == (
        500,
        True,
        "Акимат города",
    )
    assert events(petition.id)[0][0] == "created"
    public = organiser_client.get("/petitions/sokhranim-park-u-reki?lang=en").get_data(as_text=True)
    assert "Сохраним парк у реки" in public and 'name="country"' in public


def test_a_title_with_no_letters_still_gets_a_slug(organiser_client: FlaskClient) -> None:
    for title in ("!!!", "!!!"):
        response = organiser_client.post("/organisers/petitions/new", data=FORM | {"title": title})
        assert response.status_code == 303
    slugs = db.session.scalars(select(Petition.slug).order_by(Petition.id)).all()
    assert slugs == ["petition", "petition-2"]


def test_preview_without_javascript_renders_sanitised_markdown(
    organiser_client: FlaskClient,
) -> None:
    body = 'Hi **all** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://e.org "t")'
    response = organiser_client.post(
        "/organisers/petitions/new", data=FORM | {"body": body, "action": "preview"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>all</strong>" in page and "<script>alert" not in page
    assert 'href="https://e.org"' in page and 'rel="nofollow noopener noreferrer"' in page
    preview = page.split('id="preview"')[1]
    assert 'href="javascript' not in preview and "<script" not in preview
    assert db.session.scalar(select(Petition)) is None, "a preview publishes nothing"


def test_live_preview_endpoint_returns_only_safe_html(organiser_client: FlaskClient) -> None:
    response = organiser_client.post(
        "/organisers/preview", data={"body": "# T\n\n<img src=x onerror=alert(1)> *em*"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<em>em</em>" in html and "<img" not in html  # raw HTML is shown as text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Please give the petition a title."),
        ("title", "x" * 201, "At most 200 characters."),
        ("title", "two\nlines", "Please use letters, spaces and punctuation only"),
        ("target", "t" * 201, "At most 200 characters."),
        ("body", "", "Please write what the petition asks for."),
        ("body", "b" * 50_001, "At most 50,000 characters."),
        ("goal", "0", "A goal is a whole number from 1"),
        ("goal", "many", "Not a valid integer value."),
        ("goal", "10" * 30, "A goal is a whole number from 1"),
        ("closes_on", "2020-01-01", "cannot be in the past"),
        ("closes_on", "31/31/2031", "Not a valid date value."),
    ],
)
def test_bad_petition_fields_get_a_message_and_keep_the_text(
    organiser_client: FlaskClient, field: str, value: str, message: str
) -> None:
    response = organiser_client.post("/organisers/petitions/new", data=FORM | {field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert message in page
    if field != "body":
        assert "We ask the city to **keep** the park." in page
    assert db.session.scalar(select(Petition)) is None


def test_editing_keeps_the_slug_and_records_what_changed(
    organiser_client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    path = f"/organisers/petitions/{petition.slug}/edit"
    form_page = organiser_client.get(path).get_data(as_text=True)
    assert "Stop the forced evictions" in form_page
    last_day = days_from_today(30).isoformat()
    response = organiser_client.post(
        path,
        data=FORM | {"title": "New title", "goal": "1000", "closes_on": last_day},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (petition.slug, petition.title, petition.goal) == (
        "stop-the-forced-evictions",
        "New title",
        1000,
    )
    assert petition.closes_at is not None and petition.is_open()
    action, detail = events(petition.id)[-1]
    assert action == "edited" and detail.startswith("Changed title, ")
    assert "goal" in detail and "last day to sign" in detail
    history = organiser_client.get(f"/organisers/petitions/{petition.slug}/").get_data(as_text=True)
    assert "organiser@example.org" in history and "Changed title" in history


def test_saving_a_closed_petition_unchanged_keeps_it_closed(
    organiser_client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    organiser_client.post(f"/organisers/petitions/{petition.slug}/state", data={"change": "close"})
    form = organiser_client.get(f"/organisers/petitions/{petition.slug}/edit")
    assert today_utc().isoformat() in form.get_data(as_text=True)
    response = organiser_client.post(
        f"/organisers/petitions/{petition.slug}/edit",
        data={
            "title": petition.title,
            "target": petition.target,
            "body": petition.body,
            "closes_on": today_utc().isoformat(),
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert not petition.is_open()


def test_close_reopen_hide_and_show(organiser_client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    state = f"/organisers/petitions/{petition.slug}/state"
    public = f"/petitions/{petition.slug}"

    assert organiser_client.post(state, data={"change": "close"}).status_code == 303
    db.session.expire_all()
    assert not petition.is_open()
    assert "no longer accepts signatures" in organiser_client.get(f"{public}?lang=en").get_data(
        as_text=True
    )

    organiser_client.post(state, data={"change": "reopen"})
    db.session.expire_all()
    assert petition.is_open() and petition.closes_at is None

    organiser_client.post(state, data={"change": "hide"})
    assert organiser_client.get(f"{public}?lang=en").status_code == 404
    assert petition.title not in organiser_client.get("/").get_data(as_text=True)
    signed = organiser_client.post(f"{public}/sign", data={"name": "A", "email": "a@example.org"})
    assert signed.status_code == 404

    organiser_client.post(state, data={"change": "show"})
    assert organiser_client.get(f"{public}?lang=en").status_code == 200
    organiser_client.post(state, data={"change": "show"})  # already shown: nothing recorded
    assert [a for a, _ in events(petition.id)] == [
        "created", "closed", "reopened", "hidden", "shown"
    ]  # fmt: skip
    assert organiser_client.post(state, data={"change": "delete"}).status_code == 400


def test_the_list_links_to_each_petition_and_to_creating_one(
    organiser_client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    page = organiser_client.get("/organisers/").get_data(as_text=True)
    assert f'href="/organisers/petitions/{petition.slug}/"' in page
    assert 'href="/organisers/petitions/new"' in page
    assert f"/organisers/petitions/{petition.slug}/export.xlsx" in page


def test_organiser_forms_refuse_a_post_without_its_csrf_token(make_app, make_petition) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        petition = make_petition()
        client = app.test_client()
        login_page = client.get("/organisers/login").get_data(as_text=True)
        token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/organisers/login",
            data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 303
        for path, data in [
            ("/organisers/petitions/new", FORM),
            (f"/organisers/petitions/{petition.slug}/state", {"change": "hide"}),
            (f"/organisers/petitions/{petition.slug}/invite", {"email": "x@example.org"}),
            ("/organisers/preview", {"body": "x"}),
        ]:
            refused = client.post(path, data=data)
            assert refused.status_code == 400, path
            assert "This form has expired" in refused.get_data(as_text=True)
        db.session.expire_all()
        assert petition.hidden_at is None
