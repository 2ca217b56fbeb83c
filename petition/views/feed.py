"""The Atom feed of open petitions, for campaign sites and feed readers."""

from flask import Blueprint, Response, render_template
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.languages import current_language
from petition.models import utcnow
from petition.petitions.publishing import open_petitions
from petition.petitions.versions import all_in_language
from petition.views.caching import shared_cacheable

bp = Blueprint("feed", __name__)


@bp.get("/petitions.atom")
def petitions() -> BaseResponse:
    found = sorted(open_petitions(), key=lambda p: p.id, reverse=True)
    updated = max((p.created_at for p in found), default=None) or utcnow()
    shown = all_in_language(found, current_language())
    feed = render_template("feed/petitions.xml", petitions=shown, updated=updated)
    response = Response(feed, mimetype="application/atom+xml")
    # Its fixed texts and each petition's version follow the reader's language, like a page's:
    # caches keep one per language.
    response.vary.update(("Accept-Language", "Cookie"))
    return shared_cacheable(response)
