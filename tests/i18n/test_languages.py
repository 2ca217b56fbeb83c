"""Which language a visitor gets, how the switcher remembers it, and the language of their mail."""

import re

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from petition.extensions import db
from petition.i18n.countries import country_choices, country_name
from petition.i18n.languages import LANGUAGES, format_number
from petition.mail.outbox import deliver_due
from petition.models import Signature
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.checks import must
from tests.helpers.signing import sign


def test_english_without_any_preference(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert ">Petitions</a>" in page


def test_the_browser_language_is_used_when_nothing_was_chosen(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "kk-KZ,kk;q=0.9,ru;q=0.8"})
    text = page.get_data(as_text=True)
    assert '<html lang="kk">' in text
    assert ">Петициялар</a>" in text
    assert "Accept-Language" in page.headers["Vary"]
    russian = client.get("/", headers={"Accept-Language": "de-DE,ru;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru">' in russian
    other = client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in other


def test_the_switcher_choice_wins_and_is_remembered(client: FlaskClient) -> None:
    first = client.get("/?lang=ru", headers={"Accept-Language": "kk"})
    assert '<html lang="ru">' in first.get_data(as_text=True)
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=ru;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    later = client.get("/privacy", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert '<html lang="ru">' in later
    assert "Set-Cookie" not in client.get("/?lang=ru").headers  # already remembered
    back = client.get("/privacy?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in back


def test_an_unknown_language_is_ignored_and_not_remembered(client: FlaskClient) -> None:
    response = client.get("/?lang=xx%3Cscript%3E", headers={"Accept-Language": "kk"})
    assert response.status_code == 200
    assert '<html lang="kk">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_every_page_links_to_itself_in_each_language(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    page = client.get(f"/petitions/{petition.slug}?lang=kk").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        back = f"next=%2Fpetitions%2F{petition.slug}"
        href = f'href="/language?lang={code}&amp;{back}" hreflang="{code}" lang="{code}"'
        assert href in page and f">{name}</a>" in page
    assert 'lang="kk" aria-current="true">Қазақша</a>' in page


def test_a_form_answer_links_to_the_form_page_in_each_language(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    answer = client.post(f"/petitions/{petition.slug}/sign", data={"name": "", "email": "x"})
    assert answer.status_code == 400
    back = f"next=%2Fpetitions%2F{petition.slug}"
    assert f'href="/language?lang=ru&amp;{back}"' in answer.get_data(as_text=True)


def test_country_names_follow_the_language(app: Flask) -> None:
    assert country_name("KZ", "kk") == "Қазақстан"
    assert country_name("KZ", "ru") == "Казахстан"
    assert country_name("BO", "en") == "Bolivia"
    assert country_name("zz", "ru") == "ZZ"
    with force_locale("ru"):
        names = [name for _, name in country_choices()]
        assert names.index("Гаити") < names.index("Гайана") < names.index("Германия")
    with force_locale("kk"):
        names = [name for _, name in country_choices()]
        # Kazakh letters sort among the Russian ones, not after я.
        assert names.index("Аустрия") < names.index("Әзірбайжан") < names.index("Бахрейн")
    with force_locale("en"):
        names = [name for _, name in country_choices()]
        assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")


def test_the_signer_gets_every_email_in_the_language_they_signed_in(
    client: FlaskClient, make_petition, smtp: SMTPServer
) -> None:
    petition = make_petition(title="Stop the evictions")
    name = "Айгерім Сәрсенова"
    kk, ru = {"Accept-Language": "kk"}, {"Accept-Language": "ru"}
    assert sign(client, petition, name, "aigerim@example.org", headers=kk).status_code == 303
    assert sign(client, petition, name, "ivan@example.org", headers=ru).status_code == 303
    stored = db.session.execute(select(Signature.email, Signature.language)).all()
    assert sorted(stored) == [("aigerim@example.org", "kk"), ("ivan@example.org", "ru")]
    deliver_due()
    by_recipient = {m["To"]: m for m in smtp.sink.wait_for(2)}
    assert (
        by_recipient["aigerim@example.org"]["Subject"] == "Қолыңызды растаңыз: Stop the evictions"
    )
    assert (
        by_recipient["ivan@example.org"]["Subject"]
        == "Подтвердите свою подпись: Stop the evictions"
    )
    # Its links open in the mail's language, even in a browser that asks for another.
    text = must(by_recipient["aigerim@example.org"].get_body(("plain",))).get_content()
    link = must(re.search(r"https?://[^/\s]+(/confirm/\S+)", text)).group(1)
    assert link.endswith("?lang=kk")
    page = FlaskClient(client.application).get(link, headers={"Accept-Language": "en"})
    assert '<html lang="kk">' in page.get_data(as_text=True)

    # An organiser reading English resends the links: each still goes out in its signer's language.
    organiser = FlaskClient(client.application, use_cookies=True)
    organiser.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    resend = organiser.post(f"/organisers/petitions/{petition.slug}/resend", data={})
    assert resend.status_code == 303
    deliver_due()
    resent = {m["To"]: m["Subject"] for m in smtp.sink.wait_for(4)[2:]}
    assert resent["aigerim@example.org"].startswith("Қолыңызды растаңыз")
    assert resent["ivan@example.org"].startswith("Подтвердите свою подпись")


def test_numbers_are_written_as_the_reader_writes_them(app: Flask) -> None:
    with force_locale("en"):
        assert format_number(12345) == "12,345"
    with force_locale("ru"):
        assert format_number(12345) == "12\xa0345"
    with force_locale("kk"):
        assert format_number(12345) == "12\xa0345"
