"""What other sites and browsers fetch about us: a petition's share card, and the site's icon."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from petition.i18n.languages import DEFAULT, current_language, format_number, requested_language
from petition.i18n.plurals import ngettext
from petition.petitions.share_card import (
    ShareCardFontError,
    card_version,
    draw_card,
    rounded_count,
)
from petition.petitions.versions import PetitionInLanguage, in_language
from petition.views.caching import shared_cacheable
from petition.views.lookups import public_snapshot_or_404
from petition.web.urls import public_url

bp = Blueprint("sharing", __name__)
_YEAR = 365 * 24 * 3600


def _count_line(count: int) -> str:
    """The count as the card shows it: "12 000+ verified signatures" once it is rounded."""
    shown = rounded_count(count)
    words = ngettext("%(num)s verified signature", "%(num)s verified signatures", shown)
    return (
        words.replace(format_number(shown), format_number(shown) + "+", 1)
        if shown < count
        else words
    )


def card_alt(petition: PetitionInLanguage) -> str:
    """The card's text alternative: what the picture says, in the reader's words."""
    return _(
        "%(title)s: %(count)s", title=petition.title, count=_count_line(petition.signature_count)
    )


@bp.app_template_global()
def share_card_url(petition: PetitionInLanguage) -> str:
    """The card's full address in the reader's language, its version in it so previews refresh."""
    language = current_language()
    version = card_version(language, petition.title, petition.signature_count)
    return public_url("sharing.card", slug=petition.slug, lang=language, v=version)


bp.add_app_template_global(card_alt, "share_card_alt")


@bp.get("/petitions/<slug:slug>/card.png")
def card(slug: str) -> Response:
    """The petition's share card, 1200×630 PNG, in the language the address asks for."""
    language = requested_language() or DEFAULT  # by address alone: shared caches keep it
    with force_locale(language):
        petition = in_language(public_snapshot_or_404(slug), language)
        count_line = _count_line(petition.signature_count)
    version = card_version(language, petition.title, petition.signature_count)
    host = urlsplit(current_app.config["PUBLIC_URL"]).netloc
    try:
        png = draw_card(petition.title, count_line, host, current_app.config["DELIVERY_PACK_FONT"])
    except ShareCardFontError:
        return redirect(
            url_for("static", filename="card.png")
        )  # the plain card, until the font is installed
    response = current_app.response_class(png, mimetype="image/png")
    response.set_etag(version)
    if request.args.get("v") != version:  # an old address: this picture may change again soon
        return shared_cacheable(response)
    response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    return response.make_conditional(request)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon, where browsers and feed readers look for it without asking the page."""
    response = current_app.send_static_file("favicon.ico")
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response
