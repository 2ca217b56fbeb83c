"""The timeline and paper-signature pages checked by axe-core in Chromium, in three languages.

The public petition page with a timeline and paper signatures, and the organisers' pages that
record them (with and without errors), at 320 px and a desktop width, in English, Russian and
Kazakh: zero violations, nothing wider than the window.
"""

from datetime import date
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page, expect

from petition.demo import HOUSING
from petition.models import MilestoneKind
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.updates.milestones import record_milestone
from petition.updates.paper import record_paper_batch
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


@pytest.fixture
def site(live_server: LiveServer):
    """A live site with one petition that was delivered, answered, noted and signed on paper."""
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions in the riverside district",
            body=HOUSING,
            organiser=organiser,
            target="The city administration",
            goal=1000,
        )
        save_petition_text(
            petition,
            organiser,
            language="ru",
            title="Остановите принудительные выселения",
            body="Семьи выселяют **без предупреждения**.",
        )
        record_milestone(
            petition,
            organiser,
            kind=MilestoneKind.DELIVERED,
            happened_on=date(2026, 3, 3),
            recipient="The Mayor's office, Room 12, City Hall, Riverside district",
            method="by hand",
            reference="A-123/26-very-long-reference-number-without-spaces-0000000000",
        )
        record_milestone(
            petition,
            organiser,
            kind=MilestoneKind.ANSWERED,
            happened_on=date(2026, 3, 20),
            text="The city **will review** the eviction orders.\n\n- one\n- two",
            link="https://city.example.org/answers/2026/03/20/a-very-long-path-to-the-answer",
        )
        record_milestone(
            petition,
            organiser,
            kind=MilestoneKind.NOTE,
            happened_on=date(2026, 4, 1),
            text="The council hears us in April.",
        )
        record_paper_batch(
            petition, organiser, count=1200, collected_on=date(2026, 2, 1), note="Market square"
        )
        return live_server.url, petition.slug


def blur(page: Page) -> None:
    """Check the page as it is read, not with the pressed button's focus carried over: Chromium
    under load once kept focus where the skip link shows, which axe then measured."""
    page.evaluate("document.activeElement && document.activeElement.blur()")


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_the_timeline_and_paper_pages_pass_axe(browser: Browser, site, viewport) -> None:
    url, slug = site
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    for language in LANGUAGES:
        visit(page, f"{url}/petitions/{slug}?lang={language}", 200)
        expect(page.locator("ol.timeline > li")).to_have_count(3)
        check(page, source, f"petition with a timeline ({language})")

    visit(page, f"{url}/?lang=en", 200)  # the login's labels are found by their English words
    log_in_on_page(page, SimpleNamespace(url=url), PASSWORD)  # type: ignore[arg-type]
    expect(page.get_by_role("heading", name="Your petitions")).to_be_visible()
    for language in LANGUAGES:
        for state, path in {
            "organiser's petition": f"/organisers/petitions/{slug}/",
            "timeline": f"/organisers/petitions/{slug}/timeline",
            "paper": f"/organisers/petitions/{slug}/paper",
        }.items():
            visit(page, f"{url}{path}?lang={language}", 200)
            expect(page.locator("html")).to_have_attribute("lang", language)
            check(page, source, f"{state} ({language})")

        visit(page, f"{url}/organisers/petitions/{slug}/timeline?lang={language}", 200)
        page.locator("#delivered-happened_on").fill("2999-01-01")
        page.locator("section[aria-labelledby=delivered-heading] button[type=submit]").click()
        expect(page.locator("#delivered-happened_on-error")).to_be_visible()
        blur(page)
        check(page, source, f"timeline with errors ({language})")

        visit(page, f"{url}/organisers/petitions/{slug}/paper?lang={language}", 200)
        page.locator("#count").fill("-5")
        page.locator("form.narrow button[type=submit]").click()
        expect(page.locator("#count-error")).to_be_visible()
        blur(page)
        check(page, source, f"paper with errors ({language})")
