"""The public JSON API, version 1: petitions and their counts, readable from any site.

Described in petition/openapi.py and served at /api/v1/openapi.json. Every answer is public:
open to every origin (CORS) and cacheable, with an ETag so a poller gets 304 when nothing moved.
"""

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.exceptions import BadRequest

from petition.i18n.languages import LANGUAGES
from petition.petitions.letter_rows import letter_data, letter_rows
from petition.petitions.listing import (
    MAX_PAGE,
    MAX_PER_PAGE,
    State,
    listed_petitions,
    petition_data,
)
from petition.petitions.public_copies import approved_support_count
from petition.petitions.stats import public_by_country
from petition.petitions.timeline import milestone_data, timeline_rows
from petition.petitions.versions import all_in_language, in_language
from petition.views.caching import open_to_every_site, shared_cacheable
from petition.views.errors import json_error
from petition.views.lookups import public_petition_or_404
from petition.views.openapi import openapi_document
from petition.web.numbers import query_number
from petition.web.urls import public_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
DEFAULT_PER_PAGE = 20


@bp.after_request
def _public_and_cacheable(response: Response) -> Response:
    open_to_every_site(response, allow_headers="If-None-Match")
    if request.method != "OPTIONS" and response.status_code == 200:
        shared_cacheable(response)  # the same for everyone, so cached like the public JSON
    return response


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> tuple[Response, int]:
    return json_error(400, error.description or error.name)


def _state_arg() -> State | None:
    raw = request.args.get("state")
    if raw is None:
        return None
    if raw not in set(State):
        raise BadRequest("state must be open or closed.")
    return State(raw)


def _language_arg() -> str | None:
    raw = request.args.get("lang")
    if raw is None:
        return None
    if raw not in LANGUAGES:
        raise BadRequest(f"lang must be one of {', '.join(LANGUAGES)}.")
    return raw


@bp.get("/petitions")
def petitions() -> Response:
    state = _state_arg()
    page = query_number("page", default=1, high=MAX_PAGE)
    language = _language_arg()
    per_page = query_number("per_page", default=DEFAULT_PER_PAGE, high=MAX_PER_PAGE)
    found = listed_petitions(state, page, per_page)
    query = {"per_page": found.per_page} | ({"state": state.value} if state else {})
    query |= {"lang": language} if language else {}
    return jsonify(
        petitions=[petition_data(p) for p in all_in_language(found.petitions, language)],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        next=public_url("api.petitions", page=page + 1, **query) if found.has_next else None,
        previous=public_url("api.petitions", page=page - 1, **query) if page > 1 else None,
    )


@bp.get("/petitions/<slug:slug>")
def petition(slug: str) -> Response:
    found = in_language(public_petition_or_404(slug), _language_arg())
    milestones = [milestone_data(row) for row in timeline_rows(found.id)]
    support = approved_support_count(found.id)
    letters = [letter_data(row, found.slug, found.language) for row in letter_rows(found.id)]
    extra = {"milestones": milestones, "support_message_count": support, "letter_actions": letters}
    return jsonify(petition_data(found) | extra)


@bp.get("/petitions/<slug:slug>/count")
def count(slug: str) -> Response:
    petition = public_petition_or_404(slug)
    return jsonify(
        slug=petition.slug,
        signature_count=petition.signature_count,
        goal=petition.goal,
        paper_signature_count=petition.paper_signature_count,
    )


@bp.get("/petitions/<slug:slug>/countries")
def countries(slug: str) -> Response:
    petition = public_petition_or_404(slug)
    found = public_by_country(petition)
    return jsonify(
        slug=petition.slug,
        countries=[{"country": code or None, "signature_count": n} for code, n in found.counts],
        other_countries=found.other,
        min_count=found.minimum,
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(url_for(".petitions").removesuffix("/petitions")))
