"""Helpers for the letter tests: an action written and targets imported through the pages."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

from flask.testing import FlaskClient

EMBASSIES_CSV = (
    "name,email,postal_address,phone,country\n"
    'Посольство Казахстана в России,embassy.ru@example.kz,"Москва, Чистопрудный бульвар, 3А",'
    "+7 495 627 1812,RU\n"
    'Embassy of Kazakhstan in Germany,embassy.de@example.kz,"Nordendstraße 14-17\n13156 Berlin",'
    "+49 30 47007 110,DE\n"
    'Посольство Казахстана (для Казахстана: МИД),mfa@example.kz,"Астана, пр. Мангилик Ел, 8",,KZ\n'
    'Верховный суд Республики Казахстан,supreme@example.kz,"010000, Астана, ул. Д. Кунаева, 39",'
    "+7 7172 71 00 00,\n"
)
SALUTATION = "Sehr geehrter Herr Botschafter,"
# Columns in another order than the documented one, with the optional salutation; one target
# by email only, one (fixed) by post only.
SALUTED_CSV = (
    "country,salutation,name,email,postal_address,phone\n"
    f'DE,"{SALUTATION}",Embassy of Kazakhstan in Germany,embassy.de@example.kz,'
    '"Nordendstraße 14-17\n13156 Berlin",\n'
    "RU,,Посольство Казахстана в России,embassy.ru@example.kz,,\n"
    ',,Верховный суд Республики Казахстан,,"010000, Астана, ул. Д. Кунаева, 39",\n'
)
SUBJECT = "Освободите политзаключённых"
BODY = "Просим вас передать нашу просьбу: освободите их.\n\nС уважением"
# How a letter opens to targets without a salutation of their own, in Russian and in English
# (the language of the petitions the fixtures make, and so of their letters' originals).
GREETING_RU = "Здравствуйте,"
GREETING_EN = "Dear Sir or Madam,"


def write_action(client: FlaskClient, slug: str, **more: str) -> int:
    """Save a letter action through the organiser's form; returns its id."""
    data = {
        "title": "Напишите в посольство",
        "subject": SUBJECT,
        "body": BODY,
        "copies": "campaign@example.org\ncopy@example.org",
        "action": "save",
    } | more
    response = client.post(f"/organisers/petitions/{slug}/letters/new", data=data)
    assert response.status_code == 303, response.text[-1500:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def upload(client: FlaskClient, slug: str, action_id: int, data: bytes, name: str = "t.csv"):
    """Post a CSV file through the import form, as a browser sends it."""
    return client.post(
        f"/organisers/petitions/{slug}/letters/{action_id}/targets/import",
        data={"file": (io.BytesIO(data), name, "text/csv")},
        content_type="multipart/form-data",
    )


def sent_body(body: str, greeting: str = GREETING_RU) -> str:
    """The body a mail app receives: the greeting, a blank line, the text, lines ending in CRLF."""
    return f"{greeting}\n\n{body}".replace("\n", "\r\n")


def shown_targets(page: str) -> str:
    """The text of the targets the page shows (the others are in it, hidden, for its script)."""
    items = re.findall(r"<li data-country=[^>]*>(.*?)</li>", page, flags=re.S)
    shown = re.findall(r'<li data-country="[^"]*">(.*?)</li>', page, flags=re.S)
    assert items, page[-2000:]
    return unescape(" ".join(shown))


def decode_mailto(href: str) -> dict[str, str]:
    """The To, Cc, Subject and Body of a mailto link, decoded as a mail app does."""
    parts = urlsplit(href.replace("&amp;", "&"))
    assert parts.scheme == "mailto"
    fields = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return {"to": unquote(parts.path)} | fields
