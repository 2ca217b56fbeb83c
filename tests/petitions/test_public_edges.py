"""The edges of the kept public copies and of the language choice: prefixes, odd input, races."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from petition.extensions import db
from petition.models import Organiser, Petition, Signature, utcnow
from petition.petitions.editing import StateChange, change_state, close_petition, update_petition
from petition.petitions.public_copies import public_snapshot
from petition.petitions.versions import save_petition_text
from petition.signing.forms import SignForm
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.views.pages import petition_page
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail
from tests.petitions.test_petition_texts import logged_in

SWITCHER_LINK = re.compile(r'<a href="([^"]+)" hreflang="(?:en|ru|kk)" lang=')


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.mark.parametrize("path", ["/", "/petitions/stop-evictions?lang=en"])
def test_language_links_keep_the_prefix_the_app_is_mounted_under(
    csrf_app: Flask, make_petition, path: str
) -> None:
    make_petition(slug="stop-evictions")
    page = csrf_app.test_client().get(path, base_url="http://localhost/p/").text
    links = SWITCHER_LINK.findall(page)
    assert len(links) == 3 and all(link.startswith("/p/") for link in links), links


def test_the_kept_page_is_kept_per_prefix(csrf_app: Flask, make_petition) -> None:
    make_petition(slug="stop-evictions")
    client = csrf_app.test_client()
    prefixed = client.get("/petitions/stop-evictions?lang=en", base_url="http://localhost/p/").text
    plain = client.get("/petitions/stop-evictions?lang=en").text
    assert 'href="/p/static/site.css' in prefixed
    assert 'href="/static/site.css' in plain


@pytest.mark.parametrize(
    "headers,query",
    [
        ({"Accept-Language": "ru;q=abc, kk;q=2, *;q=0.1"}, ""),
        ({"Accept-Language": "x" * 5000}, ""),
        ({"Accept-Language": "kk-Cyrl-KZ"}, "?lang=%00"),
        ({"Accept-Language": "zh-Hant"}, "?lang=ru&lang=kk"),
        ({"Cookie": "lang=../../etc; session=garbage"}, "?lang=%E2%80%8Eru"),
        ({"Accept-Language": "*"}, "?lang=\r\nSet-Cookie:%20x=1"),
    ],
)
def test_odd_language_input_never_breaks_a_page_or_a_header(
    csrf_app: Flask, make_petition, headers: dict[str, str], query: str
) -> None:
    make_petition(slug="stop-evictions")
    client = csrf_app.test_client()
    for path in [
        "/",
        "/petitions/stop-evictions",
        "/petitions/stop-evictions.json",
        "/petitions.atom",
        "/petitions/stop-evictions/embed",
        "/api/v1/petitions",
        "/api/v1/petitions/stop-evictions",
        "/privacy",
        "/organisers/login",
        "/nope",
        "/petitions/stop-evictions/check-email",
        "/confirm/abc",
    ]:
        response = client.get(path + query, headers=headers)
        assert response.status_code < 500, (path, response.status_code)
        assert "\n" not in "".join(response.headers.get_all("Set-Cookie"))
    post = client.post("/petitions/stop-evictions/sign" + query, headers=headers, data={})
    assert post.status_code < 500


def test_the_kept_copy_renders_the_same_page_as_the_petition_itself(
    app: Flask, make_petition
) -> None:
    petition = make_petition(
        slug="s", goal=10, closes_on=(utcnow() + timedelta(days=3)).date(), collects_country=True
    )
    sign_petition(petition, name="Ann Lee", email="a@example.org", show_name=True, country="KZ")
    confirm_signature(confirmation_token(db.session.scalars(select(Signature)).one()))
    with app.test_request_context("/petitions/s?lang=ru"):
        form = SignForm(petition_id=petition.id, collects_country=True)
        full = petition_page(must(db.session.get(Petition, petition.id)), form, "token")
        kept = petition_page(must(public_snapshot("s", keep=False)), form, "token")
    assert full == kept


def test_a_process_reads_its_own_writes_at_once(csrf_app: Flask, make_petition) -> None:
    petition = make_petition(slug="s")
    organiser = db.session.scalars(select(Organiser)).one()
    client = csrf_app.test_client()
    assert "Stop the forced evictions" in client.get("/petitions/s?lang=ru").text
    client.get("/petitions/s.json?lang=ru")  # both kept now
    save_petition_text(petition, organiser, language="ru", title="Остановите", body="Текст")
    assert "Остановите" in client.get("/petitions/s?lang=ru").text
    assert client.get("/petitions/s.json?lang=ru").get_json()["title"] == "Остановите"
    update_petition(
        must(db.session.get(Petition, petition.id)),
        organiser,
        title="New title",
        body="B",
        target=None,
        goal=None,
        closes_on=None,
        collects_country=False,
    )
    assert "New title" in client.get("/petitions/s?lang=en").text
    close_petition("s")
    assert "no longer accepts" in client.get("/petitions/s?lang=en").text
    assert '"open":false' in client.get("/petitions/s.json").text
    change_state(must(db.session.get(Petition, petition.id)), organiser, StateChange.HIDE)
    assert client.get("/petitions/s?lang=en").status_code == 404
    assert client.get("/petitions/s.json").status_code == 404


def test_signing_a_petition_another_process_just_hid_shows_nothing_of_it(
    app: Flask, make_petition
) -> None:
    make_petition(slug="s")
    client = app.test_client()
    assert client.get("/petitions/s?lang=en").status_code == 200  # this process keeps a copy
    # Another process hides it: a bare driver connection, so this process hears nothing of it.
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("UPDATE petitions SET hidden_at = CURRENT_TIMESTAMP WHERE slug = 's'")
        raw.commit()
    finally:
        raw.close()
    response = client.post("/petitions/s/sign", data={"name": "Ann", "email": "ann@example.org"})
    assert response.status_code == 404
    assert "Stop the forced evictions" not in response.text
    assert db.session.scalars(select(Signature)).all() == []


def test_a_hide_committed_while_a_copy_is_read_leaves_no_copy(app: Flask, make_petition) -> None:
    make_petition(slug="s")
    engine = db.engine
    fired: list[int] = []

    def hide_meanwhile(conn, cursor, statement, params, context, executemany) -> None:
        if "hidden_at IS NULL" in statement and not fired:
            fired.append(1)
            with engine.begin() as other:  # another request's thread hides it now
                other.execute(update(Petition).values(hidden_at=utcnow()))

    event.listen(engine, "after_cursor_execute", hide_meanwhile)
    try:
        assert public_snapshot("s") is not None  # read before the hide committed
    finally:
        event.remove(engine, "after_cursor_execute", hide_meanwhile)
    assert fired
    db.session.rollback()
    assert app.test_client().get("/petitions/s?lang=en").status_code == 404, (
        "hidden, yet still served"
    )


def test_a_widget_read_in_kazakh_signs_in_kazakh_without_cookies(app: Flask, make_petition) -> None:
    make_petition(slug="s")
    widget = app.test_client().get("/petitions/s/embed?lang=kk", headers={"Accept-Language": "en"})
    assert '<html lang="kk">' in widget.text
    token_field = re.search(r'name="form_token" type="hidden" value="([^"]+)"', widget.text)
    token = must(token_field).group(1)
    action = must(re.search(r'<form method="post" action="([^"]+)"', widget.text)).group(1)
    # Inside another site's frame the browser sends no cookie of ours (SameSite=Lax).
    post = app.test_client().post(
        action.replace("&amp;", "&"),
        data={"form_token": token, "name": "Ann", "email": "ann@example.org"},
        headers={"Origin": "http://localhost", "Accept-Language": "en"},
    )
    assert post.status_code == 303
    assert post.headers["Location"].endswith("/petitions/s/embed/check-email?lang=kk#main")
    assert db.session.scalars(select(Signature)).one().language == "kk"


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_titles_and_names_are_escaped_once_in_every_language(
    app: Flask, make_petition, language: str
) -> None:
    petition = make_petition(slug="s", title="Tom & Jerry <b>x</b> 100%", target="A & B")
    sign_petition(petition, name="Ann & <i>Co</i>", email="a@example.org", language=language)
    [message] = owed_mail()
    assert "&amp;" not in message.subject and "&amp;" not in message.text
    assert "<b>" not in (message.html or "") and "&amp;amp;" not in (message.html or "")
    assert "Tom &amp; Jerry" in (message.html or "")


def test_the_versions_forms_answer_bad_input_without_an_error(app: Flask, make_petition) -> None:
    make_petition(slug="s")
    client = logged_in(app)
    for data in [
        {},
        {"language": "en", "title": "T", "body": "B"},
        {"language": "xx", "title": "T", "body": "B"},
        {"language": "ru", "title": "T" * 500, "body": "B"},
        {"language": "ru", "title": "a\nb", "body": "B"},
        {"language": "ru", "title": " ", "body": " "},
        {"language": ["ru", "kk"], "title": "T", "body": "B"},
        {"language": "ru", "title": "T", "body": "B" * 200000},
        {"language": "ru", "title": "T", "body": "B", "action": "preview"},
    ]:
        response = client.post("/organisers/petitions/s/texts", data=data)
        assert response.status_code < 500, (data, response.status_code)
    for query in ["?language=ru", "?language=zz", "?language=en", "?language="]:
        assert client.get("/organisers/petitions/s/texts" + query).status_code == 200
    for data in [{}, {"language": "en"}, {"language": "zz"}, {"language": "ru"}]:
        assert client.post("/organisers/petitions/s/texts/remove", data=data).status_code < 500
    for data in [{"language": "zz"}, {"language": ""}, {"language": "ru"}]:
        response = client.post(
            "/organisers/petitions/s/edit", data={"title": "T", "body": "B", **data}
        )
        assert response.status_code < 500, (data, response.status_code)


def test_a_304_keeps_what_the_answer_varies_by(csrf_app: Flask, make_petition) -> None:
    make_petition(slug="s")
    client = csrf_app.test_client()
    # The bare address redirects by the reader's languages; the feed chooses by them.
    for path, varies in [("/petitions/s", True), ("/petitions/s?lang=ru", False), ("/petitions.atom", True)]:  # fmt: skip
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert ("Accept-Language" in (again.headers.get("Vary") or "")) is varies, path
