"""A message of support in Chromium: a supporter writes one in Russian on the petition page, the
organiser approves it in the queue and it appears; one they reject never does."""

import pytest
from playwright.sync_api import Browser, expect

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from tests.browser.test_accessibility import ORGANISER, log_in_on_page, visit
from tests.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser
KIND = "Держитесь! Мы с вами.\nВесь Алматы с вами."
UNKIND = "Это сообщение не для стены"


@pytest.fixture
def slug(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        return create_petition(
            title="Free the jailed lawyer", body="She defended families.", organiser=organiser
        ).slug


def test_an_approved_message_appears_and_a_rejected_one_never_does(
    browser: Browser, live_server: LiveServer, slug: str
) -> None:
    url = live_server.url
    supporter = browser.new_context().new_page()
    for text, name in ((KIND, "Аня"), (UNKIND, "Спамер")):
        visit(supporter, f"{url}/petitions/{slug}?lang=ru", 200)
        form = supporter.locator("section.support form")
        # Found by id: the words are Russian once the catalogue has them.
        form.locator("#message").fill(text)
        form.locator("#first_name").fill(name)
        form.locator("#city").fill("Алматы")
        form.locator("button[type=submit]").click()
        expect(supporter).to_have_url(f"{url}/petitions/{slug}/support/thanks?lang=ru#main")
        expect(supporter.locator("html")).to_have_attribute("lang", "ru")
    # A link is refused with a message, and what was typed stays.
    visit(supporter, f"{url}/petitions/{slug}/support?lang=ru", 200)
    supporter.locator("#message").fill("Подробности на www.example.org")
    supporter.locator("form button[type=submit]").last.click()
    expect(supporter.locator("#message-error")).to_be_visible()
    expect(supporter.locator("#message")).to_have_value("Подробности на www.example.org")
    visit(supporter, f"{url}/petitions/{slug}?lang=ru", 200)
    expect(supporter.locator(".support-messages")).to_have_count(0)

    organiser = browser.new_context().new_page()
    visit(organiser, f"{url}/?lang=en", 200)
    log_in_on_page(organiser, live_server, PASSWORD)  # type: ignore[arg-type]
    visit(organiser, f"{url}/organisers/petitions/{slug}/", 200)
    expect(organiser.locator("#support")).to_contain_text("2 messages are waiting")
    organiser.locator("#support").get_by_role("link", name="Read and decide").click()
    items = organiser.locator(".support-messages li")
    expect(items).to_have_count(2)
    items.filter(has_text="Держитесь").get_by_label("Select this message").check()
    organiser.get_by_role("button", name="Approve selected").click()
    expect(organiser.get_by_text("1 message approved.")).to_be_visible()
    organiser.locator(".support-messages li").get_by_label("Select this message").check()
    organiser.get_by_role("button", name="Reject selected").click()
    expect(organiser.get_by_text("1 message rejected.")).to_be_visible()
    expect(organiser.get_by_text("No message is waiting.")).to_be_visible()

    visit(supporter, f"{url}/petitions/{slug}?lang=ru", 200)
    supporter.reload()  # the browser may keep its copy of the page for a few seconds
    shown = supporter.locator(".support-messages li")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("lang", "ru")
    expect(shown.locator("blockquote")).to_have_text(KIND)
    expect(shown).to_contain_text("Аня, Алматы")
    assert UNKIND not in supporter.content()
    visit(supporter, f"{url}/petitions/{slug}/support", 200)
    expect(supporter.locator(".support-messages li")).to_have_count(1)
    assert UNKIND not in supporter.content()
