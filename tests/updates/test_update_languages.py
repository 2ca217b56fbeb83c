"""An update can be written in every language the site speaks, not only the petition's own."""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from petition.models import Petition
from petition.updates.drafts import UpdateError, save_draft
from tests.conftest import SMTPServer
from tests.helpers.checks import must
from tests.updates.support import (
    UNSUBSCRIBE_LINK,
    confirm_from_mail,
    deliver,
    send_confirmed,
    sign_choosing_updates,
    text_of,
    updates_to,
)

WITHDRAW_LINK = re.compile(r"https://petitions\.example\.org(/withdraw/\S+)")


def test_a_kazakh_signer_of_a_petition_with_no_kazakh_text_gets_the_kazakh_version(
    app: Flask,
    organiser_client: FlaskClient,
    make_petition: Callable[..., Petition],
    smtp: SMTPServer,
) -> None:
    client = organiser_client
    slug = make_petition().slug  # written in English only
    sign_choosing_updates(client, slug, "Әлия", "aliya@example.org", wants=True, lang="kk")
    sign_choosing_updates(client, slug, "Анна", "anna@example.org", wants=True, lang="ru")
    for address in ("aliya@example.org", "anna@example.org"):
        confirm_from_mail(client, smtp, address)

    form = client.get(f"/organisers/petitions/{slug}/updates/new").text
    for field in ("subject_kk", "body_kk", "subject_ru", "body_ru"):
        assert f'name="{field}"' in form, field
    assert 'name="subject_en"' not in form  # the original is the update's own fields
    data = {
        "subject": "Hearing moved",
        "body": "The hearing is **on Wednesday**.",
        "subject_kk": "Сот ауыстырылды",
        "body_kk": "Сот **сәрсенбіге** ауыстырылды.",
        "action": "save",
    }
    saved = client.post(f"/organisers/petitions/{slug}/updates/new", data=data)
    assert saved.status_code == 303, saved.text[-800:]
    update = saved.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert send_confirmed(client, slug, int(update)).status_code == 303
    deliver(smtp)

    [aliya] = updates_to(smtp, "aliya@example.org", "Сот ауыстырылды")
    assert "Сот сәрсенбіге ауыстырылды." in text_of(aliya)
    assert '<html lang="kk">' in must(aliya.get_body(("html",))).get_content()
    [anna] = updates_to(
        smtp, "anna@example.org", "Hearing moved"
    )  # no Russian version: the original
    assert "The hearing is on Wednesday." in text_of(anna)

    link = UNSUBSCRIBE_LINK.search(text_of(aliya))
    assert link is not None and link.group(1).endswith("?lang=kk")
    page = app.test_client().get(link.group(1))
    assert page.status_code == 200 and '<html lang="kk"' in page.text

    # Her confirmation's withdrawal link opens in Kazakh too, whatever the browser says.
    [confirmation] = [m for m in smtp.sink.messages if m["To"] == "aliya@example.org"][:1]
    withdraw = WITHDRAW_LINK.search(text_of(confirmation))
    assert withdraw is not None and withdraw.group(1).endswith("?lang=kk")
    english_browser = app.test_client()
    shown = english_browser.get(withdraw.group(1), headers={"Accept-Language": "en"})
    assert shown.status_code == 200 and '<html lang="kk"' in shown.text


def test_a_version_in_a_language_the_site_does_not_speak_or_the_original_is_refused(
    app: Flask, make_petition: Callable[..., Petition]
) -> None:
    petition = make_petition()
    organiser = petition.organisers[0]
    for language in ("de", "en"):  # "en" is the original: its text is the update's own
        version = {language: {"subject": "Betreff", "body": "Text"}}
        with pytest.raises(UpdateError):
            save_draft(petition, organiser, None, "Subject", "Body", version)
    kk = {"kk": {"subject": "Тақырып", "body": "Мәтін"}}
    assert save_draft(petition, organiser, None, "Subject", "Body", kk)
