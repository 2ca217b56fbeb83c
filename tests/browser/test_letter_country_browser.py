"""On a 360 px phone in Russian, the letter follows the country chosen: at once with
JavaScript, through the country's own small form without it, and the link the script builds is
the one the server builds."""

import re
from dataclasses import dataclass
from html import unescape

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from petition.letters.actions import add_targets, letter_action, save_action
from petition.letters.target_files import parse_targets_csv
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from tests.browser.test_accessibility import ORGANISER, check
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source
from tests.letters.support import (
    BODY,
    GREETING_RU,
    SALUTATION,
    SALUTED_CSV,
    SUBJECT,
    decode_mailto,
    sent_body,
)

pytestmark = pytest.mark.browser
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}


@dataclass
class Letter:
    url: str  # the action's page, in Russian


@pytest.fixture
def letter(live_server: LiveServer) -> Letter:
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Free the hunger strikers", body="They are held.", organiser=organiser
        )
        save_petition_text(
            petition, organiser, language="ru", title="Свободу голодающим", body="Их держат."
        )
        action_id = save_action(
            petition, organiser, None, title="Write to the embassy", subject="Free them",
            body="Free them.", copies=["campaign@example.org"],
            versions={"ru": {"title": "Напишите в посольство", "subject": SUBJECT, "body": BODY}},
        )  # fmt: skip
        action = letter_action(petition.id, action_id)
        assert action is not None
        add_targets(
            petition, organiser, action, parse_targets_csv(SALUTED_CSV.encode()), imported=True
        )
        return Letter(f"{live_server.url}/petitions/{petition.slug}/letters/{action_id}?lang=ru")


def _mail(page: Page) -> dict[str, str]:
    return decode_mailto(page.locator("#mailto").get_attribute("href") or "")


def _servers_link(page: Page, url: str, **form: str) -> str:
    """The mail link the server writes for this address (and this edit, when one is posted)."""
    response = page.request.post(url, form={**form}) if form else page.request.get(url)
    found = re.search(r'id="mailto" href="([^"]*)"', response.text())
    assert found is not None
    return unescape(found.group(1))


def test_with_javascript_choosing_germany_writes_to_germany_at_once(
    browser: Browser, letter: Letter
) -> None:
    page = browser.new_context(viewport=SMALL_PHONE, locale="ru-RU").new_page()
    page.goto(letter.url)
    expect(page.locator("#country")).to_have_value("KZ")  # offered to Russian readers
    expect(page.get_by_role("button", name="Показать адреса для этой страны")).to_be_hidden()
    page.get_by_label("Ваша страна").select_option(label="Германия")
    shown = page.locator("#targets li:visible")
    expect(shown).to_have_count(2)  # the embassy, then the court every supporter writes to
    expect(shown.first).to_contain_text("Embassy of Kazakhstan in Germany")
    expect(page.locator("#greeting")).to_have_text(SALUTATION)
    fields = _mail(page)
    assert fields["to"] == "embassy.de@example.kz"
    assert fields["body"] == sent_body(BODY, SALUTATION)
    assert page.locator("#mailto").get_attribute("href") == _servers_link(
        page, letter.url + "&country=DE"
    )
    assert "country=DE" in (page.locator("#pdf-link").get_attribute("href") or "")
    check(page, axe_source(), "letter page, Germany chosen by script (ru, 360px)")

    page.get_by_label("Ваша страна").select_option(label="Россия")
    expect(shown.first).to_contain_text("Посольство Казахстана в России")
    expect(shown).to_have_count(2)
    expect(page.locator("#greeting")).to_have_text(GREETING_RU)
    assert _mail(page)["to"] == "embassy.ru@example.kz"
    # An edit with the characters the two encoders could disagree on, and a line break.
    edited = "Прошу (очень!) — it's *urgent*.\nАнна & Co ~ 100%"
    page.locator("#body").fill(edited)
    assert _mail(page)["body"] == sent_body(edited, GREETING_RU)
    assert page.locator("#mailto").get_attribute("href") == _servers_link(
        page, letter.url, country="RU", subject=SUBJECT, body=edited
    )


def test_without_javascript_the_countrys_own_button_shows_germany(
    browser: Browser, letter: Letter
) -> None:
    context = browser.new_context(viewport=SMALL_PHONE, locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.goto(letter.url)
    assert _mail(page)["to"] == ""  # Kazakhstan has no target here; the court takes paper only
    page.get_by_label("Ваша страна").select_option(label="Германия")
    page.get_by_role("button", name="Показать адреса для этой страны").click()
    shown = page.locator("#targets li:visible")
    expect(shown).to_have_count(2)
    expect(shown.first).to_contain_text("Embassy of Kazakhstan in Germany")
    assert _mail(page)["to"] == "embassy.de@example.kz"
    assert _mail(page)["body"] == sent_body(BODY, SALUTATION)
    # The edit form carries the country: its own button keeps Germany's target.
    page.locator("#body").fill("Освободите их.")
    page.get_by_role("button", name="Обновить ссылку на письмо с моими правками").click()
    assert _mail(page) | {"cc": ""} == {
        "to": "embassy.de@example.kz",
        "cc": "",
        "subject": SUBJECT,
        "body": sent_body("Освободите их.", SALUTATION),
    }
