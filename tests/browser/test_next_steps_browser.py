"""In Chromium on a phone: after confirming, a page that reloads, offers what to do next, and shares."""

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from sqlalchemy import select

from petition.extensions import db
from petition.letters.actions import save_action
from petition.models import Signature
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing.links import confirmation_token
from petition.signing.signatures import sign_petition
from tests.browser.test_accessibility import DESKTOP, NARROW, check
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 740}
THANKS = "Thank you: your signature is confirmed"


@pytest.fixture
def link(live_server: LiveServer) -> str:
    """The confirmation link of a pending signature on a petition with a letter action."""
    with live_server.app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        petition = create_petition(
            title="Keep the river park green",
            body="No car park on the meadow.",
            organiser=organiser,
        )
        save_action(
            petition,
            organiser,
            None,
            title="Write to the mayor",
            subject="Keep the park",
            body="Dear mayor,\n\nPlease keep the park green.",
            versions={},
            copies=[],
        )
        sign_petition(petition, name="Dana Smith", email="dana@example.org")
        signature = db.session.scalar(select(Signature))
        assert signature is not None
        return f"{live_server.url}/confirm/{confirmation_token(signature)}"


def test_the_confirmed_page_reloads_offers_the_next_steps_and_copies_the_link(
    browser: Browser, link: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    receipt = page.locator("#receipt-code").inner_text()
    assert page.url.endswith("#main")

    reloaded = page.reload()  # a GET: no "resubmit the form?" prompt, the same receipt
    assert reloaded is not None and reloaded.status == 200 and reloaded.request.method == "GET"
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    expect(page.locator("#receipt-code")).to_have_text(receipt)

    expect(page.get_by_role("link", name="Write to the mayor")).to_be_visible()
    expect(page.get_by_role("link", name="VK")).to_be_visible()
    # The phone's share sheet is offered only where the browser has one.
    has_sheet = page.evaluate("typeof navigator.share === 'function'")
    expect(page.get_by_role("button", name="Share…")).to_have_count(1 if has_sheet else 0)

    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("#share-done")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.get_by_label("Link to this petition").input_value()
    assert copied.endswith("/petitions/keep-the-river-park-green")

    page.get_by_role("link", name="Write a message of support").click()
    expect(page.get_by_label("Your message")).to_be_visible()


def test_the_confirmed_page_passes_axe_in_every_language(browser: Browser, link: str) -> None:
    source = axe_source()
    confirmer = browser.new_page()
    confirmer.goto(link)
    confirmer.get_by_role("button", name="Confirm my signature").click()
    expect(confirmer.get_by_role("heading", name=THANKS)).to_be_visible()
    for viewport, name in ((NARROW, "320px"), (DESKTOP, "desktop")):
        page = browser.new_context(viewport=viewport).new_page()
        for language in ("en", "ru", "kk"):
            page.goto(f"{link}?lang={language}")
            expect(page.locator("#receipt-code")).to_be_visible()
            expect(page.get_by_role("button", name="Confirm my signature")).to_have_count(0)
            check(page, source, f"confirmed, {language}, {name}")
