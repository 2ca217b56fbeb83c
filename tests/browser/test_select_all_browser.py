"""On a phone, an organiser ticks many at once: held signatures and messages of support.

Chromium at 360 px: "Select all" ticks every box, "Select none" clears them, a tap on a label's
words toggles its box, every box is at least 24 px, and axe finds nothing on the moderation page.
"""

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing.signatures import sign_petition
from petition.support import write_message
from tests.browser.test_accessibility import ORGANISER, check, visit
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture
def slug(live_server: LiveServer) -> str:
    """A petition with three held signatures and three messages waiting for a decision."""
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions", body="Families are evicted.", organiser=organiser
        )
        for name in ("Ann Held", "Bob Held", "Cleo Held"):
            email = f"{name.split()[0].lower()}@example.org"
            sign_petition(petition, name=name, email=email, flag_reason="rate-limit", mail=False)
        for body in ("Stay strong.", "We are with you.", "Держитесь!"):
            write_message(
                petition.id, body=body, name=None, city=None, language="en", client_address=None
            )
        return petition.slug


def log_in_on_page(page: Page, url: str) -> None:
    visit(page, f"{url}/organisers/login", 200)
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/organisers/**")


def _boxes_work(page: Page, boxes: Locator, label_words: str) -> None:
    """Select all, select none, a tap on a label's words, and the boxes' size."""
    expect(boxes).to_have_count(3)
    for index in range(3):
        box = boxes.nth(index).bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, box
    page.get_by_role("button", name="Select all").click()
    for index in range(3):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_role("button", name="Select none").click()
    for index in range(3):
        expect(boxes.nth(index)).not_to_be_checked()
    page.get_by_text(label_words, exact=True).first.click()
    expect(boxes.first).to_be_checked()
    expect(boxes.nth(1)).not_to_be_checked()
    page.get_by_text(label_words, exact=True).first.click()
    expect(boxes.first).not_to_be_checked()


def test_select_all_works_on_held_signatures_and_messages_of_support(
    browser: Browser, live_server: LiveServer, slug: str
) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    log_in_on_page(page, live_server.url)

    visit(page, f"{live_server.url}/organisers/petitions/{slug}/activity/", 200)
    check(page, axe_source(), "moderation with held signatures, 360px")
    _boxes_work(page, page.locator('input[data-select="held"]'), "Cleo Held")
    # The ticked ones go back together, with one reason.
    page.get_by_text("Ann Held", exact=True).click()
    page.get_by_text("Bob Held", exact=True).click()
    page.get_by_label("Why the ticked ones are reinstated").fill("They share an office")
    page.get_by_role("button", name="Reinstate the ticked signatures").click()
    expect(page.get_by_text("2 held signatures reinstated.")).to_be_visible()
    expect(page.locator('input[data-select="held"]')).to_have_count(1)
    check(page, axe_source(), "moderation after reinstating, 360px")

    visit(page, f"{live_server.url}/organisers/petitions/{slug}/support", 200)
    _boxes_work(page, page.locator('input[data-select="messages"]'), "Select this message")
    page.get_by_role("button", name="Select all").click()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_text("No message is waiting.")).to_be_visible()


def test_without_scripts_the_select_buttons_are_not_offered(
    browser: Browser, live_server: LiveServer, slug: str
) -> None:
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    log_in_on_page(page, live_server.url)
    visit(page, f"{live_server.url}/organisers/petitions/{slug}/activity/", 200)
    expect(page.get_by_role("button", name="Select all")).to_have_count(0)
    page.get_by_text("Ann Held", exact=True).click()  # the label still ticks its box
    expect(page.get_by_label("Ann Held")).to_be_checked()
