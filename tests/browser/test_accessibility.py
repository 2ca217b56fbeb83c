"""Every public page and error state checked by axe-core in Chromium, and the petition page's weight.

axe-core (npm) runs inside the page against the WCAG 2.2 AA rules: zero violations allowed.
Pages are checked at 320 px wide (a small phone, and what 1280 px at 400% zoom reflows to) and
at a desktop width.
"""

import gzip
import re
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from petition.demo import HOUSING
from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus, utcnow
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.signing.links import confirmation_token
from petition.signing.signatures import sign_petition
from petition.transactions import write_transaction
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source, axe_violations, describe
from tests.helpers.checks import must
from tests.helpers.clock import days_from_today

pytestmark = pytest.mark.browser

ORGANISER = "organiser@example.org"
PAGE_BUDGET_BYTES = 30 * 1024
NARROW: ViewportSize = {"width": 320, "height": 640}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# Every language on a phone, where most readers of Russian and Kazakh are; the wide layout once,
# in English: a translation changes the words, not the wide layout's colours, sizes or names.
SCREENS_AND_LANGUAGES = [
    pytest.param(NARROW, "en", id="320px-en"),
    pytest.param(NARROW, "ru", id="320px-ru"),
    pytest.param(NARROW, "kk", id="320px-kk"),
    pytest.param(DESKTOP, "en", id="desktop-en"),
]


@dataclass
class Site:
    """A live site with one petition in every state a page can show."""

    url: str
    open_slug: str
    closed_slug: str
    confirm_path: str
    confirmed_path: str
    expired_path: str
    closed_link_path: str


def _signature(petition: Petition, email: str, show_name: bool = False) -> Signature:
    sign_petition(petition, name=f"Dana {email[0].upper()}", email=email, show_name=show_name)
    return must(db.session.scalar(select(Signature).where(Signature.email == email)))


@pytest.fixture
def site(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    app = live_server.app
    with app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions in the riverside district",
            body=HOUSING,
            organiser=organiser,
            target="The city administration",
            goal=1000,
        )
        closed = create_petition(
            title="Free the jailed lawyer",
            body="She was jailed for defending families.",
            organiser=organiser,
            closes_on=days_from_today(-5),
        )
        save_petition_text(
            petition,
            organiser,
            language="ru",
            title="Остановите принудительные выселения в прибрежном районе",
            body="Семьи выселяют **без предупреждения**.",
        )
        pending = _signature(petition, "bob@example.org")
        listed = _signature(petition, "aigerim@example.org", show_name=True)
        with write_transaction() as session:
            must(session.get(Signature, listed.id)).status = SignatureStatus.CONFIRMED
            must(session.get(Signature, listed.id)).country = "KZ"
            must(session.get(Petition, petition.id)).signature_count = 1
            # Signed days before the closed petition closed; too late to confirm now.
            stale = Signature(
                petition_id=closed.id,
                name="Old Signer",
                email="old@example.org",
                email_canonical="old@example.org",
                created_at=utcnow() - timedelta(days=9),
            )
            session.add(stale)
        paths = {
            "confirm_path": f"/confirm/{confirmation_token(pending)}",
            "confirmed_path": f"/confirm/{confirmation_token(listed)}",
            "closed_link_path": f"/confirm/{confirmation_token(stale)}",
        }
        issued = time.time() - app.config["CONFIRMATION_MAX_AGE"] - 60
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued)
        paths["expired_path"] = f"/confirm/{confirmation_token(pending)}"
        monkeypatch.undo()
        return Site(url=live_server.url, open_slug=petition.slug, closed_slug=closed.slug, **paths)


def check(page: Page, source: str, state: str) -> None:
    """No WCAG 2.2 AA violation on the page, and nothing wider than the window."""
    violations = axe_violations(page, source)
    assert violations == [], f"{state}: {describe(violations)}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{state}: the page scrolls sideways by {overflow}px"


def visit(page: Page, url: str, status: int) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url


def log_in_on_page(page: Page, site: Site, password: str) -> None:
    visit(page, f"{site.url}/organisers/login", 200)
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_every_page_and_error_state_passes_axe(
    browser: Browser, site: Site, viewport: ViewportSize
) -> None:
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    pages = {
        "home": ("/", 200),
        "petition": (f"/petitions/{site.open_slug}", 200),
        "closed petition": (f"/petitions/{site.closed_slug}", 200),
        "confirm": (site.confirm_path, 200),
        "confirmed": (site.confirmed_path, 200),
        "confirmed, in Russian": (f"{site.confirmed_path}?lang=ru", 200),
        "confirmed, in Kazakh": (f"{site.confirmed_path}?lang=kk", 200),
        "expired link": (site.expired_path, 410),
        "invalid link": ("/confirm/not-a-real-link", 400),
        "closed before confirming": (site.closed_link_path, 410),
        "not found": ("/petitions/no-such-petition", 404),
        "widget": (f"/petitions/{site.open_slug}/embed", 200),
        "closed widget": (f"/petitions/{site.closed_slug}/embed", 200),
        "organiser login": ("/organisers/login", 200),
        "petition in another language": (f"/petitions/{site.open_slug}?lang=ru", 200),
        "petition with no version in the reader's": (f"/petitions/{site.open_slug}?lang=kk", 200),
        "home, back in English": ("/?lang=en", 200),
    }
    for state, (path, status) in pages.items():
        visit(page, site.url + path, status)
        check(page, source, state)

    visit(page, site.url + site.confirm_path, 200)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", name="Your receipt")).to_be_visible()
    check(page, source, "confirmed, with a receipt")
    receipt = page.locator("#receipt-code").inner_text()
    visit(page, f"{site.url}/petitions/{site.open_slug}/receipt", 200)
    check(page, source, "the receipt form")
    page.get_by_label("Your receipt").fill("not a receipt")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("#receipt-error")).to_be_visible()
    check(page, source, "the receipt form with an error")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_text("It is counted.", exact=True)).to_be_visible()
    check(page, source, "a receipt checked")

    visit(page, f"{site.url}/petitions/{site.open_slug}", 200)
    page.get_by_label("Your email address").fill("not an address")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, source, "sign form with errors")
    page.get_by_label("Your name").fill("Dana Smith")
    page.get_by_label("Your email address").fill("dana@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check(page, source, "check your email")

    visit(page, f"{site.url}/petitions/{site.open_slug}/embed", 200)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, source, "widget with errors")
    page.get_by_label("Your name").fill("Dana Smith")
    page.get_by_label("Your email address").fill("dana2@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check(page, source, "widget: check your email")

    log_in_on_page(page, site, "wrong password")
    expect(page.locator("#password-error")).to_be_visible()
    check(page, source, "organiser login with an error")
    log_in_on_page(page, site, PASSWORD)
    expect(page.get_by_role("heading", name="Your petitions")).to_be_visible()
    check(page, source, "dashboard")
    organiser_pages = {
        "organiser's petition": f"/organisers/petitions/{site.open_slug}/",
        "editing a petition": f"/organisers/petitions/{site.open_slug}/edit",
        "its other languages": f"/organisers/petitions/{site.open_slug}/texts",
        "a new petition": "/organisers/petitions/new",
        "changing the password": "/organisers/password",
        "invalid invitation": "/organisers/invitations/not-a-real-one",
    }
    for state, path in organiser_pages.items():
        page.goto(site.url + path)
        check(page, source, state)
    page.goto(f"{site.url}/organisers/petitions/new")
    page.get_by_role("button", name=re.compile("Publish|Create|Start", re.I)).first.click()
    expect(page.locator(".error").first).to_be_visible()
    check(page, source, "a new petition with errors")
    # The organiser's side in Kazakh and Russian: longer labels, other plural forms, other dates.
    organiser_pages |= {
        "dashboard": "/organisers/",
        "its activity": f"/organisers/petitions/{site.open_slug}/activity/",
    }
    for language in ("kk", "ru"):
        for state, path in organiser_pages.items():
            page.goto(f"{site.url}{path}?lang={language}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            check(page, source, f"{state} ({language})")

    # In Russian: longer words, another language on the page, and the switcher's own languages.
    russian = browser.new_context(viewport=viewport).new_page()
    visit(russian, f"{site.url}/petitions/{site.open_slug}?lang=ru", 200)
    check(russian, source, "petition in Russian")
    russian.get_by_role("button", name="Подписать", exact=True).click()
    expect(russian.get_by_role("alert")).to_be_visible()
    check(russian, source, "sign form with errors in Russian")


def test_the_petition_page_is_light_and_asks_no_one_else(browser: Browser, site: Site) -> None:
    """Under 30 KB gzip-compressed with its CSS and script, and no request leaves the site."""
    page = browser.new_context(viewport=NARROW).new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    visit(page, f"{site.url}/petitions/{site.open_slug}", 200)
    page.wait_for_load_state("load")
    weights = {}
    for url in requested:
        response = page.request.get(url)
        if response.ok:
            weights[url.removeprefix(site.url).split("?v=")[0]] = len(
                gzip.compress(response.body())
            )
    assert [url for url in requested if not url.startswith(site.url + "/")] == []
    assert set(weights) >= {f"/petitions/{site.open_slug}", "/static/site.css"}, weights
    total = sum(weights.values())
    print(f"petition page, gzip-compressed: {total} bytes {weights}")
    assert total < PAGE_BUDGET_BYTES, weights


def test_axe_does_report_a_violation_when_there_is_one(browser: Browser) -> None:
    """Guards the checks above against passing because axe never ran."""
    page = browser.new_page()
    page.set_content('<html lang="en"><body><main><input type="text"></main></body></html>')
    assert "label" in {violation["id"] for violation in axe_violations(page, axe_source())}
