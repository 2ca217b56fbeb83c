# ruff: noqa: F811 (pytest fixtures imported from the signer's journey are used as arguments)
"""The organiser's journey in headless Chromium: create a petition with a live preview, share it,
watch a signature arrive, export it as Excel and download the delivery pack.

Screenshots of each step land in test-artifacts/browser/<test-name>/.
"""

import io
import re
import urllib.request

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from petition.organisers.accounts import set_organiser_password
from tests.browser.test_journey_browser import (  # noqa: F401 (fixtures)
    DESKTOP,
    Steps,
    plain_text,
    steps,
)
from tests.conftest import PASSWORD, LiveServer, SMTPServer

pytestmark = pytest.mark.browser

TITLE = "Свободу правозащитнику Ержану"
SLUG = "svobodu-pravozashchitniku-erzhanu"
ORGANISER = "organiser@example.org"


def test_organiser_creates_shares_follows_and_exports_a_petition(
    browser: Browser, live_server: LiveServer, smtp: SMTPServer, steps: Steps
) -> None:
    with live_server.app.app_context():
        set_organiser_password(ORGANISER, PASSWORD)
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/organisers/login")
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your petitions")).to_be_visible()
    page.get_by_role("link", name="Start a new petition").click()
    steps.shot(page, "new-petition")

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Addressed to").fill("The Prosecutor General")
    page.get_by_label("Text").fill("We ask for the **immediate** release of Yerzhan.")
    # The live preview (static/organisers.js) renders through the server's sanitiser as we type.
    expect(page.locator("#preview strong")).to_have_text("immediate")
    page.get_by_label("Goal (optional)").fill("1000")
    page.get_by_label("Ask signers for their country").check()
    steps.shot(page, "live-preview")
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.url == f"{live_server.url}/organisers/petitions/{SLUG}/"
    expect(page.get_by_text("No one has signed yet.")).to_be_visible()
    expect(page.get_by_label("Link to this petition")).to_have_value(
        f"{live_server.url}/petitions/{SLUG}"
    )
    qr = page.get_by_role("img", name="QR code of the petition's address")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0, "the QR code image loads"
    steps.shot(page, "petition-dashboard-empty")

    signer = browser.new_context(viewport=DESKTOP).new_page()
    signer.goto(f"{live_server.url}/petitions/{SLUG}")
    signer.get_by_label("Your name").fill("Айгерим Нурланова")
    signer.get_by_label("Your email address").fill("aigerim@example.org")
    signer.get_by_label("Your country").select_option("KZ")
    steps.shot(signer, "signer-with-country")
    signer.get_by_role("button", name="Sign", exact=True).click()
    expect(signer.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = smtp.sink.wait_for(1)
    [link] = re.findall(r"\S+/confirm/\S+", plain_text(message))
    with urllib.request.urlopen(urllib.request.Request(link, method="POST"), timeout=10) as reply:
        assert reply.status == 200

    page.reload()
    expect(page.locator("#verified")).to_have_text("1")
    expect(page.locator("#rate")).to_have_text("100%")
    expect(page.locator("svg.chart rect.verified")).to_have_count(1)
    expect(page.locator("#by-country")).to_contain_text("Kazakhstan")
    steps.shot(page, "petition-dashboard-one-signature")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Excel (.xlsx)").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()), read_only=True)
    rows = list(workbook["Signatures"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "Email", "Country")
    assert rows[1][:3] == ("Айгерим Нурланова", "aigerim@example.org", "KZ")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Delivery pack (PDF)").click()
    pdf = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert TITLE in text and "Айгерим Нурланова" in text and "aigerim@" not in text

    page.reload()
    expect(page.locator("#export-log")).to_contain_text("XLSX, all dates")
    steps.shot(page, "export-log")
    context.close()
