# ruff: noqa: F811 (pytest fixtures imported from the signer's journey are used as arguments)
"""A letter action in headless Chromium: the organiser imports embassies from a CSV file, a
supporter reading in Russian gets their country's embassy, a working mailto link and the
printable letter, and says they sent it once.
"""

import io
import re
import urllib.request

import pytest
from playwright.sync_api import Browser, FilePayload, expect
from pypdf import PdfReader

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from tests.browser.test_journey_browser import (  # noqa: F401 (fixtures)
    DESKTOP,
    Steps,
    steps,
)
from tests.conftest import PASSWORD, LiveServer
from tests.letters.support import BODY, EMBASSIES_CSV, SUBJECT, decode_mailto, sent_body

pytestmark = pytest.mark.browser
ORGANISER = "organiser@example.org"
# "1 letter sent", "1 письмо отправлено": \S, since JavaScript's \w knows no Cyrillic.
ONE_SENT = re.compile(r"(^|:\s+)1\s\S")


def test_a_letter_goes_from_the_organisers_csv_to_a_supporters_mail_app(
    browser: Browser, live_server: LiveServer, steps: Steps
) -> None:
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Free the hunger strikers", body="They are held.", organiser=organiser
        )
        save_petition_text(
            petition, organiser, language="ru", title="Свободу голодающим", body="Их держат."
        )
        slug = petition.slug
    organiser_page = browser.new_context(viewport=DESKTOP).new_page()
    organiser_page.goto(f"{live_server.url}/organisers/login")
    organiser_page.get_by_label("Email address").fill(ORGANISER)
    organiser_page.get_by_label("Password").fill(PASSWORD)
    organiser_page.get_by_role("button", name="Log in").click()
    organiser_page.goto(f"{live_server.url}/organisers/petitions/{slug}/")
    organiser_page.get_by_role("link", name="Add a letter action").click()
    organiser_page.get_by_label("Name of the action", exact=True).fill("Write to the embassy")
    organiser_page.get_by_label("Subject", exact=True).fill("Free them")
    organiser_page.get_by_label("Letter", exact=True).fill("Dear Ambassador,\nFree them.")
    organiser_page.get_by_label("Copies to").fill("campaign@example.org")
    organiser_page.get_by_label("Name of the action in Русский").fill("Напишите в посольство")
    organiser_page.get_by_label("Subject in Русский").fill(SUBJECT)
    organiser_page.get_by_label("Letter in Русский").fill(BODY)
    organiser_page.get_by_role("button", name="Save the letter").click()
    expect(organiser_page.get_by_role("status")).to_contain_text("saved")
    organiser_page.set_input_files(
        "input[type=file]",
        files=[
            FilePayload(name="embassies.csv", mimeType="text/csv", buffer=EMBASSIES_CSV.encode())
        ],
    )
    organiser_page.get_by_role("button", name="Import").click()
    expect(organiser_page.locator("#target-list tbody tr")).to_have_count(4)
    steps.shot(organiser_page, "targets-imported")

    supporter = browser.new_context(viewport=DESKTOP, locale="ru-RU").new_page()
    supporter.goto(f"{live_server.url}/petitions/{slug}?lang=ru")
    supporter.get_by_role("link", name="Напишите в посольство").click()
    supporter.locator("#country").select_option("KZ")
    supporter.locator("form.letter-form button[type=submit]").first.click()
    expect(supporter.locator("#targets")).to_contain_text("Посольство Казахстана (для Казахстана")
    steps.shot(supporter, "supporter-letter")
    fields = decode_mailto(supporter.locator("#mailto").get_attribute("href") or "")
    assert fields["to"] == "mfa@example.kz,supreme@example.kz"
    assert fields["cc"] == "campaign@example.org"
    assert fields["subject"] == SUBJECT
    assert fields["body"] == sent_body(BODY)

    # With JavaScript the link follows the edit as it is typed; a long one leaves the body out.
    supporter.locator("#body").fill("Я, Анна, прошу вас.\nОсвободите их.")
    fields = decode_mailto(supporter.locator("#mailto").get_attribute("href") or "")
    assert fields["body"] == sent_body("Я, Анна, прошу вас.\nОсвободите их.")
    assert fields["to"] == "mfa@example.kz,supreme@example.kz"
    expect(supporter.locator("#paste-notice")).to_be_hidden()
    supporter.locator("#body").fill("Освободите их. " * 100)
    assert "body" not in decode_mailto(supporter.locator("#mailto").get_attribute("href") or "")
    expect(supporter.locator("#paste-notice")).to_be_visible()

    pdf_url = supporter.locator("#pdf-link").get_attribute("href")
    with urllib.request.urlopen(f"{live_server.url}{pdf_url}") as response:
        pdf = response.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Астана, пр. Мангилик Ел, 8" in text and SUBJECT in text

    live_server.app.config |= {"LETTER_SENT_LIMIT": "1 per day", "RATELIMIT_KEY_PREFIX": slug}
    supporter.locator("form[action*='/sent'] button").click()
    expect(supporter.locator("#letters-sent")).to_have_text(ONE_SENT)
    expect(supporter.locator(".flash")).to_contain_text("учтено")
    supporter.reload()  # the page after "I sent it" is a GET: a reload counts nothing again
    expect(supporter.locator("#letters-sent")).to_have_text(ONE_SENT)
    expect(supporter.locator(".flash")).to_have_count(0)
    supporter.locator("form[action*='/sent'] button").click()  # again, from the same client
    expect(supporter.locator(".flash")).to_contain_text("уже учтены")
    expect(supporter.locator("#letters-sent")).to_have_text(ONE_SENT)
    supporter.goto(f"{live_server.url}/petitions/{slug}?lang=ru")
    expect(supporter.locator("section.letters li")).to_contain_text(ONE_SENT)
