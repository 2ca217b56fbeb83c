"""The organisers blueprint and the membership check every petition page goes through."""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, make_response, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from petition import tokens
from petition.i18n.languages import current_language
from petition.models import Petition, PublicPetition
from petition.moderation.invalidations import criteria_text
from petition.petitions.held_reasons import held_reason_text
from petition.petitions.history import DAY, MOMENT, action_label, event_detail
from petition.petitions.publishing import is_organiser_of, petition_by_slug
from petition.petitions.versions import PetitionInLanguage, in_language
from petition.web.headers import NO_REFERRER

bp = Blueprint("organisers", __name__, url_prefix="/organisers")

FoundT = TypeVar("FoundT")

# What an organiser page answers: a redirect, a page with its status, or a page.
Page = BaseResponse | tuple[str, int] | str


@bp.context_processor
def display_helpers() -> dict[str, object]:
    """How the organisers' pages write moments, days and recorded actions in the reader's language."""
    return {
        "MOMENT": MOMENT,
        "DAY": DAY,
        "action_label": action_label,
        "event_detail": event_detail,
        "held_reason_text": held_reason_text,
        "criteria_text": criteria_text,
        "as_read": as_read,
    }


def as_read(petition: PublicPetition) -> PetitionInLanguage:
    """The petition as its organiser reads it: in their language where it has a version in it.

    The same rule as readers' pages (in_language), so an organiser sees the title they would see.
    """
    return in_language(petition, current_language())


def own_petition_or_404(slug: str) -> Petition:
    """The petition at this slug if the logged-in organiser runs it; a 404 otherwise."""
    petition = petition_by_slug(slug)
    if petition is None or not is_organiser_of(current_user, petition):
        abort(404)  # another organiser's petition looks the same as none at all
    return petition


def found_or_404(found: FoundT | None) -> FoundT:
    """What a lookup on the organiser's own petition found; a 404 if nothing.

    The lookups are bound to the petition, so another petition's row looks the same as none at all.
    """
    if found is None:
        abort(404)
    return found


def safe_next(target: str | None) -> str:
    """Only redirect after login to a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("organisers.dashboard")


def emailed_link_page(
    page: Callable[[], Page], invalid: Callable[[tokens.InvalidTokenError], Page]
) -> BaseResponse:
    """A page opened by an emailed link, which is itself the proof: `invalid` if its token is not.

    The token in the address goes nowhere else: no Referer leaves the page.
    """
    try:
        response = make_response(page())
    except tokens.InvalidTokenError as error:
        response = make_response(invalid(error))
    response.headers.update(NO_REFERRER)
    return response
