"""The forms anyone posts on a petition (sign, a message of support), guarded without a session.

They sit on pages that shared caches keep and hand to every visitor (the petition page, the
widget inside other sites' frames), so they cannot carry a token bound to one visitor's session,
and inside another site's frame no cookie of ours arrives anyway. Two checks that need no cookie
replace the session's CSRF token:

- the form carries a token signed with SECRET_KEY for this purpose and this petition, which
  expires (EMBED_FORM_MAX_AGE): a form must come from one of our pages, recently, for this
  petition. It is the same for every visitor for a minute, so a kept page stays the same too;
- a POST from another site is refused before any view runs (web.cross_site); since anyone can
  fetch the token, these forms also refuse `Origin: null` (a sandboxed frame, a data: page).

A forged signature that got through would still do nothing: a signature counts only once the
mailbox owner confirms it from the email. WTF_CSRF_ENABLED = False switches the token check off,
as it switches off the session's tokens (the tests that post forms directly).
"""

import time
from typing import Any

from flask import abort, current_app, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField
from wtforms.validators import ValidationError

from petition import tokens
from petition.web.cross_site import is_own_origin
from petition.web.forms import Form

# A token is made once a minute per petition: every page served in that minute carries the same.
_REUSED_FOR = 60
_made: dict[tuple[str, int], tuple[int, str]] = {}


def petition_form_token(petition_id: int) -> str:
    """The token a form on this petition's pages carries now, the same for everyone this minute."""
    secret = current_app.config["SECRET_KEY"]
    minute = int(time.time()) // _REUSED_FOR
    kept = _made.get((secret, petition_id))
    if kept is not None and kept[0] == minute:
        return kept[1]
    token = tokens.make_token(secret, tokens.PETITION_FORM, petition_id)
    if len(_made) > 10_000:  # one entry per petition read this minute; never let them pile up
        _made.clear()
    _made[(secret, petition_id)] = (minute, token)
    return token


def is_fresh_form_token(token: str | None, petition_id: int) -> bool:
    """Whether a form's token is ours, recent, and made for this petition."""
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return True
    if not token:
        return False
    try:
        payload: object = tokens.read_token(
            config["SECRET_KEY"], tokens.PETITION_FORM, token, config["EMBED_FORM_MAX_AGE"]
        )
    except tokens.InvalidTokenError:
        return False
    return payload == petition_id


def refuse_opaque_origin() -> None:
    """403 for a POST whose Origin is `null`: the token is public, so the origin must be ours."""
    if not is_own_origin(request.headers.get("Origin"), request.url, null_allowed=False):
        abort(403)


def fresh_form_token(form: "PetitionForm", field: Field) -> None:
    """A form's validator: its token is fresh, else the form's own message asks to send again.

    A value longer than any token is refused unread, even where the check is switched off.
    """
    token = field.data
    too_long = isinstance(token, str) and len(token) > tokens.MAX_TOKEN_LENGTH
    if too_long or not is_fresh_form_token(token, form.petition_id):
        raise ValidationError(str(form.stale_message))


class PetitionForm(Form):
    """A form on a page that every visitor of a petition shares, guarded by its form token.

    Made with `petition_id=`; a view that renders it sets `form_token.data` to
    petition_form_token() and, before handling a POST, calls refuse_opaque_origin().
    """

    class Meta(Form.Meta):
        csrf = False

    # Said when the token is missing, forged or too old; each form words it for its button.
    stale_message: LazyString = _l(
        "This form was open for a long time. Please check what you typed and send it again."
    )
    # A label of its own: without one, WTForms makes one through its translations, which
    # Flask-WTF loads from disk anew for each request (about 0.5 ms of every signature).
    form_token = HiddenField("", validators=[fresh_form_token])

    def __init__(self, *args: Any, petition_id: int, **kwargs: Any) -> None:
        self.petition_id = petition_id
        super().__init__(*args, **kwargs)
