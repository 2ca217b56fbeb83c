"""Privacy and moderation journeys in a real Chromium, with the strict CSP in force.

Screenshots go to test-artifacts/browser/<test-name>/ like the other browser journeys.
"""

# ruff: noqa: F811 (the shared browser fixtures are imported, then named as arguments)
import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.test_journey_browser import (  # noqa: F401 (fixtures)
    DESKTOP,
    ORGANISER,
    PHONE,
    SIGNER_EMAIL,
    SIGNER_NAME,
    Steps,
    confirm_link,
    fill_and_sign,
    plain_text,
    signature_count,
    slug,
    steps,
)
from tests.conftest import PASSWORD, LiveServer, SMTPServer

pytestmark = pytest.mark.browser


def watch_policy(page: Page) -> list[str]:
    """Collect every Content-Security-Policy complaint the page makes."""
    complaints: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            complaints.append(message.text)

    page.on("console", listen)
    return complaints


def test_a_signer_reads_the_privacy_page_confirms_then_withdraws(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str, steps: Steps
) -> None:
    page = browser.new_page(viewport=PHONE)
    complaints = watch_policy(page)
    page.goto(f"{live_server.url}/petitions/{slug}")
    honeypot = page.get_by_label("Leave this field empty")
    expect(honeypot).not_to_be_in_viewport()  # off-screen for people, there for bots
    expect(honeypot).to_have_attribute("tabindex", "-1")
    page.get_by_role("link", name="What we keep, for how long, and how to withdraw").click()
    expect(page.get_by_role("heading", name="Privacy: what we keep about you")).to_be_visible()
    steps.shot(page, "privacy")

    page.go_back()
    fill_and_sign(page, SIGNER_NAME, SIGNER_EMAIL)
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = smtp.sink.wait_for(1)
    page.goto(confirm_link(message, live_server))
    page.get_by_role("button", name="Confirm my signature").click()
    assert signature_count(live_server, slug) == 1

    [withdraw] = re.findall(r"\S+/withdraw/\S+", plain_text(message))
    page.goto(withdraw)
    expect(page.get_by_role("heading", name="Withdraw your signature")).to_be_visible()
    assert signature_count(live_server, slug) == 1, "opening the link alone must not withdraw"
    steps.shot(page, "withdraw-page")
    page.get_by_role("button", name="Withdraw my signature").click()
    expect(page.get_by_role("heading", name="Your signature is withdrawn")).to_be_visible()
    steps.shot(page, "withdrawn")
    assert signature_count(live_server, slug) == 0
    assert complaints == []


def test_an_organiser_spots_a_burst_counts_it_invalidates_and_reverses(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str, steps: Steps
) -> None:
    live_server.app.config["ACTIVITY_THRESHOLD"] = 2
    signers = browser.new_page(viewport=DESKTOP)
    for n in range(3):
        signers.goto(f"{live_server.url}/petitions/{slug}")
        fill_and_sign(signers, f"Bot {n}", f"bot{n}@burst.example")
        expect(signers.get_by_role("heading", name="Check your email")).to_be_visible()
    signers.close()

    page = browser.new_page(viewport=DESKTOP)
    complaints = watch_policy(page)
    page.goto(f"{live_server.url}/organisers/login")
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activity")
    busy = page.locator("a.over", has_text="burst.example")
    expect(busy).to_be_visible()
    steps.shot(page, "activity")

    busy.click()
    expect(page.get_by_label("Email domain", exact=True)).to_have_value("burst.example")
    page.get_by_label("Why").fill("Three signatures in a minute from one new domain")
    page.get_by_role("button", name="Count matching signatures").click()
    expect(page.get_by_role("heading", name="3 signatures match")).to_be_visible()
    steps.shot(page, "dry-run")
    page.get_by_role("button", name="Invalidate 3 signatures").click()
    expect(page.get_by_role("status")).to_contain_text("3 signatures marked as fraudulent")
    expect(page.get_by_role("cell", name="Three signatures in a minute")).to_be_visible()
    steps.shot(page, "invalidated")
    page.get_by_role("button", name="Reverse").click()
    expect(page.get_by_role("status")).to_contain_text("3 signatures restored")
    expect(page.get_by_text(re.compile(r"Reversed .* by organiser@example\.org"))).to_be_visible()
    steps.shot(page, "reversed")
    assert complaints == []
