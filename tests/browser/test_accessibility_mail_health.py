"""The organiser's petition page with the confirmation funnel, a marked domain and the stall note,
checked by axe-core in English, Russian and Kazakh at 320 px and at a desktop width."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from tests.browser.test_accessibility import DESKTOP, NARROW, ORGANISER, check
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source
from tests.organisers.test_mail_health import add

pytestmark = pytest.mark.browser


@pytest.fixture
def slug(live_server: LiveServer) -> str:
    """A petition whose mail to one domain never arrives and whose confirmations have stalled."""
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions in the riverside district",
            body="We call on the city to stop evicting families.",
            organiser=organiser,
            goal=1000,
        )
        for n in range(11):
            add(petition, f"domain-{n}.example", 12 - n, (12 - n) // 2, timedelta(hours=8))
        add(petition, "a-very-long-mail-domain-name-of-a-provider.example", 15)
        add(petition, "mail.example", 25, confirmed=2, age=timedelta(hours=1, minutes=30))
        return petition.slug


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_the_funnel_and_the_stall_note_pass_axe(
    browser: Browser,
    live_server: LiveServer,
    slug: str,
    viewport: ViewportSize,
) -> None:
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{live_server.url}/organisers/login")
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for language in ("en", "ru", "kk"):
        response = page.goto(f"{live_server.url}/organisers/petitions/{slug}/?lang={language}")
        assert response is not None and response.status == 200
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#funnel tbody tr")).to_have_count(11)
        expect(page.locator("#funnel-flags li")).to_have_count(2)
        # The stall note; the share section's live region waits empty for "Link copied".
        expect(page.get_by_role("status").filter(has_text=re.compile(r"\S"))).to_have_count(1)
        check(page, source, f"funnel and stall note ({language}, {viewport['width']} px)")
