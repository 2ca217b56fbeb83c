"""An organiser reads one language: titles, export headers, the embed code and new petitions."""

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import Petition, PetitionEvent, Signature, SignatureStatus
from petition.petitions.versions import save_petition_text
from tests.conftest import PASSWORD
from tests.helpers.checks import must

RUSSIAN_TITLE = "Остановите принудительные выселения"
ENGLISH_XLSX = ("Name", "Email", "Country", "Signed (UTC)", "Confirmed (UTC)")
ENGLISH_CSV = ["name", "email", "country", "signed_at", "confirmed_at"]


def russian_headers(app: Flask) -> tuple[str, ...]:
    """The Russian headings as the catalogue has them (a new one reads English until translated)."""
    with app.app_context(), force_locale("ru"):
        confirmed = gettext("Confirmed (UTC)")
    return ("Имя", "Электронная почта", "Страна", "Подписано (UTC)", confirmed)


def logged_in(app: Flask, language: str | None = None) -> FlaskClient:
    """An organiser's browser; with a language, one that chose it with the switcher."""
    client = app.test_client()
    response = client.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    if language is not None:
        assert client.get(f"/organisers/?lang={language}").status_code == 200
    return client


@pytest.fixture
def signed(make_petition: Callable[..., Petition]) -> Petition:
    """An English petition that asks for countries, with one verified signer whose name is a formula."""
    petition = make_petition(slug="evictions", collects_country=True)
    when = datetime(2026, 1, 5, 10, tzinfo=UTC)
    db.session.add(
        Signature(
            petition_id=petition.id, name="=1+1", email="ann@example.org",
            email_canonical="ann@example.org", country="KZ",
            status=SignatureStatus.CONFIRMED, created_at=when, confirmed_at=when,
        )
    )  # fmt: skip
    petition.signature_count = 1
    db.session.commit()
    return petition


def exports_logged() -> int:
    query = select(func.count()).select_from(PetitionEvent).where(PetitionEvent.action == "export")
    return db.session.scalar(query) or 0


def test_the_dashboard_shows_titles_in_the_organisers_language_where_a_version_exists(
    app: Flask, make_petition: Callable[..., Petition]
) -> None:
    translated = make_petition(slug="evictions")
    save_petition_text(
        translated, translated.organisers[0], language="ru", title=RUSSIAN_TITLE, body="Текст"
    )
    make_petition(slug="park", title="Save the park")
    page = logged_in(app, "ru").get("/organisers/").get_data(as_text=True)
    assert f'href="/organisers/petitions/evictions/">{RUSSIAN_TITLE}</a>' in page
    table = page.split('id="embed-heading"', 1)[0]  # the embed code speaks the petition's own
    assert "Stop the forced evictions" not in table
    # No Russian version: the original, marked as English for screen readers.
    assert 'href="/organisers/petitions/park/" lang="en">Save the park</a>' in page
    client = logged_in(app, "ru")
    petition_page = client.get("/organisers/petitions/evictions/")
    assert f"<h1>{RUSSIAN_TITLE}</h1>" in petition_page.get_data(as_text=True)
    for subpage in ("paper", "timeline", "activity/", "texts", "support"):
        page = client.get(f"/organisers/petitions/evictions/{subpage}").get_data(as_text=True)
        title = must(re.search(r"<title>(.*?)</title>", page, re.DOTALL)).group(1)
        assert RUSSIAN_TITLE in title and "Stop the forced" not in title, subpage
    english = logged_in(app, "en").get("/organisers/").get_data(as_text=True)
    assert 'href="/organisers/petitions/evictions/">Stop the forced evictions</a>' in english


def test_excel_headers_are_in_the_organisers_language_or_english_on_request(
    app: Flask, signed: Petition
) -> None:
    client = logged_in(app, "ru")
    address = f"/organisers/petitions/{signed.slug}/export.xlsx"
    header, row = load_workbook(io.BytesIO(client.get(address).data)).active.iter_rows(
        values_only=True
    )
    assert header == russian_headers(app)
    assert row[:3] == ("=1+1", "ann@example.org", "KZ"), "the cells stay as they were"
    cell = load_workbook(io.BytesIO(client.get(address).data)).active["A2"]
    assert cell.data_type == "s", "a name is still never a formula"
    english = client.get(f"{address}?headers=en")
    assert english.status_code == 200
    sheet = load_workbook(io.BytesIO(english.data)).active
    assert next(sheet.iter_rows(values_only=True)) == ENGLISH_XLSX


def test_csv_headers_are_in_the_organisers_language_and_english_ones_stay_as_scripts_read_them(
    app: Flask, signed: Petition
) -> None:
    client = logged_in(app, "ru")
    address = f"/organisers/petitions/{signed.slug}/export.csv"
    text = client.get(address).get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "Excel still reads it as UTF-8"
    header, row = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    assert tuple(header) == russian_headers(app)
    assert row[:3] == ["'=1+1", "ann@example.org", "KZ"], "formula cells are still neutralised"
    for english_client, asked in (
        (client, f"{address}?headers=en"),
        (logged_in(app, "en"), address),
    ):
        text = english_client.get(asked).get_data().decode("utf-8")
        lines = text.removeprefix("\ufeff").splitlines()
        assert next(csv.reader(lines)) == ENGLISH_CSV
    json_rows = client.get(f"/organisers/petitions/{signed.slug}/export.json?headers=en").json
    assert json_rows is not None
    assert list(json_rows[0]) == ENGLISH_CSV, "JSON keys never change"


@pytest.mark.parametrize("value", ["ru", "EN", "", "en,ru"])
def test_an_unknown_headers_value_is_a_clear_bad_request(
    app: Flask, signed: Petition, value: str
) -> None:
    response = logged_in(app).get(f"/organisers/petitions/{signed.slug}/export.csv?headers={value}")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "These column headings are not offered" in page
    assert "add headers=en for English" in page
    assert exports_logged() == 0, "nothing was exported, so nothing is logged"


def test_the_command_line_export_keeps_english_headers(
    app: Flask, signed: Petition, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["export", signed.slug])
    assert result.exit_code == 0, result.output
    assert next(csv.reader(result.stdout.removeprefix("\ufeff").splitlines())) == ENGLISH_CSV


def embed_titles(page: str) -> list[str]:
    snippets = re.findall(r"<textarea[^>]*readonly>(.*?)</textarea>", page, re.DOTALL)
    return [
        must(re.search(r'title="([^"]*)"', html.unescape(snippet))).group(1) for snippet in snippets
    ]


def test_the_embed_code_title_is_in_the_petitions_language_not_the_organisers(
    app: Flask, make_petition: Callable[..., Petition]
) -> None:
    english = make_petition(slug="evictions")
    save_petition_text(english, english.organisers[0], language="ru", title=RUSSIAN_TITLE, body="Т")
    make_petition(slug="park", title="Сохраним парк", language="ru")
    # Ordered as the dashboard lists them: the organiser's petitions, oldest first.
    in_russian = embed_titles(logged_in(app, "ru").get("/organisers/").get_data(as_text=True))
    assert sorted(in_russian) == [
        "Sign the petition: Stop the forced evictions",
        "Подпишите петицию: Сохраним парк",
    ]
    in_kazakh = embed_titles(logged_in(app, "kk").get("/organisers/").get_data(as_text=True))
    assert sorted(in_kazakh) == sorted(in_russian)


def test_a_new_petition_is_in_the_interface_language_unless_changed(
    app: Flask, make_organiser: Callable[..., object]
) -> None:
    make_organiser()
    client = logged_in(app, "ru")
    form = client.get("/organisers/petitions/new").get_data(as_text=True)
    assert re.search(
        r'<option[^>]*selected[^>]*value="ru"|<option[^>]*value="ru"[^>]*selected', form
    )
    fields = {"title": "Сохраним парк", "body": "Мы просим сохранить парк."}
    assert client.post("/organisers/petitions/new", data=fields).status_code == 303
    petition = db.session.scalar(select(Petition).where(Petition.title == "Сохраним парк"))
    assert petition is not None and petition.language == "ru"
    reader = app.test_client()
    russian = reader.get(f"/petitions/{petition.slug}?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in russian and "<h1>Сохраним парк</h1>" in russian
    assert 'lang="en"' not in russian.split("<h1>", 1)[1].split("</form>", 1)[0]
    assert "нет версии на вашем языке" not in russian
    english = reader.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    assert '<h1 lang="ru">Сохраним парк</h1>' in english


def test_editing_in_another_language_keeps_the_petitions_language(
    app: Flask, make_petition: Callable[..., Petition]
) -> None:
    petition = make_petition(slug="evictions")
    client = logged_in(app, "ru")
    form = client.get("/organisers/petitions/evictions/edit").get_data(as_text=True)
    assert re.search(
        r'<option[^>]*selected[^>]*value="en"|<option[^>]*value="en"[^>]*selected', form
    )
    fields = {"title": "Stop the evictions", "body": petition.body}
    assert client.post("/organisers/petitions/evictions/edit", data=fields).status_code == 303
    assert must(db.session.get(Petition, petition.id)).language == "en"
