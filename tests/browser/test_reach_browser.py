"""In Chromium: the widget framed by another site, the live counter, and the page without JavaScript."""

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from petition.extensions import db
from petition.models import Signature
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition, petition_by_slug
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from tests.browser.test_journey_browser import ARTIFACTS, confirm_link, signature_count
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must

pytestmark = pytest.mark.browser

TITLE = "Keep the Almaty river park green"


@pytest.fixture
def slug(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        return create_petition(
            title=TITLE, body="No car park on the meadow.", organiser=organiser, goal=100
        ).slug


class CampaignSite:
    """Another site (localhost, so a different site from 127.0.0.1) whose page frames the widget."""

    def __init__(self, widget_url: str) -> None:
        page = (
            '<!doctype html><html lang="en"><head><title>Appeals</title></head><body>'
            f'<h1>Our appeals</h1><iframe src="{widget_url}" title="Sign the petition" '
            'width="400" height="640"></iframe></body></html>'
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the standard library's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self._server.server_port}/appeals"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def campaign_site(live_server: LiveServer, slug: str) -> Iterator[CampaignSite]:
    site = CampaignSite(f"{live_server.url}/petitions/{slug}/embed")
    yield site
    site.stop()


def test_signing_in_a_frame_on_another_site_sends_the_confirmation(
    browser: Browser,
    live_server: LiveServer,
    smtp: SMTPServer,
    slug: str,
    campaign_site: CampaignSite,
) -> None:
    """The session cookie is withheld in a cross-site frame; the widget's form works without it."""
    context = browser.new_context(viewport={"width": 420, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/petitions/{slug}")  # holds a session cookie from now on
    page.goto(campaign_site.url)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(frame.get_by_text("0 verified signatures")).to_be_visible()
    frame.get_by_label("Your name").fill("Айгерим Нурланова")
    frame.get_by_label("Your email address").fill("aigerim@example.org")
    frame.get_by_label("Show my first name on the petition").check()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "widget-on-another-site.png", full_page=True)
    frame.get_by_role("button", name="Sign", exact=True).click()
    expect(frame.get_by_role("heading", name="Check your email")).to_be_visible()
    context.close()

    [message] = smtp.sink.wait_for(1)
    assert message["To"] == "aigerim@example.org"
    assert message["Subject"] == f"Confirm your signature: {TITLE}"
    reader = browser.new_page()
    reader.goto(confirm_link(message, live_server))
    reader.get_by_role("button", name="Confirm my signature").click()
    expect(
        reader.get_by_role("heading", name=re.compile("your signature is confirmed"))
    ).to_be_visible()
    assert signature_count(live_server, slug) == 1
    reader.goto(f"{live_server.url}/petitions/{slug}")
    expect(reader.locator(".signers li")).to_have_text(["Айгерим"])


def _sign_and_confirm(live_server: LiveServer, slug: str, email: str) -> None:
    """Another signer confirms in the meantime."""
    with live_server.app.app_context():
        sign_petition(must(petition_by_slug(slug)), name="Dana", email=email)
        signature = db.session.scalar(select(Signature).where(Signature.email == email))
        assert signature is not None
        confirm_signature(confirmation_token(signature))


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_counter_refreshes_every_30_seconds(
    browser: Browser, live_server: LiveServer, slug: str, motion: str
) -> None:
    page = browser.new_context(reduced_motion=motion).new_page()  # type: ignore[arg-type]
    page.clock.install()
    page.goto(f"{live_server.url}/petitions/{slug}")
    expect(page.locator(".count")).to_contain_text("0 verified signatures of a goal of 100")
    _sign_and_confirm(live_server, slug, "first@example.org")
    page.clock.run_for(30_000)
    if motion == "reduce":
        # No animation to wait for: the new number is there as soon as the answer is.
        expect(page.locator(".count")).to_contain_text("1 verified signature of a goal of 100")
    else:
        expect(page.locator("[data-count-label]")).to_have_text("verified signature")
        page.clock.run_for(1_000)  # the count-up animation runs on the page's clock
        expect(page.locator("[data-count]")).to_have_text("1")
    expect(page.locator("progress")).to_have_js_property("value", 1)


def test_without_javascript_the_page_shows_the_count_and_signing_works(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, slug: str
) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/petitions/{slug}")
    expect(page.locator(".count")).to_contain_text("0 verified signatures of a goal of 100")
    page.get_by_label("Your name").fill("Ivan Petrov")
    page.get_by_label("Your email address").fill("ivan@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(f"{live_server.url}/petitions/{slug}/embed")
    page.get_by_label("Your name").fill("Dana Smith")
    page.get_by_label("Your email address").fill("dana@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert len(smtp.sink.wait_for(2)) == 2
