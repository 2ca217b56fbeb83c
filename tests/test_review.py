import re
from collections.abc import Callable

import pytest
from flask import Flask

from petition.petition_texts import save_petition_text


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_switcher_links_under_script_root(csrf_app, make_petition):
    make_petition(slug="stop-evictions")
    client = csrf_app.test_client()
    page = client.get("/petitions/stop-evictions", base_url="http://localhost/p/").text
    links = re.findall(r'<a href="([^"]+)" hreflang="(?:en|ru|kk)" lang=', page)
    print(links)
    assert all(link.startswith("/p/") for link in links), links


def test_switcher_links_under_script_root_index(csrf_app, make_petition):
    client = csrf_app.test_client()
    page = client.get("/", base_url="http://localhost/p/").text
    links = re.findall(r'<a href="([^"]+)" hreflang="(?:en|ru|kk)" lang=', page)
    assert all(link.startswith("/p/") for link in links), links


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
def test_no_500_on_odd_language_inputs(csrf_app, make_petition, headers, query):
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


from sqlalchemy import inspect  # noqa: E402
from petition.extensions import db  # noqa: E402
from tests.test_cli import empty_database_app, logging_restored  # noqa: E402,F401


def test_review_migrations_round_trip(empty_database_app):  # noqa: F811
    runner = empty_database_app.test_cli_runner()
    with empty_database_app.app_context():
        for args in (
            ["db", "upgrade"],
            ["db", "downgrade", "5c1d2e7f9a40"],
            ["db", "upgrade"],
            ["db", "check"],
            ["db", "downgrade", "base"],
            ["db", "upgrade"],
            ["db", "check"],
        ):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output)
            db.session.remove()
            db.engine.dispose()
        assert "language" in {c["name"] for c in inspect(db.engine).get_columns("signatures")}


def test_review_cli_help(app):
    runner = app.test_cli_runner()
    for args in (
        ["--help"],
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["db", "current"],
        ["db", "-d", "x", "current"],
    ):
        result = runner.invoke(args=args)
        print(args, result.exit_code, result.output[:200], result.exception)


def test_review_snapshot_page_equals_model_page(app, make_petition):
    from petition.forms import SignForm
    from petition.snapshots import public_snapshot
    from petition.views.pages import petition_page
    from petition.models import Petition
    from petition.signing import sign_petition, confirm_signature, confirmation_token
    from petition.models import Signature
    from sqlalchemy import select
    from datetime import timedelta
    from petition.models import utcnow

    p = make_petition(
        slug="s", goal=10, closes_on=(utcnow() + timedelta(days=3)).date(), collects_country=True
    )
    sign_petition(p, name="Ann Lee", email="a@example.org", show_name=True, country="KZ")
    s = db.session.scalars(select(Signature)).first()
    confirm_signature(confirmation_token(s))
    with app.test_request_context("/petitions/s?lang=ru"):
        a = petition_page(db.session.get(Petition, p.id), SignForm(collects_country=True))
        b = petition_page(public_snapshot("s", keep=False), SignForm(collects_country=True))
    import difflib

    print("\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="")))
    assert a == b


def test_review_kept_page_per_script_root(csrf_app, make_petition):
    make_petition(slug="stop-evictions")
    client = csrf_app.test_client()
    prefixed = client.get("/petitions/stop-evictions", base_url="http://localhost/p/").text
    plain = client.get("/petitions/stop-evictions").text
    assert 'href="/p/static/site.css' in prefixed
    assert 'href="/static/site.css' in plain


def test_review_protocol_relative_switcher(csrf_app, make_petition):
    make_petition(slug="stop-evictions")
    client = csrf_app.test_client()
    for path in ["//privacy/x", "//petitions/stop-evictions/x", "//petitions.atom/x"]:
        r = client.get("/", environ_overrides={"PATH_INFO": path})
        links = re.findall(r'<a href="([^"]+)" hreflang="(?:en|ru|kk)" lang=', r.text)
        print(path, r.status_code, links)


def test_review_resend_in_signers_language(app, make_petition):
    from petition.models import OutboxMessage, Organiser
    from petition.reminders import resend_confirmations
    from petition.signing import sign_petition
    from sqlalchemy import select, delete

    p = make_petition(slug="s")
    organiser = db.session.scalars(select(Organiser)).first()
    save_petition_text(p, organiser, language="kk", title="Саябақ", body="Мәтін")
    sign_petition(p, name="Ann", email="a@example.org", language="ru")
    sign_petition(p, name="Bek", email="b@example.org", language="kk")
    first = [
        m.subject for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]
    print(first)
    db.session.execute(delete(OutboxMessage))
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        resend_confirmations(p, organiser)
    subjects = [
        m.subject for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]
    print(subjects)
    assert subjects == first


def test_review_sign_after_another_process_hid_the_petition(app, make_petition):
    import sqlite3

    p = make_petition(slug="s")
    client = app.test_client()
    assert client.get("/petitions/s").status_code == 200  # this process keeps a copy
    # Another process hides it (a raw connection: no SQLAlchemy events in this process).
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    raw = sqlite3.connect(path)
    raw.execute("UPDATE petitions SET hidden_at = CURRENT_TIMESTAMP WHERE slug = 's'")
    raw.commit()
    raw.close()
    response = client.post("/petitions/s/sign", data={"name": "Ann", "email": "ann@example.org"})
    print(
        response.status_code,
        "Stop the forced evictions" in response.text,
        'name="email"' in response.text,
        "no longer accepts" in response.text,
    )
    assert response.status_code == 404 or "Stop the forced evictions" not in response.text


def test_review_embed_in_kazakh_signs_in_kazakh(app, make_petition):
    from petition.models import Signature
    from sqlalchemy import select

    make_petition(slug="s")
    widget = app.test_client().get("/petitions/s/embed?lang=kk", headers={"Accept-Language": "en"})
    assert '<html lang="kk">' in widget.text
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', widget.text).group(1)
    # Inside another site's frame the browser sends no cookie of ours (SameSite=Lax).
    action = re.search(r'<form method="post" action="([^"]+)"', widget.text).group(1)
    post = app.test_client().post(
        action.replace("&amp;", "&"),
        data={"form_token": token, "name": "Ann", "email": "ann@example.org"},
        headers={"Origin": "http://localhost", "Accept-Language": "en"},
    )
    assert post.status_code == 303, post.text[:300]
    print(post.headers["Location"])
    assert db.session.scalars(select(Signature)).one().language == "kk"


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_review_email_escaping(app, make_petition, language):
    from petition.models import OutboxMessage
    from petition.signing import sign_petition
    from sqlalchemy import select

    p = make_petition(slug="s", title="Tom & Jerry <b>x</b> 100%", target="A & B")
    sign_petition(p, name="Ann & <i>Co</i>", email="a@example.org", language=language)
    m = db.session.scalars(select(OutboxMessage)).one()
    print(m.subject)
    assert "&amp;" not in m.subject and "&amp;" not in m.body_text, m.body_text
    assert "<b>" not in m.body_html and "&amp;amp;" not in m.body_html
    assert "Tom &amp; Jerry" in m.body_html


def test_review_texts_forms_no_500(app, make_petition):
    from tests.test_petition_texts import logged_in

    make_petition(slug="s")
    client = logged_in(app)
    cases = [
        {},
        {"language": "en", "title": "T", "body": "B"},
        {"language": "xx", "title": "T", "body": "B"},
        {"language": "ru", "title": "T" * 500, "body": "B"},
        {"language": "ru", "title": "a\nb", "body": "B"},
        {"language": "ru", "title": " ", "body": " "},
        {"language": ["ru", "kk"], "title": "T", "body": "B"},
        {"language": "ru", "title": "T", "body": "B" * 200000},
        {"language": "ru", "title": "T", "body": "B", "action": "preview"},
    ]
    for data in cases:
        r = client.post("/organisers/petitions/s/texts", data=data)
        assert r.status_code < 500, (data, r.status_code)
    for q in ["?language=ru", "?language=zz", "?language=en", "?language="]:
        assert client.get("/organisers/petitions/s/texts" + q).status_code == 200
    for data in [{}, {"language": "en"}, {"language": "zz"}, {"language": "ru"}]:
        assert client.post("/organisers/petitions/s/texts/remove", data=data).status_code < 500
    for data in [{"language": "zz"}, {"language": ""}, {"language": "ru"}]:
        r = client.post("/organisers/petitions/s/edit", data={"title": "T", "body": "B", **data})
        assert r.status_code < 500, (data, r.status_code)


def test_review_reads_own_writes(csrf_app, make_petition):
    from petition.editing import change_state, update_petition, StateChange
    from petition.models import Organiser, Petition
    from petition.petitions import close_petition
    from sqlalchemy import select

    p = make_petition(slug="s")
    organiser = db.session.scalars(select(Organiser)).first()
    c = csrf_app.test_client()
    assert "Stop the forced evictions" in c.get("/petitions/s?lang=ru").text
    c.get("/petitions/s.json?lang=ru")
    save_petition_text(p, organiser, language="ru", title="Остановите", body="Текст")
    assert "Остановите" in c.get("/petitions/s?lang=ru").text
    assert "Остановите" in c.get("/petitions/s.json?lang=ru").get_json()["title"]
    update_petition(
        db.session.get(Petition, p.id),
        organiser,
        title="New title",
        body="B",
        target=None,
        goal=None,
        closes_on=None,
        collects_country=False,
    )
    assert "New title" in c.get("/petitions/s?lang=en").text
    close_petition("s")
    assert "no longer accepts" in c.get("/petitions/s").text
    assert '"open":false' in c.get("/petitions/s.json").text
    change_state(db.session.get(Petition, p.id), organiser, StateChange.HIDE)
    assert c.get("/petitions/s").status_code == 404
    assert c.get("/petitions/s.json").status_code == 404


def test_review_hide_racing_a_read_leaves_no_copy(app, make_petition):
    from sqlalchemy import event, text
    from petition import snapshots

    make_petition(slug="s")
    engine = db.engine
    fired = []

    def hide_meanwhile(conn, cursor, statement, params, context, executemany):
        if "hidden_at IS NULL" in statement and not fired:
            fired.append(1)
            with engine.begin() as other:  # another request's thread hides it now
                other.execute(text("UPDATE petitions SET hidden_at = CURRENT_TIMESTAMP"))

    event.listen(engine, "after_cursor_execute", hide_meanwhile)
    try:
        assert snapshots.public_snapshot("s") is not None  # read before the hide committed
    finally:
        event.remove(engine, "after_cursor_execute", hide_meanwhile)
    assert fired
    db.session.rollback()
    assert app.test_client().get("/petitions/s").status_code == 404, "hidden, yet still served"


def test_review_304_headers(csrf_app, make_petition):
    make_petition(slug="s")
    c = csrf_app.test_client()
    for path in ["/petitions/s", "/petitions/s?lang=ru", "/petitions.atom"]:
        first = c.get(path)
        again = c.get(path, headers={"If-None-Match": first.headers["ETag"]})
        print(
            path,
            again.status_code,
            again.headers.get("Vary"),
            again.headers.get("Cache-Control"),
            again.headers.get("Set-Cookie"),
        )
        assert again.status_code == 304
        assert "Accept-Language" in (again.headers.get("Vary") or "")
