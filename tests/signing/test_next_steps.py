"""After confirming: a page that can be reloaded, with the receipt and what to do next."""

from flask import Flask
from flask.testing import FlaskClient

from petition.extensions import db
from petition.models import Petition, utcnow
from tests.helpers.checks import fingerprint, json_of, must
from tests.letters.support import write_action
from tests.transparency.test_receipt_pages import receipt_on, sign_for_link


def count(client: FlaskClient, slug: str) -> int:
    return json_of(client.get(f"/petitions/{slug}.json"))["signature_count"]


def test_confirming_redirects_to_the_links_own_page_which_reloads_with_the_receipt(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    link = sign_for_link(client, petition.slug, "ann@example.org").split("?")[0]
    pressed = client.post(f"{link}?lang=ru")
    assert pressed.status_code == 303
    # The link's own address: the receipt never travels in one.
    assert pressed.headers["Location"] == f"{link}?lang=ru#main"
    assert pressed.headers["Referrer-Policy"] == "no-referrer"
    first = client.get(f"{link}?lang=ru").get_data(as_text=True)
    reloaded = client.get(f"{link}?lang=ru").get_data(as_text=True)
    assert "Спасибо: ваша подпись подтверждена" in first
    assert receipt_on(first) == receipt_on(reloaded)
    assert receipt_on(first) not in pressed.headers["Location"]
    again = client.post(link, follow_redirects=True).get_data(as_text=True)
    assert receipt_on(again) == receipt_on(first)
    assert count(client, petition.slug) == 1


def test_a_browser_without_cookies_confirms_and_sees_its_receipt(
    app: Flask, client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    link = sign_for_link(client, petition.slug, "ann@example.org")
    stranger = app.test_client(use_cookies=False)
    page = stranger.post(link, follow_redirects=True)
    assert page.status_code == 200
    receipt_on(page.get_data(as_text=True))


def test_the_confirmed_page_offers_the_letters_the_message_form_and_sharing(
    app: Flask, organiser_client: FlaskClient, make_petition
) -> None:
    petition = make_petition(slug="park", title="Save the park")
    action = write_action(organiser_client, "park", title="Write to the mayor")
    signer = app.test_client()
    link = sign_for_link(signer, "park", "ann@example.org")
    page = signer.post(link, follow_redirects=True).get_data(as_text=True)
    assert f'href="/petitions/park/letters/{action}">Write to the mayor</a>' in page
    assert 'href="/petitions/park/support#support-write-heading"' in page
    assert "https://vk.com/share.php?url=https%3A//petitions.example.org/petitions/park" in page
    assert "&amp;title=Save%20the%20park" in page
    # The buttons wait for the script to find what they need; the announcement is a live region.
    assert 'data-copy-link="share-url" data-done="share-done" hidden>' in page
    assert '<p id="share-done" class="share-done" role="status"' in page
    assert f'<script src="/static/share.js?v={fingerprint("share.js")}" defer></script>' in page
    assert count(signer, petition.slug) == 1


def test_once_the_petition_is_hidden_its_link_shows_the_receipt_but_nothing_to_share(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(slug="quiet")
    link = sign_for_link(client, "quiet", "ann@example.org")
    receipt = receipt_on(client.post(link, follow_redirects=True).get_data(as_text=True))
    must(db.session.get(Petition, petition.id)).hidden_at = utcnow()
    db.session.commit()
    page = client.get(link).get_data(as_text=True)
    assert receipt_on(page) == receipt
    assert "Share this petition" not in page and "/petitions/quiet/support" not in page
