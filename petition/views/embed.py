"""The widget campaign sites frame: a compact counter and sign form, the only framable pages.

Its form works without the session cookie, which browsers withhold inside another site's
frame: like the petition page's, it is guarded by a form token (petition.web.form_tokens).
"""

from flask import Blueprint, make_response, render_template
from werkzeug.wrappers import Response as BaseResponse

from petition.extensions import client_limit_key, csrf
from petition.i18n.languages import current_language
from petition.models import Petition
from petition.petitions.versions import in_language
from petition.signing.budget import spend_signing_budget
from petition.signing.forms import SignForm
from petition.signing.signatures import PetitionClosedError
from petition.views.lookups import after_form, public_petition_or_404
from petition.views.signer import (
    answer_to_bot,
    not_kept,
    sign_as_typed,
    typed_signer,
)
from petition.web.form_tokens import petition_form_token, refuse_opaque_origin

bp = Blueprint("embed", __name__)


def _widget(petition: Petition, form: SignForm) -> str:
    form.form_token.data = petition_form_token(petition.id)  # a form sent back gets a fresh one
    shown = in_language(petition, current_language())
    return render_template("embed/petition.html", petition=shown, form=form)


@bp.get("/petitions/<slug:slug>/embed")
def petition(slug: str) -> str:
    petition = public_petition_or_404(slug)
    return _widget(petition, SignForm.for_petition(petition))


@bp.post("/petitions/<slug:slug>/embed/sign")
@csrf.exempt  # no session cookie arrives in a cross-site frame; see petition.web.form_tokens
def sign(slug: str) -> BaseResponse | tuple[str, int]:
    refuse_opaque_origin()
    # The same budget as the page's form: the widget is no second door (see signing.budget).
    over_limit = spend_signing_budget(client_limit_key(), slug)
    petition = public_petition_or_404(slug)
    form = SignForm.for_petition(petition)
    if (to_bot := answer_to_bot(form, slug)) is not None:
        return to_bot
    if not petition.is_open():
        return _widget(petition, form), 409
    if not form.validate_on_submit():
        return _widget(petition, form), 400
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
        form_token=petition_form_token(petition.id),
    )
    return not_kept(make_response(page))
