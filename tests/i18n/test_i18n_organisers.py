"""The organiser's side in Russian and Kazakh: pages, forms, flashes, history, mail and the PDF.

Each page is rendered with Cyrillic petition content and Cyrillic signers, so any English word
left in what an organiser sees or hears (text, aria-label, title, alt, placeholder) is one we forgot.
"""

import io
import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from petition import tokens
from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import LoginFailures, Organiser, Petition, Signature, utcnow
from petition.moderation.invalidations import Criteria, invalidate
from petition.organisers.accounts import set_organiser_password
from petition.organisers.invitations import invite_organiser
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.web.clients import attempt_hash
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.checks import must
from tests.helpers.reading import ENGLISH_WORD, english_words, readable

LANGUAGES = ["ru", "kk"]
PETITION = {
    "title": "Сохраним сквер на Абая",
    "body": "Мы просим **не вырубать** деревья в сквере.\n\nСквер нужен всем жителям.",
    "target": "Акимат Алматы",
    "slug": "skver",
    "goal": 1000,
    "closes_on": date(2031, 3, 8),
    "collects_country": True,
}
ORGANISER = "organiser@example.org"
# Latin words a translated organiser page may still show: brands, formats, standards, the
# switcher's "English", and the sample patterns of the moderation hints (example.org, *test*).
ALLOWED = {"English", "Telegram", "WhatsApp", "Facebook", "CSV", "JSON", "PDF", "SVG", "PNG"}
ALLOWED |= {"Excel", "xlsx", "LibreOffice", "Markdown", "UTC", "example", "org", "test"}


def english_left(page: str) -> set[str]:
    """English words of three or more letters a reader of this page meets, beyond the allowed."""
    return english_words(readable(page, hidden=frozenset({"script", "style", "textarea"})), ALLOWED)


def add_signature(
    petition: Petition, name: str, email: str, *, confirm: bool, address: str
) -> None:
    sign_petition(petition, name=name, email=email, client_address=address, country="KZ")
    if confirm:
        signature = db.session.scalar(select(Signature).filter_by(email=email))
        assert signature is not None
        confirm_signature(confirmation_token(signature))


@pytest.fixture
def petition(make_petition) -> Petition:
    """A Cyrillic petition with confirmed, pending and held signatures and some history."""
    petition = make_petition(**PETITION)
    add_signature(
        petition, "Айгерим Нурланова", "aigerim@example.org", confirm=True, address="192.0.2.1"
    )
    add_signature(
        petition, "Болат Сериков", "bolat@example.net", confirm=False, address="198.51.100.9"
    )
    for n in range(3):
        add_signature(
            petition, f"Бот {n}", f"bot{n}@spam.example", confirm=n < 2, address="203.0.113.5"
        )
    organiser = db.session.scalar(select(Organiser).filter_by(email=ORGANISER))
    assert organiser is not None
    invalidate(
        petition, Criteria(domain="spam.example"), organiser=organiser, reason="Накрутка с домена"
    )
    return petition


def in_language(client: FlaskClient, language: str) -> FlaskClient:
    """Choose the language with the switcher, as an organiser would; it is remembered."""
    assert client.get(f"/?lang={language}").status_code == 200
    return client


def logged_in(client: FlaskClient, language: str) -> FlaskClient:
    in_language(client, language)
    client.post("/organisers/login", data={"email": ORGANISER, "password": PASSWORD})
    return client


def text_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_organiser_page_is_in_the_language(
    client: FlaskClient, petition: Petition, language: str
) -> None:
    login = text_of(in_language(client, language), "/organisers/login")
    assert english_left(login) == set(), "login"
    logged_in(client, language)
    base = f"/organisers/petitions/{petition.slug}"
    client.get(f"{base}/export.csv")  # an export in the log
    client.post(f"{base}/edit", data={"title": petition.title, "body": "Новый текст сквера."})
    client.post(f"{base}/invite", data={"email": "colleague@example.org"})
    pages = {
        "dashboard": "/organisers/",
        "petition": f"{base}/",
        "new": "/organisers/petitions/new",
        "edit": f"{base}/edit",
        "password": "/organisers/password",
        "activity": f"{base}/activity/",
    }
    for name, url in pages.items():
        assert english_left(text_of(client, url)) == set(), name
    preview = client.post(
        f"{base}/activity/preview", data={"domain": "example.org", "reason": "Да"}
    )
    assert english_left(preview.get_data(as_text=True)) == set(), "preview"
    missing = text_of(client, "/organisers/petitions/net/", 404)
    assert english_left(missing) == set(), "not found"
    # The same page in English is full of the words the check looks for.
    assert {"Figures", "History", "Verified"} <= english_left(text_of(client, f"{base}/?lang=en"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_invitation_pages_are_in_the_language(
    client: FlaskClient, petition: Petition, app, language: str
) -> None:
    in_language(client, language)
    invitation = invite_organiser(petition, petition.organisers[0], "new@example.org")
    token = tokens.make_token(
        app.config["SECRET_KEY"], tokens.INVITE_ORGANISER, [invitation.id, invitation.secret]
    )
    page = text_of(client, f"/organisers/invitations/{token}")
    assert english_left(page) == set() and "Сохраним сквер на Абая" in page
    refused = client.post(f"/organisers/invitations/{token}", data={"password": "short"})
    assert refused.status_code == 400 and english_left(refused.get_data(as_text=True)) == set()
    expected = {"ru": "От 10 до 1024 символов.", "kk": "10-ден 1024 таңбаға дейін."}
    assert expected[language] in refused.get_data(as_text=True)
    invalid = text_of(client, "/organisers/invitations/broken", 400)
    assert english_left(invalid) == set()
    chosen = "пароль достаточной длины"
    joined = client.post(
        f"/organisers/invitations/{token}", data={"password": chosen, "repeat": chosen}
    )
    assert joined.status_code == 303
    assert english_left(text_of(client, f"/organisers/invitations/{token}", 410)) == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_team_changes_are_in_the_language(
    client: FlaskClient, petition: Petition, language: str
) -> None:
    logged_in(client, language)
    base = f"/organisers/petitions/{petition.slug}"
    last = client.post(f"{base}/leave")
    assert last.status_code == 409 and english_left(last.get_data(as_text=True)) == set()
    colleague = set_organiser_password("colleague@example.org", PASSWORD)
    petition.organisers.append(colleague)
    db.session.commit()
    client.post(f"{base}/invite", data={"email": "friend@example.org"})
    page = text_of(client, f"{base}/")
    assert english_left(page) == set(), "team with a colleague and an invitation"
    invitation_id = must(re.search(r"/invitations/(\d+)/withdraw", page))[1]
    withdrawn = client.post(f"{base}/invitations/{invitation_id}/withdraw", follow_redirects=True)
    assert english_left(withdrawn.get_data(as_text=True)) == set(), "withdrawn"
    removed = client.post(f"{base}/organisers/{colleague.id}/remove", follow_redirects=True)
    assert english_left(removed.get_data(as_text=True)) == set(), "removed"
    assert "colleague@example.org" in removed.get_data(as_text=True)  # in the history


def test_the_petition_page_speaks_russian_with_counts_and_dates(
    client: FlaskClient, petition: Petition
) -> None:
    page = text_of(logged_in(client, "ru"), f"/organisers/petitions/{petition.slug}/")
    assert '<html lang="ru">' in page
    assert "<strong>Открыта</strong> до 8 марта 2031 включительно." in page
    assert "Подписи по дням" in page and "Подтверждённые подписи по странам" in page
    assert "Казахстан" in page  # the countries table in the reader's language
    assert "Опубликована по адресу /petitions/skver" in page  # the history, translated
    # The confirmation rate as Russian writes a percentage.
    assert re.search(r'id="rate">50\xa0%<', page)


@pytest.mark.parametrize(
    ("pending", "russian", "kazakh"),
    [
        (1, "1 неподтверждённая подпись", "расталмаған 1 қолтаңба"),
        (2, "2 неподтверждённые подписи", "расталмаған 2 қолтаңба"),
        (5, "5 неподтверждённых подписей", "расталмаған 5 қолтаңба"),
    ],
)
def test_pending_counts_take_each_plural_form(
    client: FlaskClient, make_petition, pending: int, russian: str, kazakh: str
) -> None:
    petition = make_petition(title="Тихий двор")
    for n in range(pending):
        add_signature(
            petition, f"Жанна {n}", f"zh{n}@example.org", confirm=False, address="192.0.2.7"
        )
    page = text_of(logged_in(client, "ru"), f"/organisers/petitions/{petition.slug}/")
    assert russian in page
    kk = text_of(in_language(client, "kk"), f"/organisers/petitions/{petition.slug}/")
    assert kazakh in kk


@pytest.mark.parametrize(
    ("count", "heading"),
    [(1, "Подходит 1 подпись"), (2, "Подходят 2 подписи"), (5, "Подходят 5 подписей")],
)
def test_the_dry_run_counts_in_russian(
    client: FlaskClient, make_petition, count: int, heading: str
) -> None:
    petition = make_petition(title="Тихий двор")
    for n in range(count):
        add_signature(
            petition, f"Бот {n}", f"b{n}@spam.example", confirm=True, address="203.0.113.5"
        )
    logged_in(client, "ru")
    preview = client.post(
        f"/organisers/petitions/{petition.slug}/activity/preview",
        data={"domain": "spam.example", "reason": "Накрутка"},
    )
    assert heading in preview.get_data(as_text=True)
    done = client.post(
        f"/organisers/petitions/{petition.slug}/activity/invalidate",
        data={"domain": "spam.example", "reason": "Накрутка"},
        follow_redirects=True,
    )
    flashed = {1: "1 подпись отмечена", 2: "2 подписи отмечены", 5: "5 подписей отмечены"}
    assert flashed[count] + " как поддельн" in done.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_in_the_language(
    client: FlaskClient, petition: Petition, language: str
) -> None:
    logged_in(client, language)
    empty = client.post("/organisers/petitions/new", data={"title": "", "body": "", "goal": "x"})
    assert empty.status_code == 400
    page = empty.get_data(as_text=True)
    expected = {
        "ru": [
            "Дайте петиции заголовок.",
            "Напишите, чего требует петиция.",
            "исправьте поля ниже.",
        ],
        "kk": ["Петицияға тақырып беріңіз.", "Петицияның не талап ететінін жазыңыз."],
    }
    for message in expected[language]:
        assert message in page
    assert english_left(page) == set()
    too_big = client.post(
        "/organisers/petitions/new", data={"title": "Т", "body": "Т", "goal": "1000000000"}
    )
    limit = {"ru": "от 1 до 100\xa0000\xa0000.", "kk": "1-ден 100\xa0000\xa0000-ге дейінгі"}
    assert limit[language] in too_big.get_data(as_text=True)
    wrong = client.post(
        "/organisers/password",
        data={"current": "не тот пароль", "new": "новый пароль 123", "repeat": "другой"},
    )
    answer = wrong.get_data(as_text=True)
    differ = {"ru": "Новые пароли не совпадают.", "kk": "Жаңа құпиясөздер сәйкес емес."}
    assert wrong.status_code == 400 and differ[language] in answer
    bad_dates = client.get(
        f"/organisers/petitions/{petition.slug}/export.csv?first=2026-02-01&last=2026-01-01"
    )
    assert bad_dates.status_code == 400 and english_left(bad_dates.get_data(as_text=True)) == set()


def test_a_wrong_login_is_told_in_kazakh(client: FlaskClient, petition: Petition) -> None:
    in_language(client, "kk")
    wrong = client.post("/organisers/login", data={"email": ORGANISER, "password": "қате"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 401
    assert "Бұл мекенжай мен құпиясөзге сәйкес ұйымдастырушы жоқ." in page
    assert english_left(page) == set()


@pytest.mark.parametrize(
    ("language", "blocked_for", "words"),
    [
        ("ru", 300, r"Попробуйте снова через 5 минут\."),
        # A slow machine may read one second less: either way the form is "many".
        ("ru", 15, r"Попробуйте снова через 1[45] секунд\."),
        ("kk", 300, r"5 минуттан кейін қайталап көріңіз\."),
    ],
)
def test_a_delayed_login_is_told_how_long_in_the_language(
    client: FlaskClient, petition: Petition, language: str, blocked_for: int, words: str
) -> None:
    db.session.add(
        LoginFailures(
            key=attempt_hash(ORGANISER, "127.0.0.1"),  # the test client's address
            failures=9,
            blocked_until=utcnow() + timedelta(seconds=blocked_for, milliseconds=-500),
        )
    )
    db.session.commit()
    in_language(client, language)
    blocked = client.post("/organisers/login", data={"email": ORGANISER, "password": PASSWORD})
    assert blocked.status_code == 429 and re.search(words, blocked.get_data(as_text=True))


def test_flash_messages_are_translated_with_their_counts(
    client: FlaskClient, petition: Petition
) -> None:
    logged_in(client, "ru")
    base = f"/organisers/petitions/{petition.slug}"
    resent = client.post(f"{base}/resend", data={}, follow_redirects=True).get_data(as_text=True)
    # Bolat and the held bot whose signer never confirmed: held ones get it too, unaware.
    assert "Ссылки для подтверждения отправлены повторно 2 подписантам" in resent
    again = client.post(f"{base}/resend", data={}, follow_redirects=True).get_data(as_text=True)
    assert re.search(r"Снова их можно отправить через 60 минут\.", again)
    activity = text_of(client, f"{base}/activity/")
    assert "Задержаны и не засчитаны: 3 (аннулирование)." in activity
    assert "домен spam.example" in activity  # the recorded criteria, in words
    restored = client.post(
        f"{base}/activity/held/reinstate",
        data={"flag_reason": "invalidation", "reason": "Это живые люди"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Восстановлено 3 задержанные подписи." in restored
    closed = client.post(f"{base}/state", data={"change": "close"}, follow_redirects=True)
    assert "Петиция закрыта: подписи больше не принимаются." in closed.get_data(as_text=True)
    history = text_of(client, f"{base}/")
    assert "Закрыта" in history and "Повторная отправка" in history
    assert "все задержанные (аннулирование): Это живые люди" in history
    kk = text_of(in_language(client, "kk"), f"{base}/")
    assert "Қайта жіберу: растамағандарға 2 растау сілтемесі" in kk


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ["Здравствуйте!", "приглашает вас помочь вести петицию", "Ссылка действует 7 дней"]),
        ("kk", ["Сәлеметсіз бе!", "петицияны жүргізуге көмектесуге шақырады", "7 күн жарамды"]),
    ],
)
def test_the_invitation_goes_out_in_the_inviters_language(
    client: FlaskClient, petition: Petition, smtp: SMTPServer, language: str, words: list[str]
) -> None:
    logged_in(client, language)
    sent = client.post(
        f"/organisers/petitions/{petition.slug}/invite",
        data={"email": "colleague@example.org"},
        follow_redirects=True,
    )
    flashed = {"ru": "Приглашение отправлено на адрес", "kk": "Шақыру colleague@example.org"}
    assert flashed[language] in sent.get_data(as_text=True)
    deliver_due()
    message = smtp.sink.wait_for(1)[-1]
    text = must(message.get_body(("plain",))).get_content()
    html = must(message.get_body(("html",))).get_content()
    subjects = {"ru": "Приглашение помочь вести петицию на сайте", "kk": "сайтындағы петицияны"}
    assert (
        subjects[language] in message["Subject"] and "petitions.example.org" in message["Subject"]
    )
    for word in words:
        assert word in text and word in html
    assert f'<html lang="{language}">' in html
    assert english_left(html) == set()


def test_the_delivery_pack_prints_its_fixed_words_in_russian(
    client: FlaskClient, petition: Petition
) -> None:
    response = logged_in(client, "ru").get(
        f"/organisers/petitions/{petition.slug}/delivery-pack.pdf"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Сохраним сквер на Абая" in text and "Айгерим Нурланова" in text
    assert "Адресат: Акимат Алматы" in text
    assert "1 подтверждённая подпись" in text  # the two bots' confirmed votes are held
    assert "Дата:" in text and "Подписавшие" in text and "Казахстан" in text
    assert f"Страница 1 из {len(reader.pages)}" in text
    assert not {"Date", "Signatories", "Page", "verified"} & set(ENGLISH_WORD.findall(text))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ["Здравствуйте!", "Ссылка действует 60 минут", "пароль останется прежним"]),
        ("kk", ["Сәлеметсіз бе!", "60 минут бойы жарамды", "құпиясөзіңіз өзгермейді"]),
    ],
)
def test_a_forgotten_password_is_reset_in_the_language(
    client: FlaskClient, petition: Petition, smtp: SMTPServer, language: str, words: list[str]
) -> None:
    in_language(client, language)
    asked = client.post("/organisers/forgot-password", data={"email": ""})
    assert asked.status_code == 400 and english_left(asked.get_data(as_text=True)) == set()
    form = text_of(client, "/organisers/forgot-password")
    assert english_left(form) == set(), "forgot"
    sent = client.post(
        "/organisers/forgot-password", data={"email": ORGANISER}, follow_redirects=True
    )
    assert english_left(sent.get_data(as_text=True)) == set(), "sent"
    deliver_due()
    message = smtp.sink.wait_for(1)[-1]
    text = must(message.get_body(("plain",))).get_content()
    html = must(message.get_body(("html",))).get_content()
    for word in words:
        assert word in text and word in html
    assert english_left(html) == set() and english_left(message["Subject"]) == set()
    link = must(re.search(r"https?://\S+/organisers/reset-password/\S+", text))[0]
    path = link.split("petitions.example.org", 1)[1]
    assert english_left(text_of(client, path)) == set(), "reset"
    differ = client.post(path, data={"new": "длинный новый пароль", "repeat": "другой"})
    assert differ.status_code == 400 and english_left(differ.get_data(as_text=True)) == set()
    chosen = "длинный новый пароль"
    done = client.post(path, data={"new": chosen, "repeat": chosen}, follow_redirects=True)
    assert english_left(done.get_data(as_text=True)) == set(), "reset done"
    assert english_left(text_of(client, path, 410)) == set(), "used"
    assert english_left(text_of(client, "/organisers/reset-password/broken", 400)) == set()
