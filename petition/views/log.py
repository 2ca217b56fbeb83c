"""The public, read-only side of each petition's auditable log, in the formats verifiers expect.

Open to every origin. What a fixed range says never changes, so entries and proofs are cached
long; a checkpoint only briefly. Bad parameters get a JSON 400 that says which and why.
"""

import base64
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response as BaseResponse

from petition.transparency.checkpoints import checkpoints_before, current_checkpoint
from petition.transparency.keys import log_key
from petition.transparency.reading import (
    MAX_LOG_SIZE,
    consistency_proof,
    entries_between,
    inclusion_proof,
)
from petition.views.caching import open_to_every_site, shared_cacheable
from petition.views.lookups import public_petition_or_404
from petition.web.numbers import query_number, required_query_number

bp = Blueprint("log", __name__)
T = TypeVar("T")
FIXED_MAX_AGE = 365 * 24 * 3600  # a proof or a range of entries is the same forever
KEY_MAX_AGE = 3600


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@bp.after_request
def _public(response: Response) -> Response:
    return open_to_every_site(response)


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description or error.name), error.code or 500


def _fixed(response: Response, max_age: int = FIXED_MAX_AGE) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={max_age}, immutable"
    return response


def _position(name: str) -> int:
    """A size or an index of the log, which the request must give."""
    return required_query_number(name, low=0, high=MAX_LOG_SIZE)


def _checked(make: Callable[[], T]) -> T:
    """Run a read whose ValueError means the parameters do not fit this log: a 400."""
    try:
        return make()
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


@bp.get("/log/key")
def key() -> Response:
    response = Response(log_key().verifier + "\n", mimetype="text/plain")
    return _fixed(response, KEY_MAX_AGE)


@bp.get("/petitions/<slug:slug>/log/checkpoint")
def checkpoint(slug: str) -> BaseResponse:
    found = current_checkpoint(public_petition_or_404(slug).id)
    return shared_cacheable(Response(found.text, mimetype="text/plain"))


@bp.get("/petitions/<slug:slug>/log/checkpoints")
def checkpoints(slug: str) -> BaseResponse:
    petition = public_petition_or_404(slug)
    found = checkpoints_before(petition.id, query_number("before", low=0, high=MAX_LOG_SIZE))
    listed = [
        {"size": c.size, "count": c.count, "created_at": c.created_at.isoformat(), "text": c.text}
        for c in found
    ]
    return shared_cacheable(jsonify(checkpoints=listed))


@bp.get("/petitions/<slug:slug>/log/entries")
def entries(slug: str) -> Response:
    petition = public_petition_or_404(slug)
    start, end = _position("start"), _position("end")
    page = _checked(lambda: entries_between(petition.id, start, end))
    listed = [{"index": index, "leaf": _b64(leaf)} for index, leaf in page.entries]
    return _fixed(jsonify(size=page.size, entries=listed, next=page.next))


@bp.get("/petitions/<slug:slug>/log/proof")
def proof(slug: str) -> Response:
    petition = public_petition_or_404(slug)
    index, size = _position("index"), _position("size")
    found = _checked(lambda: inclusion_proof(petition.id, index, size))
    return _fixed(
        jsonify(
            index=found.index,
            size=found.size,
            leaf_hash=_b64(found.leaf_hash),
            path=[_b64(h) for h in found.path],
        )
    )


@bp.get("/petitions/<slug:slug>/log/consistency")
def consistency(slug: str) -> Response:
    petition = public_petition_or_404(slug)
    old, new = _position("from"), _position("to")
    path = _checked(lambda: consistency_proof(petition.id, old, new))
    return _fixed(jsonify(**{"from": old, "to": new, "path": [_b64(h) for h in path]}))
