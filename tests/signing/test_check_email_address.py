"""The check-email page shows the address the mail went to, suggests a fix for a mistyped
domain, fills in the code form, and lets the signer sign again with a corrected address.

Black-box: signatures are made over HTTP with a browser-like client that keeps its cookies, and
the mail arrives through the real SMTP server.
"""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from petition.mail.outbox import deliver_due
from petition.models import Petition
from tests.conftest import SMTPServer
from tests.helpers.checks import must
from tests.signing.test_confirm_codes import CONFIRMED, mailed_code, sign, type_code


def check_email(client: FlaskClient, slug: str, lang: str = "en") -> str:
    answer = client.get(f"/petitions/{slug}/check-email?lang={lang}")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    return answer.text


def hidden_fields(page: str, form_id: str) -> dict[str, str]:
    """The fields a form would post: its hidden inputs and its filled-in email field."""
    start = page.index(f'id="{form_id}"')
    form = page[page.index("<form", start) : page.index("</form>", start)]
    return dict(re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', form))


def recipients(smtp: SMTPServer, count: int) -> list[str]:
    deliver_due()
    return [message["To"] for message in smtp.sink.wait_for(count)]


def test_the_page_shows_the_address_and_fills_in_the_code_form(
    make_petition: Callable[..., Petition], client: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    answer = client.post(
        f"/petitions/{slug}/sign", data={"name": "Dana Petrova", "email": "dana@example.org"}
    )
    assert answer.status_code == 303
    assert "dana" not in answer.headers["Location"]  # never in a URL
    page = check_email(client, slug)
    assert "We have sent a message to <strong" in page and ">dana@example.org</strong>" in page
    assert "the address you gave" not in page
    assert re.search(r'<input[^>]*id="email"[^>]*value="dana@example.org"', page)
    assert 'id="suggestion"' not in page  # a fine domain gets no suggestion
    # The code form, filled in, confirms with the code alone.
    code = mailed_code(smtp, 1)
    assert CONFIRMED in type_code(client, slug, "dana@example.org", code).text


def test_without_cookies_the_page_says_the_address_you_gave(
    make_petition: Callable[..., Petition], app: Flask
) -> None:
    slug = make_petition().slug
    stranger = app.test_client(use_cookies=False)
    assert sign(stranger, slug, email="ivan@gmial.com").status_code == 303
    page = check_email(stranger, slug)
    assert "the address you gave" in page
    assert "gmial" not in page and "gmail" not in page


def _shown(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def test_the_page_is_the_same_whatever_the_address_did_before(
    make_petition: Callable[..., Petition], app: Flask, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    first, again, after = app.test_client(), app.test_client(), app.test_client()
    assert sign(first, slug, email="ann@example.org").status_code == 303
    new = check_email(first, slug)
    assert sign(again, slug, email="ann@example.org").status_code == 303
    pending = check_email(again, slug)
    assert CONFIRMED in type_code(first, slug, "ann@example.org", mailed_code(smtp, 2)).text
    assert sign(after, slug, email="ann@example.org").status_code == 303
    confirmed = check_email(after, slug)
    assert _shown(new) == _shown(pending) == _shown(confirmed)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_mistyped_domain_gets_a_suggestion_in_each_language(
    make_petition: Callable[..., Petition], client: FlaskClient, lang: str
) -> None:
    slug = make_petition().slug
    answer = client.post(
        f"/petitions/{slug}/sign?lang={lang}", data={"name": "Иван", "email": "ivan@gmial.com"}
    )
    assert answer.status_code == 303
    page = check_email(client, slug, lang)
    with force_locale(lang):
        question = gettext("Did you mean %(address)s?", address="ivan@gmail.com")
        button = gettext("Sign again with %(address)s", address="ivan@gmail.com")
    assert question in page and button in page
    assert "gmail.com" in question
    assert ">ivan@gmial.com</strong>" in page  # the address as typed is still what we used
    assert hidden_fields(page, "suggestion")["email"] == "ivan@gmail.com"


def test_one_tap_signs_again_with_the_suggested_address(
    make_petition: Callable[..., Petition], client: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    client.post(
        f"/petitions/{slug}/sign",
        data={"name": "Ivan Petrov", "email": "ivan@gmial.com", "show_name": "y"},
    )
    fields = hidden_fields(check_email(client, slug), "suggestion")
    assert fields["name"] == "Ivan Petrov" and fields["show_name"] == "y"
    answer = client.post(f"/petitions/{slug}/sign", data=fields)
    assert answer.status_code == 303
    assert recipients(smtp, 2) == ["ivan@gmial.com", "ivan@gmail.com"]
    page = check_email(client, slug)
    assert ">ivan@gmail.com</strong>" in page and 'id="suggestion"' not in page
    assert CONFIRMED in type_code(client, slug, "ivan@gmail.com", mailed_code(smtp, 2)).text


def test_the_correction_form_signs_again_with_the_typed_address(
    make_petition: Callable[..., Petition], client: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    assert sign(client, slug, email="dana@exmaple.org").status_code == 303
    fields = hidden_fields(check_email(client, slug), "correction-heading")
    assert fields["email"] == "dana@exmaple.org"  # pre-filled, to be corrected
    answer = client.post(f"/petitions/{slug}/sign", data={**fields, "email": "dana@example.org"})
    assert answer.status_code == 303
    assert recipients(smtp, 2) == ["dana@exmaple.org", "dana@example.org"]


def test_the_widget_shows_the_address_and_the_suggestion(
    make_petition: Callable[..., Petition], client: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    widget = client.get(f"/petitions/{slug}/embed").text
    token = must(re.search(r'name="form_token" type="hidden" value="([^"]+)"', widget)).group(1)
    answer = client.post(
        f"/petitions/{slug}/embed/sign",
        data={"name": "Ivan", "email": "ivan@yandex.ri", "form_token": token},
    )
    assert answer.status_code == 303
    page = client.get(f"/petitions/{slug}/embed/check-email")
    assert page.headers["Cache-Control"] == "private, no-store"
    assert ">ivan@yandex.ri</strong>" in page.text
    assert "Did you mean ivan@yandex.ru?" in page.text
    fields = hidden_fields(page.text, "suggestion")
    assert fields["form_token"]  # the widget's own proof, not the session's token
    assert client.post(f"/petitions/{slug}/embed/sign", data=fields).status_code == 303
    assert recipients(smtp, 2) == ["ivan@yandex.ri", "ivan@yandex.ru"]


def test_whatever_was_typed_is_shown_as_text(
    make_petition: Callable[..., Petition], client: FlaskClient
) -> None:
    slug = make_petition().slug
    hostile = '"><img src=x onerror=alert(1)>@gmial.com'
    answer = client.post(  # a bot's honeypot submission: its answer is the usual one
        f"/petitions/{slug}/sign",
        data={"name": "<script>x</script>", "email": hostile, "leave_blank": "spam"},
    )
    assert answer.status_code == 303
    page = check_email(client, slug)
    assert "<img src=x" not in page and "<script>x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;@gmial.com</strong>" in page
