"""The health check a load balancer or orchestrator polls."""

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from petition.web.readiness import database_is_up

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int, dict[str, str]]:
    """200 when the database answers, 503 when it does not, so traffic goes elsewhere."""
    up = database_is_up()
    body = jsonify(status="ok" if up else "unavailable", database=up)
    return body, 200 if up else 503, {"Cache-Control": "no-store"}
