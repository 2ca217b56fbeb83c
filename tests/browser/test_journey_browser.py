"""End-to-end journeys in a real headless Chromium: a signer on a phone, an organiser on a desktop.

Each step leaves a full-page screenshot in test-artifacts/browser/<test-name>/NN-step.png.
"""

import csv
import io
import json
import re
import shutil
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from tests.conftest import PASSWORD, LiveServer, SMTPServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TITLE = "Keep the Almaty river park green"
ORGANISER = "organiser@example.org"
SIGNER_NAME = "Айгерим Нурланова"
SIGNER_EMAIL = "aigerim@example.org"
THANKS = "Thank you: your signature is confirmed"


class Steps:
    """Numbered full-page screenshots of one test's steps."""

    def __init__(self, directory: Path) -> None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        self.directory = directory
        self._number = 0

    def shot(self, page: Page, step: str) -> None:
        """Save the whole page as the next numbered step."""
        self._number += 1
        page.screenshot(path=self.directory / f"{self._number:02d}-{step}.png", full_page=True)


@pytest.fixture
def steps(request: pytest.FixtureRequest) -> Steps:
    """A fresh screenshot folder named after the test."""
    return Steps(ARTIFACTS / re.sub(r"[^\w.-]", "_", request.node.name))


@pytest.fixture
def slug(live_server: LiveServer) -> str:
    """An open petition with a goal, run by one organiser, published in the live app."""
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title=TITLE,
            body="We ask the city **not** to build a car park on the river meadow.",
            organiser=organiser,
            target="Almaty city administration",
            goal=100,
        )
        return petition.slug


def signature_count(live_server: LiveServer, slug: str) -> int:
    """The verified count from the petition's public JSON, fetched without any cookies."""
    with urllib.request.urlopen(f"{live_server.url}/petitions/{slug}.json", timeout=10) as reply:
        return int(json.load(reply)["signature_count"])


def plain_text(message: EmailMessage) -> str:
    """A message's plain-text part."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text part"
    return str(part.get_content())


def confirm_link(message: EmailMessage, live_server: LiveServer) -> str:
    """The one confirmation link in a message's plain-text part."""
    text = plain_text(message)
    links = re.findall(r"\S+/confirm/\S+", text)
    assert len(links) == 1, text
    assert links[0].startswith(f"{live_server.url}/confirm/")
    return links[0]


def fill_and_sign(page: Page, name: str, email: str) -> None:
    """Fill the signing form and press Sign."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Sign", exact=True).click()


def test_signer_signs_on_a_phone_and_confirms_without_cookies(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str, steps: Steps
) -> None:
    """Home, petition, a form error, signing, the email, and a cookie-less confirmation."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Open petitions")).to_be_visible()
    steps.shot(page, "home")

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("0 verified signatures of a goal of 100")).to_be_visible()
    steps.shot(page, "petition")

    page.get_by_label("Your email address").fill(SIGNER_EMAIL)
    page.get_by_role("button", name="Sign", exact=True).click()
    # The refused form opens at its error summary, on a phone too: in view, focused, titled.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    problem = summary.get_by_role("link", name="Please enter your name.")
    expect(problem).to_have_attribute("href", "#name")
    expect(page.locator("#name-error")).to_have_text("Please enter your name.")
    name_field = page.get_by_label("Your name")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(name_field).to_have_attribute("aria-describedby", re.compile(r"\bname-error\b"))
    expect(page.get_by_label("Your email address")).to_have_value(SIGNER_EMAIL)
    steps.shot(page, "name-missing")

    fill_and_sign(page, SIGNER_NAME, SIGNER_EMAIL)
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    # The page keeps the language the form was read in, for browsers that keep no cookie.
    assert page.url == f"{live_server.url}/petitions/{slug}/check-email?lang=en#main"
    steps.shot(page, "check-email")

    [message] = smtp.sink.wait_for(1)
    assert message["To"] == SIGNER_EMAIL
    assert TITLE in message["Subject"]
    assert f"Hello {SIGNER_NAME}," in plain_text(message)
    link = confirm_link(message, live_server)
    context.close()

    mail_reader = browser.new_context(viewport=PHONE)
    assert mail_reader.cookies() == []
    page = mail_reader.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your signature")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my signature")).to_be_visible()
    assert signature_count(live_server, slug) == 0, "opening the link alone must not count"
    steps.shot(page, "confirm-page")

    stale_tab = mail_reader.new_page()
    stale_tab.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    expect(page.get_by_text("1 verified signature of a goal of 100")).to_be_visible()
    assert signature_count(live_server, slug) == 1
    steps.shot(page, "confirmed")

    page.goto(link)
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my signature")).to_have_count(0)
    steps.shot(page, "link-opened-again")

    stale_tab.get_by_role("button", name="Confirm my signature").click()
    expect(stale_tab.get_by_role("heading", name=THANKS)).to_be_visible()
    steps.shot(stale_tab, "button-pressed-again")
    assert signature_count(live_server, slug) == 1
    mail_reader.close()


def test_organiser_logs_in_and_downloads_the_verified_signatures_as_csv(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str, steps: Steps
) -> None:
    """One confirmed and one pending signer; the dashboard counts both, the CSV holds one."""
    signers = browser.new_context(viewport=DESKTOP)
    page = signers.new_page()
    for name, address in [(SIGNER_NAME, SIGNER_EMAIL), ("Pending Person", "pending@example.org")]:
        page.goto(f"{live_server.url}/petitions/{slug}")
        fill_and_sign(page, name, address)
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        steps.shot(page, f"signed-{address.split('@')[0]}")
    signers.close()
    [message] = [m for m in smtp.sink.wait_for(2) if m["To"] == SIGNER_EMAIL]
    request = urllib.request.Request(confirm_link(message, live_server), method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert "your signature is confirmed" in reply.read().decode()
    assert signature_count(live_server, slug) == 1

    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url)
    steps.shot(page, "home")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Organisers").click()
    expect(page.get_by_role("heading", name="Organiser login")).to_be_visible()
    steps.shot(page, "login")

    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your petitions")).to_be_visible()
    expect(page.get_by_text(f"Logged in as {ORGANISER}.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(re.escape(TITLE)))
    expect(row.get_by_role("cell")).to_have_text(["Open", "1", "1", re.compile("CSV")])
    steps.shot(page, "dashboard")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"{slug}-signatures.csv"
    saved = steps.directory / download.suggested_filename
    download.save_as(saved)
    steps.shot(page, "after-download")

    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert header == ["name", "email", "signed_at", "confirmed_at"]
    assert [record[:2] for record in rows] == [[SIGNER_NAME, SIGNER_EMAIL]]
    context.close()
