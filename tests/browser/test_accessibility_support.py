"""The messages-of-support pages checked by axe-core in Chromium, in three languages.

The petition page with messages and the form, the messages page (with and without errors), the
thank-you page, and the organisers' queue and approved list, at 320 px and a desktop width, in
English, Russian and Kazakh: zero violations, nothing wider than the window.
"""

from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, expect

from petition.demo import HOUSING
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.support import decide_messages, pending_messages, write_message
from tests.browser.test_accessibility import (
    DESKTOP,
    NARROW,
    ORGANISER,
    check,
    log_in_on_page,
    visit,
)
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source

pytestmark = pytest.mark.browser
LANGUAGES = ("en", "ru", "kk")
LONG_WORD = "Солидарность" * 12  # no spaces: must wrap, not widen the page


@pytest.fixture
def site(live_server: LiveServer):
    """A live site with one petition, two approved messages and two waiting."""
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions in the riverside district",
            body=HOUSING,
            organiser=organiser,
        )
        for body, name, city, language in (
            ("Держитесь!\nМы с вами.", "Аня", "Алматы", "ru"),
            (f"Біз сізбен біргеміз. {LONG_WORD}", None, "Астана", "kk"),
            ("Stay strong, we are with you.", "Dana", None, "en"),
            ("Waiting for a decision <b>here</b>", None, None, "en"),
        ):
            write_message(
                petition.id,
                body=body,
                name=name,
                city=city,
                language=language,
                client_address=None,
            )
        first, second, *_ = pending_messages(petition).messages
        decide_messages(petition, organiser, [first.id, second.id], approve=True)
        return live_server.url, petition.slug


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_the_support_pages_pass_axe(browser: Browser, site, viewport) -> None:
    url, slug = site
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    for language in LANGUAGES:
        visit(page, f"{url}/petitions/{slug}?lang={language}", 200)
        expect(page.locator("section.support .support-messages li")).to_have_count(2)
        check(page, source, f"petition with messages ({language})")
        visit(page, f"{url}/petitions/{slug}/support?lang={language}", 200)
        check(page, source, f"messages page ({language})")
        page.locator("#message").fill("see www.example.org")
        page.locator("#city").fill("x" * 50)
        page.locator("form button[type=submit]").last.click()
        expect(page.locator("#message-error")).to_be_visible()
        check(page, source, f"messages page with errors ({language})")
        page.locator("#message").fill(f"Solidarity ({language})")
        page.locator("form button[type=submit]").last.click()
        expect(page).to_have_url(f"{url}/petitions/{slug}/support/thanks?lang={language}#main")
        check(page, source, f"thank-you page ({language})")

    visit(page, f"{url}/?lang=en", 200)
    log_in_on_page(page, SimpleNamespace(url=url), PASSWORD)  # type: ignore[arg-type]
    expect(page.get_by_role("heading", name="Your petitions")).to_be_visible()
    for language in LANGUAGES:
        for state, path in {
            "organiser's petition": f"/organisers/petitions/{slug}/",
            "queue": f"/organisers/petitions/{slug}/support",
            "approved": f"/organisers/petitions/{slug}/support/approved",
        }.items():
            visit(page, f"{url}{path}?lang={language}", 200)
            expect(page.locator("html")).to_have_attribute("lang", language)
            check(page, source, f"{state} ({language})")
