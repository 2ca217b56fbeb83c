"""The letter action pages, checked by axe-core in Chromium in every language and width."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, FilePayload, ViewportSize

from petition.letters.actions import add_targets, letter_action, save_action
from petition.letters.target_files import parse_targets_csv
from petition.models import LetterAction
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from tests.browser.test_accessibility import (
    ORGANISER,
    SCREENS_AND_LANGUAGES,
    check,
    visit,
)
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source
from tests.letters.support import BODY, EMBASSIES_CSV, SUBJECT

pytestmark = pytest.mark.browser


@dataclass
class LettersSite:
    url: str
    slug: str
    action_id: int


@pytest.fixture
def site(live_server: LiveServer) -> LettersSite:
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
            body="Dear Ambassador,\n\nFree them.", copies=["campaign@example.org"],
            versions={"ru": {"title": "Напишите в посольство", "subject": SUBJECT, "body": BODY}},
        )  # fmt: skip
        action = _action(petition.id, action_id)
        add_targets(
            petition, organiser, action, parse_targets_csv(EMBASSIES_CSV.encode()), imported=True
        )
        return LettersSite(url=live_server.url, slug=petition.slug, action_id=action_id)


def _action(petition_id: int, action_id: int) -> LetterAction:
    found = letter_action(petition_id, action_id)
    assert found is not None
    return found


@pytest.mark.parametrize(("viewport", "language"), SCREENS_AND_LANGUAGES)
def test_the_letter_pages_pass_axe(
    browser: Browser, site: LettersSite, viewport: ViewportSize, language: str
) -> None:
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    lang = f"?lang={language}"
    action = f"/petitions/{site.slug}/letters/{site.action_id}"
    for state, (path, status) in {
        "petition page with letters": (f"/petitions/{site.slug}{lang}", 200),
        "letter action": (f"{action}{lang}", 200),
        "letter action, a country chosen": (f"{action}{lang}&country=DE", 200),
    }.items():
        visit(page, site.url + path, status)
        check(page, source, f"{state} ({language})")
    # Edited past the limit: the message beside the field.
    visit(page, f"{site.url}{action}{lang}", 200)
    page.locator("#body").fill("x" * 5001)
    page.locator("form.letter-form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("#body-error").count() == 1
    check(page, source, f"letter too long ({language})")
    # "I sent it", counted.
    visit(page, f"{site.url}{action}{lang}", 200)
    page.locator("form[action*='/sent'] button").click()
    page.wait_for_load_state()
    check(page, source, f"letter counted ({language})")

    visit(page, f"{site.url}/organisers/login?lang=en", 200)
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site.url}/organisers/**")
    base = f"/organisers/petitions/{site.slug}"
    for state, (path, status) in {
        "petition page with letters": (f"{base}/{lang}", 200),
        "new letter action": (f"{base}/letters/new{lang}", 200),
        "letter action with targets": (f"{base}/letters/{site.action_id}{lang}", 200),
    }.items():
        visit(page, site.url + path, status)
        check(page, source, f"{state} ({language})")
    visit(page, f"{site.url}{base}/letters/{site.action_id}{lang}", 200)
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_load_state()
    assert page.locator("section.preview").count() == 1
    check(page, source, f"letter preview ({language})")
    page.set_input_files("input[type=file]", files=[
        FilePayload(name="bad.csv", mimeType="text/csv", buffer=b"name,phone\nA,1\n")
    ])  # fmt: skip
    page.locator("form[action$='/import'] button").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    check(page, source, f"bad CSV ({language})")
    # Rows at fault: listed in the summary, and read out as the file field's description.
    rows = "name;email;postal_address;phone;country\r\nСуд;bad;;;\r\nМИД;;;;XX\r\n"
    page.set_input_files("input[type=file]", files=[
        FilePayload(name="rows.csv", mimeType="text/csv", buffer=rows.encode("cp1251"))
    ])  # fmt: skip
    page.locator("form[action$='/import'] button").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary #csv-problems li").count() == 2
    described = page.locator("input[type=file]").get_attribute("aria-describedby") or ""
    assert "csv-problems" in described.split()
    check(page, source, f"bad CSV rows ({language})")
