"""A petition in several languages: versions, what each reader is shown, and who may change them."""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, inspect, select, update

from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import (
    Petition,
    PetitionEvent,
    PetitionText,
    Signature,
    SignatureStatus,
    table_of,
)
from petition.petitions.editing import update_petition
from petition.petitions.history import event_detail
from petition.petitions.publishing import MAX_BODY_LENGTH, MAX_TITLE_LENGTH, PetitionError
from petition.petitions.versions import (
    remove_petition_text,
    save_petition_text,
    text_for,
    texts_for,
)
from petition.transactions import write_transaction
from tests.conftest import PASSWORD, SMTPServer
from tests.core.test_cli import empty_database_app, logging_restored  # noqa: F401 - fixtures
from tests.helpers.checks import must
from tests.helpers.reading import english_words, readable

RUSSIAN_TITLE = "Остановите принудительные выселения"
RUSSIAN_BODY = "Мы призываем город **прекратить** выселять семьи."


@pytest.fixture
def petition(make_petition: Callable[..., Petition]) -> Petition:
    """An English petition (its organiser is organiser@example.org)."""
    return make_petition(slug="evictions")


@pytest.fixture
def with_russian(petition: Petition) -> Petition:
    """The same petition with a Russian version."""
    save_petition_text(
        petition, petition.organisers[0], language="ru", title=RUSSIAN_TITLE, body=RUSSIAN_BODY
    )
    return petition


def events(petition: Petition) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(PetitionEvent)
        .where(PetitionEvent.petition_id == petition.id)
        .order_by(PetitionEvent.id)
    )
    return [(event.action, event_detail(event)) for event in rows]


def logged_in(app: Flask, email: str = "organiser@example.org") -> FlaskClient:
    client = app.test_client()
    response = client.post("/organisers/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def versions_paragraph(page: str) -> str:
    found = re.search(r'<p class="versions">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


# --- the domain ---------------------------------------------------------------------------------


def test_without_versions_every_reader_gets_the_original(petition: Petition) -> None:
    for language in ("en", "ru", "kk", None):
        shown = text_for(petition, language)
        assert (shown.language, shown.title, shown.body) == ("en", petition.title, petition.body)
        assert shown.languages == ("en",) and shown.other_languages == ()


def test_a_version_is_shown_in_its_language_and_listed_in_the_others(with_russian) -> None:
    russian = text_for(with_russian, "ru")
    assert (russian.language, russian.title, russian.body) == ("ru", RUSSIAN_TITLE, RUSSIAN_BODY)
    assert russian.other_languages == ("en",)
    kazakh = text_for(with_russian, "kk")  # no Kazakh version: the original, and what else there is
    assert (kazakh.language, kazakh.title) == ("en", with_russian.title)
    assert kazakh.languages == ("en", "ru") and kazakh.other_languages == ("ru",)
    assert text_for(with_russian, "en").other_languages == ("ru",)
    assert events(with_russian)[-1] == ("version added", "Русский")


def test_texts_for_many_petitions_at_once(with_russian, make_petition) -> None:
    other = make_petition(title="Another petition")
    shown = texts_for([with_russian, other], "ru")
    assert [text.title for text in shown] == [RUSSIAN_TITLE, "Another petition"]
    assert texts_for([], "ru") == []


def test_replacing_and_removing_a_version_are_recorded(with_russian) -> None:
    organiser = with_russian.organisers[0]
    save_petition_text(
        with_russian, organiser, language="ru", title=RUSSIAN_TITLE, body=RUSSIAN_BODY
    )
    assert events(with_russian)[-1][0] == "version added", "saving the same text records nothing"
    save_petition_text(with_russian, organiser, language="ru", title="  Новый заголовок ", body="Б")
    assert text_for(with_russian, "ru").title == "Новый заголовок"
    assert db.session.scalar(select(PetitionText.id).where(PetitionText.language == "ru"))
    assert remove_petition_text(with_russian, organiser, "ru") is True
    assert remove_petition_text(with_russian, organiser, "ru") is False
    assert text_for(with_russian, "ru").language == "en"
    assert [action for action, _ in events(with_russian)][-2:] == [
        "version changed",
        "version removed",
    ]


@pytest.mark.parametrize(
    ("language", "title", "body", "message"),
    [
        ("en", "Заголовок", "Текст", "The petition is written in this language"),
        ("de", "Titel", "Text", "Choose one of the languages"),
        ("ru", " ", "Текст", "A title is one line"),
        ("ru", "Две\nстроки", "Текст", "A title is one line"),
        ("ru", "З" * (MAX_TITLE_LENGTH + 1), "Текст", "A title is one line"),
        ("ru", "Заголовок", "", "The text needs"),
        ("ru", "Заголовок", "т" * (MAX_BODY_LENGTH + 1), "The text needs"),
    ],
)
def test_bad_versions_are_refused_with_a_reason(
    petition: Petition, language: str, title: str, body: str, message: str
) -> None:
    with pytest.raises(PetitionError, match=message):
        save_petition_text(
            petition, petition.organisers[0], language=language, title=title, body=body
        )
    assert db.session.scalar(select(PetitionText.id)) is None


def test_two_organisers_adding_the_same_language_at_once_both_succeed(with_russian) -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite takes the write lock before reading, so the two cannot interleave")
    organiser = with_russian.organisers[0]
    competing: list[int] = []

    def insert_first(session, _context, _instances) -> None:
        # The other organiser's insert commits between our read and our write.
        if competing or not any(isinstance(item, PetitionText) for item in session.new):
            return
        texts = table_of(PetitionText)
        with db.engine.begin() as other:
            competing.append(
                must(
                    other.execute(
                        texts.insert().values(
                            petition_id=with_russian.id,
                            language="kk",
                            title="Бірінші",
                            body="Мәтін",
                        )
                    ).inserted_primary_key
                )[0]
            )

    event.listen(db.session, "before_flush", insert_first)
    try:
        saved = save_petition_text(
            with_russian, organiser, language="kk", title="Екінші", body="Мәтін"
        )
    finally:
        event.remove(db.session, "before_flush", insert_first)
    assert competing and saved.id == competing[0]
    assert text_for(with_russian, "kk").title == "Екінші"  # the later save wins, as in sequence
    assert events(with_russian)[-1] == ("version changed", "Қазақша")


def test_the_original_language_cannot_become_one_that_has_a_version(with_russian) -> None:
    fields = {
        "title": with_russian.title,
        "body": with_russian.body,
        "target": with_russian.target,
        "goal": None,
        "closes_on": None,
        "collects_country": False,
    }
    organiser = with_russian.organisers[0]
    with pytest.raises(PetitionError, match="has a version in that language"):
        update_petition(with_russian, organiser, **fields, language="ru")
    changed = update_petition(with_russian, organiser, **fields, language="kk")
    assert changed.language == "kk"
    assert events(changed)[-1] == ("edited", "Changed language")
    with pytest.raises(PetitionError, match="The language is one of"):
        update_petition(with_russian, organiser, **fields, language="de")


def test_a_petition_is_deleted_with_its_versions(with_russian) -> None:
    with write_transaction() as session:
        session.delete(session.get(Petition, with_russian.id))
    assert db.session.scalar(select(PetitionText.id)) is None


# --- organisers, over HTTP ----------------------------------------------------------------------


def test_an_organiser_adds_a_russian_version_readers_then_see(app: Flask, petition) -> None:
    organiser = logged_in(app)
    page = organiser.get("/organisers/petitions/evictions/")
    assert 'href="/organisers/petitions/evictions/texts"' in page.get_data(as_text=True)

    form = organiser.get("/organisers/petitions/evictions/texts").get_data(as_text=True)
    assert '<option lang="ru" value="ru">Русский</option>' in form
    assert 'value="en"' not in form  # the original's language is not offered
    assert "Only the original so far." in form
    preview = organiser.post(
        "/organisers/petitions/evictions/texts",
        data={"language": "ru", "title": RUSSIAN_TITLE, "body": RUSSIAN_BODY, "action": "preview"},
    )
    assert "<strong>прекратить</strong>" in preview.get_data(as_text=True)
    assert db.session.scalar(select(PetitionText.id)) is None, "a preview saves nothing"
    saved = organiser.post(
        "/organisers/petitions/evictions/texts",
        data={"language": "ru", "title": RUSSIAN_TITLE, "body": RUSSIAN_BODY, "action": "save"},
    )
    assert saved.status_code == 303
    listed = organiser.get(saved.location).get_data(as_text=True)
    assert "Version saved: Русский." in listed and RUSSIAN_TITLE in listed
    edit = organiser.get("/organisers/petitions/evictions/texts?language=ru").get_data(as_text=True)
    assert f'value="{RUSSIAN_TITLE}"' in edit and '<option lang="ru" selected value="ru">' in edit
    history = organiser.get("/organisers/petitions/evictions/").get_data(as_text=True)
    assert "Version added: Русский" in history

    russian = app.test_client().get("/petitions/evictions?lang=ru").get_data(as_text=True)
    assert f"<h1>{RUSSIAN_TITLE}</h1>" in russian  # the page's own language: no lang attribute
    assert "<strong>прекратить</strong>" in russian
    assert f'<meta property="og:title" content="{RUSSIAN_TITLE}">' in russian
    assert "Эта петиция на других языках:" in russian
    assert 'href="/petitions/evictions?lang=en" hreflang="en" lang="en">English<' in (
        versions_paragraph(russian)
    )

    english = app.test_client().get("/petitions/evictions?lang=en").get_data(as_text=True)
    assert "<h1>Stop the forced evictions</h1>" in english and RUSSIAN_TITLE not in english
    assert "This petition in other languages:" in english
    assert (
        'href="/petitions/evictions?lang=ru" hreflang="ru" lang="ru">Русский</a>'
        in versions_paragraph(english)
    )

    removed = organiser.post(
        "/organisers/petitions/evictions/texts/remove", data={"language": "ru"}
    )
    assert removed.status_code == 303
    assert "Version removed: Русский." in organiser.get(removed.location).get_data(as_text=True)
    again = app.test_client().get("/petitions/evictions?lang=ru").get_data(as_text=True)
    assert '<h1 lang="en">Stop the forced evictions</h1>' in again
    assert versions_paragraph(again) == ""
    history = organiser.get("/organisers/petitions/evictions/?lang=ru").get_data(as_text=True)
    assert "Добавлена версия: Русский" in history and "Удалена версия: Русский" in history


def test_the_original_language_is_chosen_on_the_petition_form(app: Flask, make_organiser) -> None:
    make_organiser()
    organiser = logged_in(app)
    form = organiser.get("/organisers/petitions/new").get_data(as_text=True)
    assert '<option lang="kk" value="kk">Қазақша</option>' in form
    created = organiser.post(
        "/organisers/petitions/new",
        data={"title": "Саябақты сақтайық", "body": "Мәтін", "language": "kk"},
    )
    assert created.status_code == 303
    petition = db.session.scalar(select(Petition))
    assert petition is not None
    assert petition.language == "kk"
    texts = organiser.get(f"/organisers/petitions/{petition.slug}/texts").get_data(as_text=True)
    assert 'value="en"' in texts and 'value="kk"' not in texts
    # A reader of Kazakh gets no note; a reader of English is told why the text is in Kazakh.
    kazakh = app.test_client().get(f"/petitions/{petition.slug}?lang=kk").get_data(as_text=True)
    assert "<h1>Саябақты сақтайық</h1>" in kazakh and 'class="hint">Бұл петицияның' not in kazakh
    english = app.test_client().get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    assert '<h1 lang="kk">Саябақты сақтайық</h1>' in english
    assert "so it is shown in the language it was written in" in english
    bad = organiser.post(
        f"/organisers/petitions/{petition.slug}/edit",
        data={"title": "Саябақты сақтайық", "body": "Мәтін", "language": "de"},
    )
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"language": "ru", "title": "", "body": "Текст"},
            "Please give the title in this language.",
        ),
        (
            {"language": "ru", "title": "Заголовок", "body": ""},
            "Please write the text in this language.",
        ),
        (
            {"language": "ru", "title": "З" * 201, "body": "Текст"},
            f"At most {MAX_TITLE_LENGTH} characters.",
        ),
        (
            {"language": "ru", "title": "Заголовок", "body": "t" * (MAX_BODY_LENGTH + 1)},
            f"At most {MAX_BODY_LENGTH:,} characters.",
        ),
        ({"language": "ru", "title": "Две\rстроки", "body": "Текст"}, "on one line"),
        ({"language": "en", "title": "Заголовок", "body": "Текст"}, "Not a valid choice"),
        ({"language": "de", "title": "Titel", "body": "Text"}, "Not a valid choice"),
        ({"title": "Заголовок", "body": "Текст"}, "Not a valid choice"),
    ],
)
def test_a_bad_version_gets_the_form_back_with_a_message(
    app: Flask, petition: Petition, data: dict[str, str], message: str
) -> None:
    response = logged_in(app).post("/organisers/petitions/evictions/texts", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert db.session.scalar(select(PetitionText.id)) is None


def test_form_errors_in_russian_and_kazakh(app: Flask, petition: Petition) -> None:
    organiser = logged_in(app)
    for lang, wanted in (("ru", "Пожалуйста, напишите текст"), ("kk", "Мәтінді осы тілде")):
        response = organiser.post(
            f"/organisers/petitions/evictions/texts?lang={lang}",
            data={"language": "ru", "title": "З" * 201, "body": ""},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and wanted in page
        assert {"ru": "Не более 200 символов.", "kk": "Ең көбі 200 таңба."}[lang] in page


def test_the_edit_form_refuses_an_original_language_that_has_a_version(
    app: Flask, with_russian
) -> None:
    organiser = logged_in(app)
    fields = {"title": with_russian.title, "body": with_russian.body, "language": "ru"}
    response = organiser.post("/organisers/petitions/evictions/edit", data=fields)
    assert response.status_code == 400
    assert "has a version in that language" in response.get_data(as_text=True)
    russian = organiser.post("/organisers/petitions/evictions/edit?lang=ru", data=fields)
    assert "У петиции есть версия на этом языке" in russian.get_data(as_text=True)
    assert must(db.session.get(Petition, with_russian.id)).language == "en"


def test_removing_an_unknown_language_is_a_bad_request(app: Flask, with_russian) -> None:
    response = logged_in(app).post(
        "/organisers/petitions/evictions/texts/remove", data={"language": "xx"}
    )
    assert response.status_code == 400
    assert text_for(with_russian, "ru").language == "ru"


def test_only_the_petitions_organisers_reach_its_versions(
    app: Flask, with_russian, make_organiser
) -> None:
    stranger = app.test_client()
    for method, path in (
        ("GET", "/organisers/petitions/evictions/texts"),
        ("POST", "/organisers/petitions/evictions/texts"),
        ("POST", "/organisers/petitions/evictions/texts/remove"),
    ):
        response = stranger.open(path, method=method, data={"language": "ru"})
        assert response.status_code == 302 and "/organisers/login" in response.location
    make_organiser("other@example.org")
    other = logged_in(app, "other@example.org")
    assert other.get("/organisers/petitions/evictions/texts").status_code == 404
    removed = other.post("/organisers/petitions/evictions/texts/remove", data={"language": "ru"})
    assert removed.status_code == 404
    changed = other.post(
        "/organisers/petitions/evictions/texts",
        data={"language": "ru", "title": "Чужой", "body": "Чужой"},
    )
    assert changed.status_code == 404
    assert text_for(with_russian, "ru").title == RUSSIAN_TITLE


# --- readers ------------------------------------------------------------------------------------


def test_a_kazakh_reader_without_a_kazakh_version_sees_the_original_and_the_list(
    client: FlaskClient, with_russian
) -> None:
    page = client.get(
        "/petitions/evictions", headers={"Accept-Language": "kk"}, follow_redirects=True
    )
    text = page.get_data(as_text=True)
    assert '<html lang="kk">' in text
    assert '<h1 lang="en">Stop the forced evictions</h1>' in text
    assert '<div class="body" lang="en"><p>We call on the city' in text
    assert "Бұл петицияның сіздің тіліңіздегі нұсқасы жоқ" in text
    assert "Бұл петиция басқа тілдерде:" in text
    listed = versions_paragraph(text)
    assert ">Русский</a>" in listed and ">English</a>" not in listed  # English is shown already


def test_link_previews_and_search_engines_learn_of_the_other_versions(
    app: Flask, client: FlaskClient, with_russian
) -> None:
    page = client.get("/petitions/evictions?lang=en").get_data(as_text=True)
    public = app.config["PUBLIC_URL"]
    assert (
        f'<link rel="alternate" hreflang="ru" href="{public}/petitions/evictions?lang=ru">' in page
    )
    assert '<meta property="og:locale" content="en_GB">' in page
    assert '<meta property="og:locale:alternate" content="ru_RU">' in page
    russian = client.get("/petitions/evictions?lang=ru").get_data(as_text=True)
    assert f'hreflang="en" href="{public}/petitions/evictions?lang=en"' in russian
    assert '<meta property="og:locale:alternate" content="en_GB">' in russian


def test_the_list_the_widget_the_feed_and_the_json_follow_the_language(
    client: FlaskClient, with_russian
) -> None:
    index = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert RUSSIAN_TITLE in index and "Stop the forced evictions" not in index
    english_index = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Stop the forced evictions" in english_index
    widget = client.get("/petitions/evictions/embed?lang=ru").get_data(as_text=True)
    assert f"<h1>{RUSSIAN_TITLE}</h1>" in widget
    kazakh_widget = client.get("/petitions/evictions/embed?lang=kk").get_data(as_text=True)
    assert '<h1 lang="en">Stop the forced evictions</h1>' in kazakh_widget

    feed = client.get("/petitions.atom?lang=ru").get_data(as_text=True)
    assert '<entry xml:lang="ru">' in feed and f"<title>{RUSSIAN_TITLE}</title>" in feed
    plain_feed = client.get("/petitions.atom").get_data(as_text=True)
    assert '<entry xml:lang="en">' in plain_feed and RUSSIAN_TITLE not in plain_feed

    page_json = client.get("/petitions/evictions.json?lang=ru").json
    assert page_json is not None
    assert (page_json["title"], page_json["language"], page_json["languages"]) == (
        RUSSIAN_TITLE,
        "ru",
        ["en", "ru"],
    )
    # Shared caches keep the JSON by address: the browser's language does not change it.
    plain = client.get("/petitions/evictions.json", headers={"Accept-Language": "ru"}).json
    assert plain is not None
    assert plain["title"] == "Stop the forced evictions" and plain["language"] == "en"


def test_the_api_gives_the_languages_and_the_text_asked_for(
    client: FlaskClient, with_russian
) -> None:
    one = client.get("/api/v1/petitions/evictions?lang=ru").json
    assert one is not None
    assert (one["title"], one["summary"], one["language"]) == (
        RUSSIAN_TITLE,
        "Мы призываем город прекратить выселять семьи.",
        "ru",
    )
    assert (one["original_language"], one["languages"]) == ("en", ["en", "ru"])
    kazakh = client.get("/api/v1/petitions/evictions?lang=kk").json
    assert kazakh is not None
    assert (kazakh["title"], kazakh["language"]) == ("Stop the forced evictions", "en")
    listed = client.get("/api/v1/petitions?lang=ru&per_page=1").json
    assert listed is not None
    assert listed["petitions"][0]["title"] == RUSSIAN_TITLE
    bad = client.get("/api/v1/petitions/evictions?lang=de")
    assert bad.status_code == 400 and "lang must be one of en, ru, kk." in bad.get_data(
        as_text=True
    )


def test_the_confirmation_uses_the_title_in_the_signers_language(
    client: FlaskClient, with_russian, smtp: SMTPServer
) -> None:
    for email, language in (("ivan@example.org", "ru"), ("aigerim@example.org", "kk")):
        response = client.post(
            "/petitions/evictions/sign",
            data={"name": "Иван Петров", "email": email},
            headers={"Accept-Language": language},
        )
        assert response.status_code == 303
    deliver_due()
    mail = {message["To"]: message for message in smtp.sink.wait_for(2)}
    ivan = mail["ivan@example.org"]
    assert ivan["Subject"] == f"Подтвердите свою подпись: {RUSSIAN_TITLE}"
    plain = must(ivan.get_body(("plain",))).get_content()
    assert RUSSIAN_TITLE in plain and "Stop the forced evictions" not in plain
    assert RUSSIAN_TITLE in must(ivan.get_body(("html",))).get_content()
    # No Kazakh version: the Kazakh message names the petition by its original title.
    assert mail["aigerim@example.org"]["Subject"] == "Қолыңызды растаңыз: Stop the forced evictions"

    with write_transaction() as session:
        session.execute(
            update(Signature)
            .where(Signature.email == "ivan@example.org")
            .values(status=SignatureStatus.CONFIRMED, confirmed_at=with_russian.created_at)
        )
    again = client.post(
        "/petitions/evictions/sign",
        data={"name": "Иван Петров", "email": "ivan@example.org"},
        headers={"Accept-Language": "ru"},
    )
    assert again.status_code == 303
    deliver_due()
    repeat = smtp.sink.wait_for(3)[2]
    assert repeat["Subject"] == f"Вы уже подписали: {RUSSIAN_TITLE}"
    assert RUSSIAN_TITLE in must(repeat.get_body(("plain",))).get_content()


# --- the organiser's page read in Russian or Kazakh: no English left ------------------------------


ALLOWED = {"English", "Markdown"}


def english_left(page: str) -> set[str]:
    return english_words(readable(page), ALLOWED)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_versions_page_has_no_english_left(app: Flask, make_petition, lang: str) -> None:
    from petition.organisers.accounts import set_organiser_password

    organiser = set_organiser_password("organiser@example.org", PASSWORD)
    petition = make_petition(
        title="Сохраним парк", body="Текст петиции.", target="Акимат", organiser=organiser
    )
    save_petition_text(petition, organiser, language="kk", title="Саябақ", body="Мәтін")
    client = logged_in(app)
    page = client.get(f"/organisers/petitions/{petition.slug}/texts?lang={lang}")
    assert english_left(page.get_data(as_text=True)) == set()
    errors = client.post(
        f"/organisers/petitions/{petition.slug}/texts?lang={lang}",
        data={"language": "kk", "title": "", "body": ""},
    )
    assert errors.status_code == 400
    assert english_left(errors.get_data(as_text=True)) == set()


# --- the migration ------------------------------------------------------------------------------


def test_the_migration_upgrades_and_downgrades(empty_database_app: Flask) -> None:  # noqa: F811
    runner = empty_database_app.test_cli_runner()
    with empty_database_app.app_context():
        before = runner.invoke(args=["db", "upgrade", "0b6e3c1d8a52"])
        assert before.exit_code == 0, before.output
        db.session.execute(
            db.text(
                "INSERT INTO petitions (slug, title, body, collects_country, created_at,"
                " signature_count, blocks_disposable)"
                " VALUES ('old', 'Old', 'Text', false, CURRENT_TIMESTAMP, 0, false)"
            )
        )
        db.session.commit()
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert "petition_texts" in inspect(db.engine).get_table_names()
        assert db.session.scalar(db.text("SELECT language FROM petitions")) == "en"
        check = runner.invoke(args=["db", "check"])
        assert check.exit_code == 0, check.output
        db.session.commit()
        downgrade = runner.invoke(args=["db", "downgrade", "0b6e3c1d8a52"])
        assert downgrade.exit_code == 0, downgrade.output
        db.session.remove()
        db.engine.dispose()
        tables = inspect(db.engine)
        assert "petition_texts" not in tables.get_table_names()
        assert "language" not in {column["name"] for column in tables.get_columns("petitions")}
        assert db.session.scalar(db.text("SELECT title FROM petitions")) == "Old"
        db.session.execute(db.text("DELETE FROM petitions"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
