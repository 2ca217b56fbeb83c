"""Atom feeds: the open petitions, each petition's news (timeline and updates), and each
petition's signed checkpoints of its count."""

from flask import Blueprint, Response, render_template
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.languages import LANGUAGES, current_language, requested_language
from petition.models import utcnow
from petition.petitions.publishing import open_petitions
from petition.petitions.versions import all_in_language, in_language
from petition.transparency.checkpoints import checkpoints_before
from petition.updates.feed import feed_items
from petition.views.caching import shared_cacheable
from petition.views.lookups import public_petition_or_404

bp = Blueprint("feed", __name__)


def _atom(feed: str) -> BaseResponse:
    """A feed as caches may keep it: one per language, as its texts follow the reader's, like a
    page's."""
    response = Response(feed, mimetype="application/atom+xml")
    response.vary.update(("Accept-Language", "Cookie"))
    return shared_cacheable(response)


@bp.get("/petitions.atom")
def petitions() -> BaseResponse:
    found = sorted(open_petitions(), key=lambda p: p.id, reverse=True)
    updated = max((p.created_at for p in found), default=None) or utcnow()
    shown = all_in_language(found, current_language())
    feed = render_template("feed/petitions.xml", petitions=shown, updated=updated)
    return _atom(feed)


@bp.get("/petitions/<slug:slug>/log/checkpoints.atom")
def checkpoints(slug: str) -> BaseResponse:
    """The petition's signed checkpoints, newest first, for anyone who archives them."""
    petition = public_petition_or_404(slug)
    found = checkpoints_before(petition.id, None)
    updated = found[0].created_at if found else petition.created_at
    shown = in_language(petition, current_language())
    feed = render_template(
        "feed/checkpoints.xml", petition=shown, checkpoints=found, updated=updated
    )
    return _atom(feed)


@bp.get("/petitions/<slug:slug>.atom")
def petition(slug: str) -> BaseResponse:
    """The petition's timeline and the updates sent to its signers, newest first."""
    found = public_petition_or_404(slug)
    language = current_language()
    items = feed_items(found, language)
    updated = items[0].published if items else found.created_at
    shown = in_language(found, language)
    feed = render_template(
        "feed/petition.xml",
        petition=shown,
        items=items,
        updated=updated,
        # A feed asked for in a language names itself and its page in it; one that was not
        # keeps the address it always had.
        chosen=requested_language(),
        languages=LANGUAGES,
    )
    return _atom(feed)
