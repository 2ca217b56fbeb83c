"""The confirmation code in a real Chromium: typed on the check-email page, and checked by axe-core.

The code pages and the check-email page with its form pass WCAG 2.2 AA (zero violations) in
English, Russian and Kazakh, at 320 px and at a desktop width, with and without errors.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition, petition_by_slug
from tests.browser.test_accessibility import DESKTOP, NARROW, check, visit
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.browsing import axe_source
from tests.helpers.checks import must

pytestmark = pytest.mark.browser


@pytest.fixture
def slug(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        return create_petition(
            title="Keep the Almaty river park green",
            body="The park is the **last** green space in the district.",
            organiser=organiser,
            goal=100,
        ).slug


def _code_in(smtp: SMTPServer) -> str:
    text = must(smtp.sink.wait_for(1)[0].get_body(("plain",))).get_content()
    match = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", text)
    assert match, text
    return match.group(1)


def test_a_signer_types_the_code_instead_of_opening_the_link(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str
) -> None:
    page = browser.new_context(viewport=NARROW).new_page()
    visit(page, f"{live_server.url}/petitions/{slug}", 200)
    page.get_by_label("Your name").fill("Айгерим Нурланова")
    page.get_by_label("Your email address").fill("aigerim@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    code = _code_in(smtp)

    page.get_by_label("The email address you signed with").fill("aigerim@example.org")
    page.get_by_label("Confirmation code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Confirm my signature").click()

    expect(
        page.get_by_role("heading", name="Thank you: your signature is confirmed")
    ).to_be_visible()
    expect(page.locator("#receipt-code")).not_to_be_empty()
    with live_server.app.app_context():
        assert must(petition_by_slug(slug)).signature_count == 1


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_the_code_pages_pass_axe_in_every_language(
    browser: Browser, live_server: LiveServer, slug: str, viewport: ViewportSize
) -> None:
    source = axe_source()
    page: Page = browser.new_context(viewport=viewport).new_page()
    base = live_server.url
    for language in ("en", "ru", "kk"):
        for state, path in {
            "check your email, with the code form": f"/petitions/{slug}/check-email",
            "the code page": f"/petitions/{slug}/code",
            "the widget's check-email page": f"/petitions/{slug}/embed/check-email",
        }.items():
            visit(page, f"{base}{path}?lang={language}", 200)
            expect(page.locator("html")).to_have_attribute("lang", language)
            check(page, source, f"{state} ({language})")

        visit(page, f"{base}/petitions/{slug}/code?lang={language}", 200)
        page.locator("#email").fill("nobody@example.org")
        page.locator("#code").fill("ABC")
        page.locator("form button[type=submit]").click()
        expect(page.locator("#code-error")).to_be_visible()
        check(page, source, f"a code of the wrong length ({language})")
        page.locator("#code").fill("ABCDE-FGHJK")
        page.locator("form button[type=submit]").click()
        expect(page.locator("#code-error")).to_be_visible()
        check(page, source, f"a code that does not match ({language})")

        visit(page, f"{base}/petitions/{slug}/check-email?lang={language}", 200)
        page.locator("form button[type=submit]").click()
        expect(page.locator("#email-error")).to_be_visible()
        check(page, source, f"the check-email form sent empty ({language})")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_mistyped_address_is_shown_with_a_suggestion_on_a_phone(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str, language: str
) -> None:
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    visit(page, f"{live_server.url}/petitions/{slug}?lang={language}", 200)
    page.locator("#name").fill("Иван Петров")
    page.locator("#email").fill("ivan@gmial.com")
    page.locator("section.sign button[type=submit]").click()

    expect(page.locator("p.lead strong.address")).to_have_text("ivan@gmial.com")
    suggestion = page.locator("#suggestion")
    expect(suggestion.get_by_role("heading")).to_contain_text("ivan@gmail.com")
    expect(page.locator("#email")).to_have_value("ivan@gmial.com")  # the code form, filled in
    check(page, axe_source(), f"check your email, with a suggestion ({language})")
    visit(page, f"{live_server.url}/petitions/{slug}/embed/check-email?lang={language}", 200)
    expect(page.locator("#suggestion")).to_contain_text("ivan@gmail.com")
    check(page, axe_source(), f"the widget's check-email page, with a suggestion ({language})")
    page.go_back()

    suggestion.get_by_role("button").click()  # one tap: signed again with the suggestion
    expect(page.locator("p.lead strong.address")).to_have_text("ivan@gmail.com")
    expect(page.locator("#suggestion")).to_have_count(0)
    expect(page.locator("#email")).to_have_value("ivan@gmail.com")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert [message["To"] for message in smtp.sink.wait_for(2)] == [
        "ivan@gmial.com",
        "ivan@gmail.com",
    ]
