"""On a phone, an organiser sends an update: the draft, the step that says to whom, then the mail."""

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from sqlalchemy import select

from petition.extensions import db
from petition.models import Signature, SignatureStatus
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing.signatures import sign_petition
from petition.transactions import write_transaction
from petition.updates.drafts import create_draft
from tests.browser.test_accessibility import ORGANISER, check, visit
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.browsing import axe_source

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 740}


def test_on_a_phone_the_step_shows_the_recipients_then_sends_to_them(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer
) -> None:
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Stop the forced evictions", body="Families are evicted.", organiser=organiser
        )
        signers = {"anna@example.org": "ru", "boris@example.org": "ru", "aliya@example.org": "kk"}
        for email, language in signers.items():
            sign_petition(
                petition, name="A", email=email, language=language, wants_updates=True, mail=False
            )
        with write_transaction() as session:
            for signature in session.scalars(select(Signature)):
                signature.status = SignatureStatus.CONFIRMED
            draft = create_draft(
                session,
                petition,
                organiser,
                "An answer came",
                "They **answered**.",
                {"ru": {"subject": "Пришёл ответ", "body": "Они **ответили**."}},
            ).id
        slug = petition.slug
        db.session.remove()

    page = browser.new_context(viewport=PHONE).new_page()
    visit(page, f"{live_server.url}/organisers/login", 200)
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/organisers/**")

    visit(page, f"{live_server.url}/organisers/petitions/{slug}/updates/{draft}", 200)
    page.get_by_role("button", name="Send…").click()
    page.wait_for_url(f"**/updates/{draft}/send")
    expect(page.locator("#recipients")).to_have_text("This update will be emailed to 3 signers:")
    expect(page.get_by_text("Russian: 2 signers")).to_be_visible()
    expect(page.get_by_text("English: 1 signer", exact=True)).to_be_visible()
    assert smtp.sink.messages == []  # nothing left before the organiser confirms
    check(page, axe_source(), "the step before sending, 360px")
    send = page.get_by_role("button", name="Send to 3 signers")
    box = send.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    send.click()
    page.wait_for_url("**#updates")
    expect(page.get_by_text("The update is on its way to 3 signers.")).to_be_visible()
    subjects = sorted(str(message["Subject"]) for message in smtp.sink.wait_for(3))
    assert subjects == ["An answer came", "Пришёл ответ", "Пришёл ответ"]
