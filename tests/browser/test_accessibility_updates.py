"""The pages of updates to signers, checked by axe-core in Chromium in every language and width."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, ViewportSize
from sqlalchemy import select

from petition.extensions import db
from petition.models import Signature, SignatureStatus
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.signing.links import confirmation_token, unsubscribe_token
from petition.signing.signatures import sign_petition
from petition.transactions import write_transaction
from petition.updates.drafts import create_draft, queue_update
from tests.browser.test_accessibility import (
    ORGANISER,
    SCREENS_AND_LANGUAGES,
    check,
    visit,
)
from tests.conftest import PASSWORD, LiveServer
from tests.helpers.browsing import axe_source

pytestmark = pytest.mark.browser


@dataclass
class UpdatesSite:
    url: str
    slug: str
    confirm_path: str
    unsubscribe_path: str
    draft_id: int
    sent_id: int


@pytest.fixture
def site(live_server: LiveServer) -> UpdatesSite:
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions", body="Families are evicted.", organiser=organiser
        )
        save_petition_text(
            petition, organiser, language="ru", title="Остановите выселения", body="Семьи."
        )
        for email in ("ann@example.org", "bob@example.org"):
            sign_petition(petition, name="Ann", email=email, wants_updates=True, mail=False)
        ann, bob = db.session.scalars(select(Signature).order_by(Signature.id)).all()
        with write_transaction() as session:
            session.get(Signature, ann.id).status = SignatureStatus.CONFIRMED  # type: ignore[union-attr]
            sent = create_draft(
                session, petition, organiser, "Delivered", "It was **delivered**.", {}
            )
            queue_update(session, petition, organiser, sent.id)
            draft = create_draft(
                session,
                petition,
                organiser,
                "An answer came",
                "They **answered**.",
                {"ru": {"subject": "Пришёл ответ", "body": "Они **ответили**."}},
            )
            ids = (sent.id, draft.id)
        return UpdatesSite(
            url=live_server.url,
            slug=petition.slug,
            confirm_path=f"/confirm/{confirmation_token(bob)}",
            unsubscribe_path=f"/unsubscribe/{unsubscribe_token(ann)}",
            draft_id=ids[1],
            sent_id=ids[0],
        )


@pytest.mark.parametrize(("viewport", "language"), SCREENS_AND_LANGUAGES)
def test_the_update_pages_pass_axe(
    browser: Browser, site: UpdatesSite, viewport: ViewportSize, language: str
) -> None:
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    lang = f"?lang={language}"
    public = {
        "sign form with the updates box": (f"/petitions/{site.slug}{lang}", 200),
        "widget with the updates box": (f"/petitions/{site.slug}/embed{lang}", 200),
        "confirm, with updates": (f"{site.confirm_path}{lang}", 200),
        "privacy": (f"/privacy{lang}", 200),
        "unsubscribe": (f"{site.unsubscribe_path}{lang}", 200),
        "unsubscribe, broken link": (f"/unsubscribe/not-a-link{lang}", 400),
    }
    for state, (path, status) in public.items():
        visit(page, site.url + path, status)
        check(page, source, f"{state} ({language})")
    visit(page, site.url + site.unsubscribe_path + lang, 200)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check(page, source, f"unsubscribed ({language})")

    visit(page, f"{site.url}/organisers/login?lang=en", 200)
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site.url}/organisers/**")
    base = f"/organisers/petitions/{site.slug}"
    organiser = {
        "petition page with updates": (f"{base}/{lang}", 200),
        "new update": (f"{base}/updates/new{lang}", 200),
        "draft": (f"{base}/updates/{site.draft_id}{lang}", 200),
        "sent update": (f"{base}/updates/{site.sent_id}{lang}", 200),
    }
    for state, (path, status) in organiser.items():
        visit(page, site.url + path, status)
        check(page, source, f"{state} ({language})")
    # The preview, and a refused text with its message beside the field.
    visit(page, f"{site.url}{base}/updates/{site.draft_id}{lang}", 200)
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_load_state()
    assert page.locator("section.preview").count() == 1
    check(page, source, f"preview ({language})")
    page.locator("#body").fill("x" * 20_001)
    page.locator("button[name=action][value=save]").click()
    page.wait_for_load_state()
    assert page.locator("#body-error").count() == 1
    check(page, source, f"too long ({language})")
    # Sending is refused this week (one was sent): the message is shown on the page.
    visit(page, f"{site.url}{base}/updates/{site.draft_id}{lang}", 200)
    page.locator("form[action$='/send'] button").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    check(page, source, f"too many updates ({language})")
