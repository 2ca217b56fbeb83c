"""An update's plain-text part reads as text: what Markdown marks is shown, not its marks."""

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from petition.models import Petition
from petition.petitions.versions import save_petition_text
from tests.conftest import SMTPServer
from tests.helpers.checks import must
from tests.updates.support import (
    confirm_from_mail,
    deliver,
    send_confirmed,
    sign_choosing_updates,
    text_of,
    updates_to,
)

BODY = """## Что дальше

Суд **перенесён** на _среду_.
Просим [написать письмо](https://example.org/x) судье:

- приходите к `10:00`;
- возьмите паспорт.
"""


def test_the_text_part_of_an_update_has_no_markdown_marks_and_spells_out_its_links(
    app: Flask,
    organiser_client: FlaskClient,
    make_petition: Callable[..., Petition],
    smtp: SMTPServer,
) -> None:
    client = organiser_client
    petition = make_petition()
    slug = petition.slug
    save_petition_text(
        petition, petition.organisers[0], language="ru", title="Остановите выселения", body="Т."
    )
    sign_choosing_updates(client, slug, "Анна", "anna@example.org", wants=True, lang="ru")
    confirm_from_mail(client, smtp, "anna@example.org")
    data = {"subject": "Moved", "body": "Moved.", "subject_ru": "Перенесли", "body_ru": BODY}
    saved = client.post(f"/organisers/petitions/{slug}/updates/new", data=data | {"action": "save"})
    assert saved.status_code == 303
    update = saved.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert send_confirmed(client, slug, int(update)).status_code == 303
    deliver(smtp)

    [message] = updates_to(smtp, "anna@example.org", "Перенесли")
    text = text_of(message).replace("\r\n", "\n")
    assert "Суд перенесён на среду." in text
    assert "написать письмо (https://example.org/x) судье:" in text
    assert "\nЧто дальше\n" in text
    assert "\n- приходите к 10:00;\n- возьмите паспорт." in text
    for mark in ("**", "](", "##", "`", "_среду_"):
        assert mark not in text, mark
    html = must(message.get_body(("html",))).get_content()
    assert "<strong>перенесён</strong>" in html
    assert 'href="https://example.org/x"' in html


def test_an_update_of_one_long_paragraph_reaches_the_signer(
    app: Flask,
    organiser_client: FlaskClient,
    make_petition: Callable[..., Petition],
    smtp: SMTPServer,
) -> None:
    # Past SMTP's 998 bytes a line: a real relay refuses it, for every signer at once.
    paragraph = "Суд перенесён на среду, и мы снова просим всех прийти. " * 20
    client = organiser_client
    slug = make_petition().slug
    sign_choosing_updates(client, slug, "Ann", "ann@example.org", wants=True)
    confirm_from_mail(client, smtp, "ann@example.org")
    data = {"subject": "Long", "body": paragraph, "action": "save"}
    saved = client.post(f"/organisers/petitions/{slug}/updates/new", data=data)
    update = saved.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert send_confirmed(client, slug, int(update)).status_code == 303
    deliver(smtp)

    [message] = updates_to(smtp, "ann@example.org", "Long")
    assert paragraph.strip() in text_of(message)
    assert paragraph.strip() in must(message.get_body(("html",))).get_content()
