"""On a phone: the sign form one tap from the top, no page wider than the screen, nothing typed lost.

Chromium at 320 and 360 px, in English, Russian and Kazakh, with a petition as long as a real
appeal (eight paragraphs, a link too long for the line, the demands in a list).
"""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from petition.extensions import db
from petition.letters.actions import save_action
from petition.models import Organiser, Signature
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.signing.links import withdrawal_token
from petition.signing.signatures import sign_petition
from tests.browser.test_accessibility import (  # noqa: F401 - the live site, as a fixture
    DESKTOP,
    NARROW,
    ORGANISER,
    Site,
    check,
    site,
    visit,
)
from tests.conftest import LiveServer
from tests.helpers.browsing import axe_source

pytestmark = pytest.mark.browser

PHONES: dict[str, ViewportSize] = {
    "320px": {"width": 320, "height": 640},
    "360px": {"width": 360, "height": 740},
}
LANGUAGES = ("en", "ru", "kk")
LONG_LINK = "https://example.org/" + "documents/court-decisions/" * 6 + "decision.pdf"


def appeal(paragraph: str, demands_intro: str, demands: list[str]) -> str:
    """Eight paragraphs as long as a real appeal's, the demands in a list after the seventh."""
    paragraphs = [f"{paragraph} ({n})" for n in range(1, 8)]
    paragraphs[3] += f" [{LONG_LINK}]({LONG_LINK}) `{'kodtyn_atauy_' * 6}`"
    listed = "\n".join(f"- {demand}" for demand in demands)
    return "\n\n".join([*paragraphs[:6], demands_intro, listed, paragraphs[6]])


RU = appeal(
    "С весны семьям в прибрежном районе дают десять дней, чтобы покинуть дома, в которых они "
    "прожили десятилетия; детей забирают из школ посреди года, пожилым жителям некуда идти, "
    "а администрация не отвечает ни на письма, ни на обращения депутатов.",
    "Мы требуем от администрации города:",
    ["остановить все выселения", "предоставить достойное жильё в том же районе"],
)
KK = appeal(
    "Көктемнен бері өзен жағасындағы аудандағы отбасыларға ондаған жыл тұрған үйлерінен кетуге "
    "он күн ғана беріледі; балалар оқу жылының ортасында мектептен шығарылып жатыр, қарт "
    "тұрғындардың баратын жері жоқ, ал әкімдік хаттарға да, депутаттардың сауалдарына да жауап "
    "бермейді.",
    "Біз қала әкімдігінен талап етеміз:",
    ["барлық көшіруді тоқтату", "сол аудандан лайықты баспана беру"],
)


@dataclass
class PhoneSite:
    """The accessibility checks' site, with a long petition that asks for the signer's country."""

    site: Site
    slug: str
    withdraw_path: str
    letter_path: str

    @property
    def url(self) -> str:
        return self.site.url


@pytest.fixture
def phone_site(site: Site, live_server: LiveServer) -> PhoneSite:  # noqa: F811
    with live_server.app.app_context():
        organiser = db.session.scalar(select(Organiser).where(Organiser.email == ORGANISER))
        assert organiser is not None
        petition = create_petition(
            title="Остановите принудительные выселения в прибрежном районе",
            body=RU,
            organiser=organiser,
            target="Администрация города",
            goal=10000,
            collects_country=True,
            language="ru",
        )
        save_petition_text(
            petition,
            organiser,
            language="kk",
            title="Өзен жағасындағы аудандағы мәжбүрлі көшіруді тоқтатыңыздар",
            body=KK,
        )
        sign_petition(petition, name="Dana Withdrawing", email="withdraw@example.org")
        signature = db.session.scalar(
            select(Signature).where(Signature.email == "withdraw@example.org")
        )
        assert signature is not None
        action_id = save_action(
            petition, organiser, None, title="Напишите в администрацию", subject="Выселения",
            body="Уважаемый глава администрации!\n\n" + LONG_LINK, copies=[], versions={},
        )  # fmt: skip
        return PhoneSite(
            site=site,
            slug=petition.slug,
            withdraw_path=f"/withdraw/{withdrawal_token(signature)}",
            letter_path=f"/petitions/{petition.slug}/letters/{action_id}",
        )


def public_pages(phone: PhoneSite) -> dict[str, str]:
    """Every page a member of the public can open, by what it shows."""
    long = f"/petitions/{phone.slug}"
    return {
        "home": "/",
        "a long petition that asks for the country": long,
        "a short petition": f"/petitions/{phone.site.open_slug}",
        "a closed petition": f"/petitions/{phone.site.closed_slug}",
        "check your email": f"{long}/check-email",
        "the code form": f"{long}/code",
        "the receipt form": f"{long}/receipt",
        "messages of support": f"{long}/support",
        "thanks for a message": f"{long}/support/thanks",
        "privacy": "/privacy",
        "a letter action": phone.letter_path,
        "confirm": phone.site.confirm_path,
        "confirmed": phone.site.confirmed_path,
        "withdraw": phone.withdraw_path,
        "the widget": f"{long}/embed",
        "the widget of a closed petition": f"/petitions/{phone.site.closed_slug}/embed",
    }


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", PHONES.values(), ids=PHONES.keys())
def test_no_public_page_is_wider_than_a_phone(
    browser: Browser, phone_site: PhoneSite, viewport: ViewportSize
) -> None:
    page = browser.new_context(viewport=viewport).new_page()
    for language in LANGUAGES:
        for state, path in public_pages(phone_site).items():
            separator = "&" if "?" in path else "?"
            page.goto(f"{phone_site.url}{path}{separator}lang={language}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            assert overflow(page) <= 0, f"{state} ({language}) is {overflow(page)}px too wide"
        # Opened, the folded text wraps too.
        page.goto(f"{phone_site.url}/petitions/{phone_site.slug}?lang={language}")
        page.locator("details.more summary").click()
        expect(page.locator("details.more")).to_have_attribute("open", "")
        assert overflow(page) <= 0, f"the whole text ({language}) is {overflow(page)}px too wide"


@pytest.mark.parametrize("script", [True, False], ids=["script", "no script"])
@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("viewport", PHONES.values(), ids=PHONES.keys())
def test_the_sign_form_is_one_tap_from_the_top(
    browser: Browser,
    phone_site: PhoneSite,
    viewport: ViewportSize,
    language: str,
    script: bool,
) -> None:
    page = browser.new_context(viewport=viewport, java_script_enabled=script).new_page()
    visit(page, f"{phone_site.url}/petitions/{phone_site.slug}?lang={language}", 200)
    to_sign = page.locator(".to-sign a")
    expect(to_sign).to_be_in_viewport()
    expect(page.locator(".count")).to_be_in_viewport()
    expect(page.locator("#email")).not_to_be_in_viewport()
    # The demands and the target are never folded away; the middle of the appeal is.
    demands = page.locator(".body > ul > li")
    expect(demands).to_have_count(2)
    expect(demands.first).to_be_visible()
    expect(page.locator(".target")).to_be_visible()
    folded = page.locator("details.more p").first
    expect(folded).to_be_hidden()

    to_sign.click()
    expect(page).to_have_url(f"{phone_site.url}/petitions/{phone_site.slug}?lang={language}#sign")
    expect(page.locator("#name")).to_be_in_viewport()
    expect(page.locator("#email")).to_be_in_viewport()

    page.locator("details.more summary").click()
    expect(folded).to_be_visible()


def test_over_the_message_limit_the_page_says_so_in_view_and_keeps_the_text(
    browser: Browser, phone_site: PhoneSite, live_server: LiveServer
) -> None:
    live_server.app.config["SUPPORT_MESSAGE_LIMIT"] = "1 per hour"
    page = browser.new_context(viewport=PHONES["360px"]).new_page()
    support = f"{phone_site.url}/petitions/{phone_site.slug}/support?lang=ru"
    for message in ("Держитесь!", "Мы с вами, " + " ".join(["солидарность"] * 20)):
        visit(page, support, 200)
        page.locator("#message").fill(message)
        page.locator("#first_name").fill("Айгерим")
        page.locator("#city").fill("Алматы")
        page.locator("#support-write-heading ~ form button[type=submit]").click()
    expect(page.locator("#support-errors")).to_be_in_viewport()
    expect(page.locator("#support-errors")).to_contain_text("через 1 час")
    expect(page.locator("#message")).to_have_value(message)
    expect(page.locator("#first_name")).to_have_value("Айгерим")
    expect(page.locator("#city")).to_have_value("Алматы")
    assert overflow(page) <= 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_the_changed_pages_pass_axe(
    browser: Browser,
    phone_site: PhoneSite,
    live_server: LiveServer,
    viewport: ViewportSize,
    language: str,
) -> None:
    source = axe_source()
    page = browser.new_context(viewport=viewport).new_page()
    long = f"{phone_site.url}/petitions/{phone_site.slug}"
    visit(page, f"{long}?lang={language}", 200)
    check(page, source, f"a long petition, folded ({language})")
    page.locator("details.more summary").click()
    check(page, source, f"a long petition, read in full ({language})")
    page.locator(".to-sign a").click()
    check(page, source, f"a long petition at its form ({language})")
    visit(page, f"{long}/embed?lang={language}", 200)
    check(page, source, f"the widget with a country ({language})")

    live_server.app.config["SUPPORT_MESSAGE_LIMIT"] = "1 per hour"
    for _ in range(2):
        visit(page, f"{long}/support?lang={language}", 200)
        page.locator("#message").fill("Держитесь!")
        page.locator("#support-write-heading ~ form button[type=submit]").click()
    expect(page.locator("#support-errors")).to_be_visible()
    check(page, source, f"a message over the limit ({language})")
