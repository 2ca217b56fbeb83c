"""A name is a name: the sign forms refuse one that carries a web or email address.

The name is repeated in the confirmation email ("Hello …,"), so a link typed as a name would
reach someone's inbox as if the petition service had written it.
"""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import Signature
from tests.helpers.checks import must

PUBLIC = "https://petitions.example.org"
REFUSED = [
    "Hello Your account is locked - restore it at https://evil.example/login now",
    "http://evil.example",
    "see www.evil.example",
    "evil.example/login",
    "bit.ly/x",
    "Restore it at Evil.Example/login",
    "sign at evil.example.",
    "пример.рф",
    "write to me@evil.example",
]
KEPT = ["J. R. R. Tolkien", "Dr. Smith", "Ivanov A.A.", "Иванов А.А.", "Әлия Сәрсенбаева"]
MESSAGES = {
    "en": "Please enter just your name, without web or email addresses.",
    "ru": "Укажите только своё имя, без адресов сайтов и электронной почты.",
    "kk": "Тек атыңызды жазыңыз, сайт немесе электрондық пошта мекенжайларынсыз.",
}


def signatures() -> int:
    db.session.rollback()
    return must(db.session.scalar(select(func.count()).select_from(Signature)))


def post_sign(
    client: FlaskClient,
    slug: str,
    widget: bool,
    name: str,
    language: str = "en",
    email: str = "signer@example.org",
):
    data = {"name": name, "email": email}
    if widget:
        page = client.get(f"/petitions/{slug}/embed?lang={language}").get_data(as_text=True)
        match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
        assert match
        data["form_token"] = match.group(1)
        path = f"/petitions/{slug}/embed/sign?lang={language}"
        return client.post(path, data=data, headers={"Origin": PUBLIC})
    return client.post(f"/petitions/{slug}/sign?lang={language}", data=data)


@pytest.mark.parametrize("widget", [False, True], ids=["page", "widget"])
@pytest.mark.parametrize("name", REFUSED)
def test_a_name_carrying_an_address_is_refused_on_both_forms(
    client: FlaskClient, make_petition, widget: bool, name: str
) -> None:
    petition = make_petition()
    response = post_sign(client, petition.slug, widget, name)
    assert response.status_code == 400
    assert MESSAGES["en"] in response.get_data(as_text=True)
    assert signatures() == 0


@pytest.mark.parametrize("widget", [False, True], ids=["page", "widget"])
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_refusal_speaks_the_signers_language(
    client: FlaskClient, make_petition, widget: bool, language: str
) -> None:
    petition = make_petition()
    response = post_sign(client, petition.slug, widget, "bit.ly/x", language)
    assert response.status_code == 400
    assert MESSAGES[language] in response.get_data(as_text=True)


@pytest.mark.parametrize("widget", [False, True], ids=["page", "widget"])
def test_names_with_dots_still_sign(client: FlaskClient, make_petition, widget: bool) -> None:
    petition = make_petition()
    for number, name in enumerate(KEPT):
        response = post_sign(client, petition.slug, widget, name, email=f"s{number}@example.org")
        assert response.status_code == 303, name
    db.session.rollback()
    assert sorted(db.session.scalars(select(Signature.name))) == sorted(KEPT)
    assert post_sign(client, petition.slug, widget, REFUSED[0]).status_code == 400
