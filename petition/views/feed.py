"""The Atom feed of open petitions, for campaign sites and feed readers."""

from flask import Blueprint, Response, current_app, render_template, request

from petition.models import utcnow
from petition.petitions import open_petitions

bp = Blueprint("feed", __name__)


@bp.get("/petitions.atom")
def petitions() -> Response:
    found = sorted(open_petitions(), key=lambda p: p.id, reverse=True)
    updated = max((p.created_at for p in found), default=None) or utcnow()
    response = Response(
        render_template("feed/petitions.xml", petitions=found, updated=updated),
        mimetype="application/atom+xml",
    )
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PUBLIC_CACHE_MAX_AGE"]
    response.add_etag()
    return response.make_conditional(request)
