"""Every kind of mail we send fits a phone's screen: nothing is wider than 320 CSS pixels."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, ViewportSize
from sqlalchemy import select

from petition.extensions import db
from petition.models import MailKind, OutboxMessage, Petition
from petition.organisers.invitations import invite_organiser
from petition.organisers.password_reset import request_password_reset
from tests.conftest import SMTPServer
from tests.helpers.checks import must
from tests.updates.support import confirm_from_mail, deliver, send_confirmed, sign_choosing_updates

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 320, "height": 640}
TITLE = "Қалалық әкімшілік көшедегі ағаштарды кесуді тоқтатсын және жаңаларын отырғызсын"
LONG_LINK = "https://example.org/" + "құжаттар-" * 12 + "?бет=1&тізім=" + "x" * 60


def every_kind_of_mail(
    client: FlaskClient, smtp: SMTPServer, make_petition: Callable[..., Petition]
) -> list[str]:
    """Make the service owe one message of each kind, and return each HTML part received."""
    petition = make_petition(title=TITLE, goal=1)
    slug = petition.slug
    sign_choosing_updates(client, slug, "Әлия", "aliya@example.org", wants=True, lang="kk")
    confirm_from_mail(client, smtp, "aliya@example.org")  # and the goal is passed
    sign_choosing_updates(
        client, slug, "Әлия", "aliya@example.org", wants=True, lang="kk"
    )  # already signed
    invite_organiser(petition, petition.organisers[0], "a.very.long.helper.name@example.org")
    request_password_reset(petition.organisers[0].email, "kk")
    body = f"Толығырақ: [хат]({LONG_LINK}) және {LONG_LINK}\n\n```\n{LONG_LINK}\n```"
    data = {"subject": "Жаңалық", "body": body, "action": "save"}
    saved = client.post(f"/organisers/petitions/{slug}/updates/new", data=data)
    assert saved.status_code == 303, saved.text[-800:]
    update = saved.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert send_confirmed(client, slug, int(update)).status_code == 303
    messages = deliver(smtp)
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.kind))) == set(MailKind)
    return [must(message.get_body(("html",))).get_content() for message in messages]


def test_every_kind_of_mail_fits_a_phone_without_scrolling_sideways(
    app: Flask,
    organiser_client: FlaskClient,
    smtp: SMTPServer,
    make_petition: Callable[..., Petition],
    browser: Browser,
) -> None:
    parts = every_kind_of_mail(organiser_client, smtp, make_petition)
    page = browser.new_page(viewport=PHONE)
    for html in parts:
        page.set_content(html)
        width = page.evaluate("document.documentElement.scrollWidth")
        title = page.title()
        assert width <= PHONE["width"], f"{title!r} is {width}px wide"
        viewport = page.locator('meta[name="viewport"]')
        assert viewport.count() == 1, f"{title!r} does not say it fits the device"
