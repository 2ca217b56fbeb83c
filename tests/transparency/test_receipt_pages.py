"""A signer's receipt: shown once confirmed, again from the same link, and checked by a form."""

import re

from flask.testing import FlaskClient

from petition.extensions import db
from petition.transparency.checkpoints import current_checkpoint
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail
from tests.helpers.signing import confirm_path, sign

PUBLIC = "https://petitions.example.org"
RECEIPT = re.compile(r'id="receipt-code"[^>]*>([a-z2-7]{4}(?:-[a-z2-7]{4}){7})<')


def sign_for_link(client: FlaskClient, slug: str, email: str) -> str:
    """Sign as `email`; the path of the confirmation link mailed for it."""
    assert sign(client, slug, name="Ann Lee", email=email).status_code == 303
    db.session.rollback()
    [text] = [message.text for message in owed_mail() if message.recipient == email]
    return confirm_path(text)


def receipt_on(page: str) -> str:
    match = RECEIPT.search(page)
    assert match, page
    return match.group(1)


def check(client: FlaskClient, slug: str, receipt: str) -> tuple[int, str]:
    response = client.post(f"/petitions/{slug}/receipt", data={"receipt": receipt})
    return response.status_code, response.get_data(as_text=True)


def test_the_receipt_is_shown_once_confirmed_again_from_the_link_and_checks_as_counted(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    link = sign_for_link(client, petition.slug, "ann@example.org")
    confirmed = client.post(link, follow_redirects=True).get_data(as_text=True)
    receipt = receipt_on(confirmed)
    assert 'download="receipt-' in confirmed and "data:text/plain" in confirmed
    assert receipt_on(client.get(link).get_data(as_text=True)) == receipt  # the same one
    status, page = check(client, petition.slug, receipt.upper().replace("-", " "))
    assert status == 200
    assert "entry 1 of the log" in page and "It is counted." in page
    current_checkpoint(petition.id)  # made now rather than within the minute
    status, page = check(client, petition.slug, receipt)
    assert "count 1" in page  # the signed checkpoint that includes it


def test_a_withdrawn_signature_checks_as_withdrawn(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    link = sign_for_link(client, petition.slug, "ann@example.org")
    receipt = receipt_on(client.post(link, follow_redirects=True).get_data(as_text=True))
    db.session.rollback()
    [text] = [message.text for message in owed_mail()]
    withdraw = must(re.search(rf"{PUBLIC}(/withdraw/\S+)", text)).group(1)
    assert client.post(withdraw).status_code == 200
    status, page = check(client, petition.slug, receipt)
    assert status == 200 and "It is not counted: it was withdrawn." in page


def test_a_receipt_of_another_petition_or_none_at_all_is_told_apart(
    client: FlaskClient, make_petition
) -> None:
    first, second = make_petition(slug="first"), make_petition(slug="second")
    receipt = receipt_on(
        client.post(
            sign_for_link(client, "first", "ann@example.org"), follow_redirects=True
        ).get_data(as_text=True)
    )
    status, page = check(client, second.slug, receipt)
    assert status == 200 and "This receipt is not in this petition's log" in page
    for typed, message in (
        ("", "Please paste or type your receipt."),
        ("not-a-receipt", "This is not a receipt"),
        ("a" * 31, "This is not a receipt"),
        ("x" * 10_000, "A receipt is much shorter than this."),
    ):
        status, page = check(client, first.slug, typed)
        assert status == 400 and message in page, typed


def test_the_receipt_form_needs_no_cookie_and_never_puts_a_receipt_in_an_address(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    page = client.get(f"/petitions/{petition.slug}/receipt")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'method="post"' in html
    assert "Set-Cookie" not in page.headers
    assert client.get("/petitions/unknown/receipt").status_code == 404
    link = client.get(f"/petitions/{petition.slug}?lang=en").get_data(as_text=True)
    assert f'href="/petitions/{petition.slug}/receipt"' in link


def test_over_the_limit_the_receipt_comes_back_as_typed(app, client, make_petition) -> None:
    """Nothing typed is lost to a limit: the form returns with the receipt and when to retry."""
    app.config["RECEIPT_CHECK_LIMIT"] = "2 per minute"
    slug = make_petition().slug
    typed = {"receipt": "abcd-efgh-jkmn-pqrs-tvwx-yz23-4567-89ab"}  # not one: a 400 until the limit
    for _ in range(2):
        assert client.post(f"/petitions/{slug}/receipt", data=typed).status_code == 400
    refused = client.post(f"/petitions/{slug}/receipt", data=typed)
    assert refused.status_code == 429
    assert "many tries from this connection" in refused.text
    assert 'value="abcd-efgh-jkmn-pqrs-tvwx-yz23-4567-89ab"' in refused.text
