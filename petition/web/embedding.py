"""The sign form framed on campaign sites: a stateless guard instead of the session's CSRF token.

In a cross-site frame the browser withholds our SameSite=Lax session cookie, so Flask-WTF's
session-bound token cannot work. Two checks that need no cookie replace it:

- the form carries a token signed with SECRET_KEY for this purpose and this petition, which
  expires (EMBED_FORM_MAX_AGE), so a form must come from our page, recently, for this petition;
- a POST whose Origin header names another site, or no site (null), is refused (web.cross_site
  refuses the first for every form): a page elsewhere that builds its own
  form to post here is stopped by the browser's own report of where the form came from.

A forged submission that got through would still do nothing: a signature counts only once the
mailbox owner confirms it from the email.
"""

from html import escape

from flask import current_app
from flask_babel import force_locale, gettext

from petition import tokens
from petition.models import Petition
from petition.web.urls import public_url


def embed_form_token(petition: Petition) -> str:
    """A fresh token that lets a framed form sign this petition for a while."""
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.EMBED_FORM, petition.id)


def is_valid_embed_form_token(token: str | None, petition: Petition) -> bool:
    """Whether a framed form's token is ours, recent, and made for this petition."""
    if not token:
        return False
    config = current_app.config
    try:
        payload: object = tokens.read_token(
            config["SECRET_KEY"], tokens.EMBED_FORM, token, config["EMBED_FORM_MAX_AGE"]
        )
    except tokens.InvalidTokenError:
        return False
    return payload == petition.id


def embed_snippet(petition: Petition) -> str:
    """The HTML a campaign pastes into its own page to frame this petition's widget.

    The frame's title, read out by screen readers on the campaign's page, is in the petition's
    own language, whatever language its organiser uses the site in; the widget itself speaks
    each visitor's.
    """
    src = escape(public_url("embed.petition", slug=petition.slug))
    with force_locale(petition.language):
        title = escape(gettext("Sign the petition: %(title)s", title=petition.title))
    return (
        f'<iframe src="{src}" title="{title}" width="100%" height="680" '
        'style="border:0;max-width:32rem" loading="lazy"></iframe>'
    )
