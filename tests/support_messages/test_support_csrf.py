"""With CSRF on: the message form in the kept petition page carries each visitor's own token."""

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import SupportMessage

SLUG = "free-them"
_FORM = re.compile(
    r'action="/petitions/free-them/support[^"]*"[^>]*>\s*<input type="hidden" '
    r'name="csrf_token" value="([^"]+)"'
)


def token_in_petition_page(client: FlaskClient) -> str:
    page = client.get(f"/petitions/{SLUG}").get_data(as_text=True)
    found = _FORM.search(page)
    assert found is not None, "the message form has no CSRF token"
    return found.group(1)


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SupportMessage)) or 0


def test_each_visitor_posts_with_their_own_token(make_app, make_petition) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_petition(slug=SLUG)
    # Requests outside the test's app context, so each has its own (as in a server).
    first, second = app.test_client(), app.test_client()
    first_token = token_in_petition_page(first)
    second_token = token_in_petition_page(second)  # the kept page, with this visitor's token
    assert "csrf-placeholder" not in first_token + second_token
    assert first_token != second_token
    # A token from another session is refused; one's own is taken.
    data = {"message": "Hi", "csrf_token": second_token}
    assert first.post(f"/petitions/{SLUG}/support", data=data).status_code == 400
    with app.app_context():
        assert stored() == 0
    data = {"message": "Hi", "csrf_token": first_token}
    assert first.post(f"/petitions/{SLUG}/support", data=data).status_code == 303
    with app.app_context():
        assert stored() == 1
    page = second.get(f"/petitions/{SLUG}/support").get_data(as_text=True)
    assert 'name="csrf_token"' in page
