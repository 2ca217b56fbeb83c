"""The signer's side in Russian and Kazakh: every page, the widget, the error pages and the mail.

Each page is rendered with Cyrillic petition content, so any English word left in what a reader
sees or hears (text, aria-label, title, alt, placeholder, link-preview texts) is one we forgot.
"""

import re
import time
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from playwright.sync_api import Browser, expect

from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import Petition, Signature, utcnow
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing.links import confirmation_token, withdrawal_token
from petition.transactions import write_transaction
from petition.views.errors import MESSAGES
from petition.web.embedding import embed_snippet
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must
from tests.helpers.reading import english_words, readable
from tests.helpers.signing import sign, signature_of

LANGUAGES = ["ru", "kk"]
PETITION: dict[str, Any] = {
    "title": "Сохраним парк у реки",
    "body": "Мы просим **не строить** парковку на лугу.\n\nПарк нужен всем.",
    "target": "Акимат Алматы",
    "slug": "park",
    "goal": 100,
    "closes_on": date(2031, 3, 8),
}
SIGNER = {"name": "Айгерим Нурланова", "email": "aigerim@example.org"}
# Words a translated page may still show in Latin letters: brands and the switcher's "English".
ALLOWED = {"English", "Telegram", "WhatsApp", "Facebook"}
# What each language calls 1, 2 and 5 verified signatures.
COUNTS = {
    "ru": {
        1: "1 подтверждённая подпись",
        2: "2 подтверждённые подписи",
        5: "5 подтверждённых подписей",
        21: "21 подтверждённая подпись",
        12345: "12\xa0345 подтверждённых подписей",
    },
    "kk": {
        1: "1 расталған қолтаңба",
        2: "2 расталған қолтаңба",
        5: "5 расталған қолтаңба",
        12345: "12\xa0345 расталған қолтаңба",
    },
}
LABELS = {
    "ru": {
        "one": "подтверждённая подпись",
        "few": "подтверждённые подписи",
        "many": "подтверждённых подписей",
    },
    "kk": {"one": "расталған қолтаңба", "other": "расталған қолтаңба"},
    "en": {"one": "verified signature", "other": "verified signatures"},
}


def english_leftovers(text: str) -> set[str]:
    """Latin words of three letters or more, once addresses and links are taken out."""
    return english_words(text, ALLOWED)


def assert_translated(html: str, language: str) -> str:
    """The page is in the language, with no English left; returns its readable text."""
    assert f'<html lang="{language}">' in html
    text = readable(html)
    assert not english_leftovers(text), (english_leftovers(text), text)
    return text


@pytest.fixture
def petition(make_petition) -> Petition:
    return make_petition(**PETITION, collects_country=True)


def sign_in_language(client: FlaskClient, language: str, email: str = SIGNER["email"]) -> None:
    """Sign the park petition from Kazakhstan, reading it in `language`."""
    response = sign(
        client, "park", name=SIGNER["name"], email=email, query=f"?lang={language}", country="KZ"
    )
    assert response.status_code == 303


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_signer_page_is_translated(
    client: FlaskClient, petition: Petition, language: str
) -> None:
    q = f"?lang={language}"
    pages = {
        "home": client.get(f"/{q}"),
        "petition": client.get(f"/petitions/park{q}"),
        "privacy": client.get(f"/privacy{q}"),
        "invalid link": client.get(f"/confirm/not-a-token{q}"),
    }
    sign_in_language(client, language)
    pages["check email"] = client.get(f"/petitions/park/check-email{q}")
    signature = signature_of(SIGNER["email"])
    signature.show_name = True
    db.session.commit()
    confirm, withdraw = confirmation_token(signature), withdrawal_token(signature)
    pages["confirm"] = client.get(f"/confirm/{confirm}{q}")
    pages["confirmed"] = client.post(f"/confirm/{confirm}{q}", follow_redirects=True)
    pages["petition with signers"] = client.get(f"/petitions/park{q}")
    pages["withdraw"] = client.get(f"/withdraw/{withdraw}{q}")
    pages["withdrawn"] = client.post(f"/withdraw/{withdraw}{q}")
    pages["withdrawn again"] = client.post(f"/withdraw/{withdraw}{q}")
    for name, response in pages.items():
        assert response.status_code in {200, 400}, name
        assert_translated(response.get_data(as_text=True), language)
    petition_text = readable(pages["petition with signers"].get_data(as_text=True))
    assert "Айгерим" in petition_text and "Нурланова" not in petition_text
    assert ("Казахстан" if language == "ru" else "Қазақстан") in petition_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_expired_and_closed_link_pages_are_translated(
    app: Flask, client: FlaskClient, petition: Petition, language: str, monkeypatch
) -> None:
    issued = time.time() - app.config["CONFIRMATION_MAX_AGE"] - 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued)
    expired = confirmation_token(Signature(id=1, petition_id=petition.id))
    monkeypatch.undo()
    page = client.get(f"/confirm/{expired}?lang={language}")
    assert page.status_code == 410
    assert "Сохраним парк у реки" in assert_translated(page.get_data(as_text=True), language)

    sign_in_language(client, language)
    signature = signature_of(SIGNER["email"])
    signature.created_at = utcnow() - timedelta(days=3)
    must(db.session.get(Petition, petition.id)).closes_at = utcnow() - timedelta(days=2)
    db.session.commit()
    closed = client.post(f"/confirm/{confirmation_token(signature)}?lang={language}")
    assert closed.status_code == 410
    assert_translated(closed.get_data(as_text=True), language)
    after = client.get(f"/petitions/park?lang={language}").get_data(as_text=True)
    assert_translated(after, language)
    embedded = client.get(f"/petitions/park/embed?lang={language}").get_data(as_text=True)
    assert_translated(embedded, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_widget_is_translated(make_app, petition: Petition, language: str) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()  # so the form token is checked
    q = f"?lang={language}"
    widget = client.get(f"/petitions/park/embed{q}").get_data(as_text=True)
    assert_translated(widget, language)
    stale = client.post(f"/petitions/park/embed/sign{q}", data={"name": "", "email": "x"})
    assert stale.status_code == 400
    text = assert_translated(stale.get_data(as_text=True), language)
    assert {"ru": "Форма была открыта", "kk": "Форма тым ұзақ"}[language] in text
    check = client.get(f"/petitions/park/embed/check-email{q}").get_data(as_text=True)
    assert_translated(check, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_translated(client: FlaskClient, petition: Petition, language: str) -> None:
    response = client.post(
        f"/petitions/park/sign?lang={language}",
        data={"name": "", "email": "not-an-address", "country": "XX"},
    )
    assert response.status_code == 400
    text = assert_translated(response.get_data(as_text=True), language)
    expected = {
        "ru": [
            "Есть ошибка",
            "Введите своё имя.",
            "Проверьте адрес электронной почты. В адресе есть один знак @",
        ],
        "kk": [
            "Қате бар",
            "Атыңызды енгізіңіз.",
            "Электрондық пошта мекенжайыңызды тексеріңіз. Мекенжайда бір @ белгісі болады",
        ],
    }[language]
    for message in expected:
        assert message in text
    one = client.post(
        f"/petitions/park/sign?lang={language}",
        data=SIGNER | {"email": "айгерим@пример.рф", "country": "KZ"},
    )
    one_text = assert_translated(one.get_data(as_text=True), language)
    assert {"ru": "Ошибка: ", "kk": "Қате: "}[language] in one_text  # the page's title
    assert {"ru": "До знака @ используйте", "kk": "@ белгісіне дейін"}[language] in one_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_counts_take_the_right_plural_form(
    client: FlaskClient, petition: Petition, language: str
) -> None:
    for count, words in COUNTS[language].items():
        must(db.session.get(Petition, petition.id)).signature_count = count
        db.session.commit()
        for path in ("/", "/petitions/park", "/petitions/park/embed"):
            text = readable(client.get(f"{path}?lang={language}").get_data(as_text=True))
            assert words in text, (path, count, text)
    page = client.get(f"/petitions/park?lang={language}").get_data(as_text=True)
    assert {"ru": "из\xa0100 необходимых", "kk": "(мақсат:\xa0100)"}[language] in readable(page)
    # CLDR's long dates keep "2031 г." together with a narrow no-break space.
    day = {"ru": "Открыта до 8 марта 2031\u202fг.", "kk": "2031\u202fж. 8 наурыз"}[language]
    assert day in readable(page)


@pytest.mark.parametrize("language", [*LANGUAGES, "en"])
def test_the_live_counter_gets_the_words_for_every_plural_category(
    client: FlaskClient, petition: Petition, language: str
) -> None:
    page = client.get(f"/petitions/park?lang={language}").get_data(as_text=True)
    label = must(re.search(r"<span data-count-label([^>]*)>", page)).group(1)
    assert dict(re.findall(r'data-label-(\w+)="([^"]*)"', label)) == LABELS[language]


@pytest.mark.parametrize(
    ("days", "words"),
    [(1, "через 1 день."), (2, "через 2 дня."), (5, "через 5 дней."), (21, "через 21 день.")],
)
def test_the_privacy_page_counts_days_in_russian(make_app, days: int, words: str) -> None:
    client = make_app(UNCONFIRMED_RETENTION_DAYS=days).test_client()
    assert words in readable(client.get("/privacy?lang=ru").get_data(as_text=True))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_error_page_is_translated(make_app, language: str, code: int) -> None:
    app = make_app()  # its own: a route is added to it
    app.add_url_rule("/fail/<int:code>", "fail", lambda code: abort(code))
    response = app.test_client().get(f"/fail/{code}?lang={language}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert_translated(page, language)
    heading = must(re.search(r"<h1>(.*?)</h1>", page)).group(1)
    assert re.fullmatch(r"[А-Яа-яЁёӘәІіҢңҒғҮүҰұҚқӨөҺһ ,:.!-]+", heading), heading


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_not_found_and_expired_form_pages_are_translated(
    make_app, petition: Petition, language: str
) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    missing = client.get(f"/petitions/nothing-here?lang={language}")
    assert missing.status_code == 404
    assert_translated(missing.get_data(as_text=True), language)
    forged = client.post(f"/petitions/park/sign?lang={language}", data=SIGNER)
    assert forged.status_code == 400
    text = assert_translated(forged.get_data(as_text=True), language)
    assert {"ru": "Форма была открыта", "kk": "Форма тым ұзақ"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_link_previews_and_the_feed_are_translated(
    app: Flask, client: FlaskClient, petition: Petition, language: str
) -> None:
    page = client.get(f"/petitions/park?lang={language}").get_data(as_text=True)
    site = {"ru": "Петиции", "kk": "Петициялар"}[language]
    assert f'<meta property="og:site_name" content="{site}">' in page
    assert {"ru": 'content="ru_RU"', "kk": 'content="kk_KZ"'}[language] in page
    feed = client.get(f"/petitions.atom?lang={language}")
    assert "Accept-Language" in feed.headers["Vary"]
    xml = feed.get_data(as_text=True)
    assert f'xml:lang="{language}"' in xml and f"<name>{site}</name>" in xml
    assert {"ru": "<title>Открытые петиции</title>", "kk": "<title>Ашық петициялар</title>"}[
        language
    ] in xml
    # The embed code's frame title speaks the petition's language, not its organiser's.
    petition.language = language
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        snippet = embed_snippet(petition)
    sign = {"ru": "Подпишите петицию", "kk": "Петицияға қол қойыңыз"}[language]
    assert f'title="{sign}: Сохраним парк у реки"' in snippet


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = must(message.get_body(("plain",))).get_content()
    html = must(message.get_body(("html",))).get_content()
    return text, html


def _assert_mail_in(message: EmailMessage, language: str) -> str:
    text, html = _parts(message)
    assert f'<html lang="{language}">' in html
    for part in (text, readable(html)):
        assert not english_leftovers(part), (english_leftovers(part), part)
    return text


@pytest.mark.parametrize(("first", "then"), [("ru", "kk"), ("kk", "ru")])
def test_both_emails_arrive_in_the_language_of_the_signature(
    client: FlaskClient, petition: Petition, smtp: SMTPServer, first: str, then: str
) -> None:
    sign_in_language(client, first)
    assert signature_of(SIGNER["email"]).language == first
    deliver_due()
    [confirm] = smtp.sink.wait_for(1)
    subject = {"ru": "Подтвердите свою подпись", "kk": "Қолыңызды растаңыз"}[first]
    assert confirm["Subject"] == f"{subject}: Сохраним парк у реки"
    text = _assert_mail_in(confirm, first)
    greeting = {"ru": "Здравствуйте, Айгерим Нурланова!", "kk": "Сәлеметсіз бе, Айгерим Нурланова!"}
    assert greeting[first] in text
    assert {"ru": "«Подтвердить подпись»", "kk": "«Қолымды растау»"}[first] in text
    path = must(re.search(r"https://petitions\.example\.org(/confirm/\S+)", text)).group(1)
    assert client.post(path, follow_redirects=True).status_code == 200

    sign_in_language(client, then)  # signing again, now reading the other language
    # The note is written in the language used now; what is stored stays as the signer left it.
    assert signature_of(SIGNER["email"]).language == first
    deliver_due()
    already = smtp.sink.wait_for(2)[1]
    subject = {"ru": "Вы уже подписали", "kk": "Сіз қол қойып қойғансыз"}[then]
    assert already["Subject"] == f"{subject}: Сохраним парк у реки"
    text = _assert_mail_in(already, then)
    assert greeting[then] in text
    assert "/withdraw/" in text


@pytest.mark.browser
def test_the_live_counter_speaks_russian_as_the_count_changes(
    live_server: LiveServer, browser: Browser
) -> None:
    with live_server.app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        petition_id = create_petition(
            **{k: v for k, v in PETITION.items() if k != "closes_on"}, organiser=organiser
        ).id

    def count_becomes(number: int) -> None:
        # A writer's transaction, as the app's own: a plain one that reads first cannot wait for
        # the server's outbox thread, which takes the write lock a moment on every poll.
        with live_server.app.app_context(), write_transaction() as session:
            session.get_one(Petition, petition_id).signature_count = number

    # Each refresh must reach the server: the browser would otherwise reuse the JSON it has.
    live_server.app.config.update(PAGE_CACHE_MAX_AGE=0, PAGE_CACHE_STALE_WHILE_REVALIDATE=0)
    count_becomes(1)
    page = browser.new_context(reduced_motion="reduce").new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/petitions/park?lang=ru")
    counter = page.locator(".count")
    expect(counter).to_contain_text("1 подтверждённая подпись из\xa0100 необходимых")
    for number, words in [(2, "подтверждённые подписи"), (5, "подтверждённых подписей"),
                          (21, "подтверждённая подпись"), (12345, "подтверждённых подписей")]:  # fmt: skip
        count_becomes(number)
        page.clock.run_for(30_000)
        expect(page.locator("[data-count-label]")).to_have_text(words)
        # The browser writes the number the Russian way too: 12 345.
        expect(page.locator("[data-count]")).to_have_text(f"{number:,}".replace(",", "\xa0"))
