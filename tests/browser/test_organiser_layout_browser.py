"""Organisers' pages at a phone's 360 px and a desktop's 1280 px, full of a real campaign's data.

No page scrolls sideways; wide tables scroll inside their own region or become stacked rows; the
dashboard's counts are on screen on a phone; the chart's labels are readable there; every page
passes axe-core, with landmarks that each have a name of their own.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from petition.extensions import db
from petition.letters.actions import add_targets, letter_action, save_action
from petition.letters.target_files import parse_targets_csv
from petition.models import Petition, Signature, utcnow
from petition.moderation.invalidations import Criteria, invalidate
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.support.messages import write_message
from petition.transactions import write_transaction
from petition.updates.drafts import create_draft
from petition.updates.paper import record_paper_batch
from tests.browser.test_accessibility import ORGANISER, check, visit
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source
from tests.helpers.clock import today_utc
from tests.letters.support import BODY, EMBASSIES_CSV, SUBJECT

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TITLE_RU = "Остановите принудительные выселения семей в прибрежном районе города"


@dataclass
class Campaign:
    url: str
    slug: str
    letter_id: int
    update_id: int


def _sign_and_confirm(petition_id: int, number: int, days_ago: int) -> None:
    petition = db.session.get(Petition, petition_id)
    assert petition is not None
    email = f"signer{number}@mail{number % 3}.example.kz"
    sign_petition(petition, name=f"Айгерим Сатпаева {number}", email=email, wants_updates=True)
    signature = db.session.query(Signature).filter_by(email=email).one()
    if number % 4:
        confirm_signature(confirmation_token(signature))
    with write_transaction() as session:
        stored = session.get(Signature, signature.id)
        assert stored is not None
        stored.created_at = utcnow() - timedelta(days=days_ago)


@pytest.fixture
def campaign(live_server: LiveServer) -> Campaign:
    """A petition in English and Russian with a fortnight of signers and every organiser tool used."""
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions of families in the riverside district of the city",
            body="Families are evicted **without warning**.",
            organiser=organiser,
            target="The city administration",
            goal=5000,
            collects_country=True,
        )
        save_petition_text(petition, organiser, language="ru", title=TITLE_RU, body="Семьи.")
        for number in range(24):
            _sign_and_confirm(petition.id, number, days_ago=number % 12)
        sign_petition(
            petition, name="Held Signer", email="held@example.org", flag_reason="rate limit"
        )
        invalidate(
            petition,
            Criteria(domain="mail2.example.kz"),
            organiser=organiser,
            reason="Сотни подписей с одного адреса за минуту",
        )
        record_paper_batch(
            petition, organiser, count=240, collected_on=today_utc(), note="Коллегия адвокатов"
        )
        letter_id = save_action(
            petition, organiser, None, title="Write to the embassy", subject="Free them",
            body="Dear Ambassador,\n\nStop them.", copies=["campaign@example.org"],
            versions={"ru": {"title": "Напишите в посольство", "subject": SUBJECT, "body": BODY}},
        )  # fmt: skip
        action = letter_action(petition.id, letter_id)
        assert action is not None
        add_targets(
            petition, organiser, action, parse_targets_csv(EMBASSIES_CSV.encode()), imported=True
        )
        with write_transaction() as session:
            update = create_draft(
                session, petition, organiser, "Суд назначил слушание", "Слушание — 12 марта.", {}
            )
        write_message(
            petition.id, body="Держитесь! Мы с вами.", name="Айжан", city="Алматы",
            language="ru", client_address="192.0.2.1",
        )  # fmt: skip
        return Campaign(live_server.url, petition.slug, letter_id, update.id)


def log_in_on_page(page: Page, url: str) -> None:
    visit(page, f"{url}/organisers/login?lang=ru", 200)
    page.locator("input[name=email]").fill(ORGANISER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{url}/organisers/**")


def organiser_pages(campaign: Campaign) -> dict[str, str]:
    base = f"/organisers/petitions/{campaign.slug}"
    return {
        "dashboard": "/organisers/",
        "petition": f"{base}/",
        "editing": f"{base}/edit",
        "other languages": f"{base}/texts",
        "paper": f"{base}/paper",
        "timeline": f"{base}/timeline",
        "new update": f"{base}/updates/new",
        "a draft update": f"{base}/updates/{campaign.update_id}",
        "the step before sending it": f"{base}/updates/{campaign.update_id}/send",
        "new letter": f"{base}/letters/new",
        "a letter with targets": f"{base}/letters/{campaign.letter_id}",
        "messages of support": f"{base}/support",
        "approved messages": f"{base}/support/approved",
        "activity": f"{base}/activity/",
        "password": "/organisers/password",
        "new petition": "/organisers/petitions/new",
        "a forgotten password": "/organisers/forgot-password",
    }


# Whatever reaches past the window's right edge outside a region that scrolls on its own.
PAST_THE_EDGE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .filter(e => !e.closest('.table-scroll') && !e.closest('.visually-hidden'))
  .map(e => e.tagName + (e.id ? '#' + e.id : ''))"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_no_organiser_page_is_wider_than_the_window(
    browser: Browser, campaign: Campaign, viewport: ViewportSize
) -> None:
    source = axe_source()
    page = browser.new_context(viewport=viewport, locale="ru-RU").new_page()
    log_in_on_page(page, campaign.url)
    for state, path in organiser_pages(campaign).items():
        visit(page, f"{campaign.url}{path}?lang=ru", 200)
        check(page, source, f"{state} at {viewport['width']}px")
        assert page.evaluate(PAST_THE_EDGE) == [], f"{state}: past the right edge"


def test_the_dashboard_shows_every_count_on_a_phone(browser: Browser, campaign: Campaign) -> None:
    page = browser.new_context(viewport=PHONE, locale="ru-RU").new_page()
    log_in_on_page(page, campaign.url)
    visit(page, f"{campaign.url}/organisers/?lang=ru", 200)
    row = page.locator("#petition-list tbody tr").first
    for cell in row.locator("td.num").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Each value is named by its column, since the header row is not shown above it.
    verified = row.locator("td.num").first
    label = verified.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "Подтверждено" in label
    # The title is whole words on a line, not a column a few letters wide.
    title = row.locator(".stack-title a")
    assert title.inner_text().startswith("Остановите")
    title_box = title.bounding_box()
    assert title_box is not None and title_box["width"] > PHONE["width"] / 2


def test_the_desktop_gives_tables_the_width(browser: Browser, campaign: Campaign) -> None:
    page = browser.new_context(viewport=DESKTOP, locale="ru-RU").new_page()
    log_in_on_page(page, campaign.url)
    visit(page, f"{campaign.url}/organisers/?lang=ru", 200)
    table = page.locator("#petition-list").bounding_box()
    assert table is not None and table["width"] > 1000
    # The header's words fit whole; none is cut off inside its cell.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('#petition-list th')]
          .filter(th => th.scrollWidth > th.clientWidth).map(th => th.textContent)"""
    )
    assert clipped == []
    visit(
        page,
        f"{campaign.url}/organisers/petitions/{campaign.slug}/letters/{campaign.letter_id}",
        200,
    )
    region = page.locator(".table-scroll:has(#target-list)")
    assert region.evaluate("box => box.scrollWidth <= box.clientWidth"), "targets cut off"


def test_the_chart_labels_are_readable_on_a_phone(browser: Browser, campaign: Campaign) -> None:
    page = browser.new_context(viewport=PHONE, locale="ru-RU").new_page()
    log_in_on_page(page, campaign.url)
    visit(page, f"{campaign.url}/organisers/petitions/{campaign.slug}/?lang=ru", 200)
    labels = page.locator(".chart-y span, .chart-x span")
    assert labels.count() == 4
    for label in labels.all():
        size = float(label.evaluate("span => getComputedStyle(span).fontSize").removesuffix("px"))
        height = label.bounding_box()
        assert size >= 12 and height is not None and height["height"] >= 12
    bars = page.locator("svg.chart rect.verified")
    assert bars.count() >= 5
