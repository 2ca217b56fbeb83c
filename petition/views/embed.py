"""The widget campaign sites frame: a compact counter and sign form, the only framable pages.

Its form works without the session cookie, which browsers withhold inside another site's
frame; petition.web.embedding explains the guard that replaces the session's CSRF token.
"""

from flask import Blueprint, abort, make_response, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from petition.extensions import client_limit_key, csrf
from petition.i18n.languages import current_language
from petition.models import Petition
from petition.petitions.versions import in_language
from petition.signing.budget import spend_signing_budget
from petition.signing.forms import EmbedSignForm
from petition.signing.signatures import PetitionClosedError
from petition.views.lookups import after_form, public_petition_or_404
from petition.views.signer import (
    answer_to_bot,
    not_kept,
    sign_as_typed,
    typed_signer,
)
from petition.web.cross_site import is_own_origin
from petition.web.embedding import embed_form_token, is_valid_embed_form_token

bp = Blueprint("embed", __name__)


def _widget(petition: Petition, form: EmbedSignForm, stale: bool = False) -> str:
    form.form_token.data = embed_form_token(petition)  # every page served gets a fresh one
    shown = in_language(petition, current_language())
    return render_template("embed/petition.html", petition=shown, form=form, stale=stale)


@bp.get("/petitions/<slug:slug>/embed")
def petition(slug: str) -> str:
    petition = public_petition_or_404(slug)
    return _widget(petition, EmbedSignForm(collects_country=petition.collects_country))


@bp.post("/petitions/<slug:slug>/embed/sign")
@csrf.exempt  # no session cookie arrives in a cross-site frame; see petition.web.embedding
def sign(slug: str) -> BaseResponse | tuple[str, int]:
    # Every POST from another site is refused before this (web.cross_site); the widget's token
    # is no secret, so its form must also not come from an opaque origin.
    if not is_own_origin(request.headers.get("Origin"), request.url, null_allowed=False):
        abort(403)
    # The same budget as the page's form: the widget is no second door (see signing.budget).
    over_limit = spend_signing_budget(client_limit_key(), slug)
    petition = public_petition_or_404(slug)
    form = EmbedSignForm(collects_country=petition.collects_country)
    if (to_bot := answer_to_bot(form, slug)) is not None:
        return to_bot
    if not petition.is_open():
        return _widget(petition, form), 409
    fresh = is_valid_embed_form_token(form.form_token.data, petition)
    if not (form.validate_on_submit() and fresh):
        return _widget(petition, form, stale=not fresh), 400
    try:
        # What it keeps of the signer: inside another site's frame no cookie is kept, no harm.
        sign_as_typed(petition, form, over_limit=over_limit)
    except PetitionClosedError:
        return _widget(petition, form), 409
    return after_form(".check_email", slug=slug)


@bp.get("/petitions/<slug:slug>/embed/check-email")
def check_email(slug: str) -> BaseResponse:
    petition = public_petition_or_404(slug)
    shown = in_language(petition, current_language())
    page = render_template(
        "embed/check_email.html",
        petition=shown,
        signer=typed_signer(),
        form_token=embed_form_token(petition),
    )
    return not_kept(make_response(page))
