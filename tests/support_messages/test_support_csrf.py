"""With CSRF on: the message form in the shared petition page carries the petition's form token."""

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import SupportMessage

SLUG = "free-them"
_FORM = re.compile(
    r'action="/petitions/free-them/support[^"]*"[^>]*>\s*<input id="form_token" '
    r'name="form_token" type="hidden" value="([^"]+)"'
)


def token_in(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = _FORM.search(page)
    assert found is not None, "the message form has no form token"
    return found.group(1)


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SupportMessage)) or 0


def test_any_visitor_posts_with_the_shared_pages_token_and_none_without(
    make_app, make_petition
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_petition(slug=SLUG)
        make_petition(slug="another")
    # Requests outside the test's app context, so each has its own (as in a server).
    first, second = app.test_client(), app.test_client()
    token = token_in(first, f"/petitions/{SLUG}?lang=en")
    assert token == token_in(second, f"/petitions/{SLUG}/support"), "one copy for everyone"
    assert "placeholder" not in token
    other = re.search(
        r'name="form_token" type="hidden" value="([^"]+)"',
        second.get("/petitions/another?lang=en").get_data(as_text=True),
    )
    assert other is not None
    for refused in ({}, {"form_token": other.group(1)}, {"form_token": token + "x"}):
        answer = second.post(f"/petitions/{SLUG}/support", data={"message": "Hi"} | refused)
        assert answer.status_code == 400
        assert "open for a long time" in answer.get_data(as_text=True)
        assert answer.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        assert stored() == 0
    data = {"message": "Hi", "form_token": token}
    assert second.post(f"/petitions/{SLUG}/support", data=data).status_code == 303
    with app.app_context():
        assert stored() == 1
