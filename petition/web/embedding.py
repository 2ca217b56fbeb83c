"""The widget campaign sites frame: the HTML they paste to frame it.

Its sign form is guarded without the session (web.form_tokens), since inside another site's
frame the browser withholds our SameSite=Lax session cookie.
"""

from html import escape

from flask_babel import force_locale, gettext

from petition.models import Petition
from petition.web.urls import public_url


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
