"""The signer's pages: sign, check your email, confirm by the link or by the code, withdraw, and
look a receipt up in the petition's public log.

Every page a link's token opens changes nothing; only its button posts. Those posts and the code
form work without cookies (the token or the code is the proof), and no page with a token in its
address sends it on as a referrer.
"""

from flask import Blueprint, abort, make_response, render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from petition import tokens
from petition.extensions import client_limit_key, csrf, db
from petition.i18n.countries import country_name
from petition.models import Petition
from petition.petitions.public_copies import public_snapshot
from petition.petitions.public_signers import first_name
from petition.petitions.publishing import public_petition_by_slug
from petition.signing.budget import (
    code_tries,
    spend_signing_budget,
)
from petition.signing.codes import CodeRefusedError, confirm_with_code
from petition.signing.forms import CodeForm, ReceiptForm, SignForm
from petition.signing.signatures import (
    PetitionClosedError,
    confirm_signature,
    load_confirmation,
    petition_of_expired_token,
)
from petition.signing.withdrawal import petition_of_withdrawal, withdraw_signature
from petition.transparency.receipts import receipt_status, shown_receipt
from petition.views.lookups import (
    after_form,
    as_read,
    form_status,
    public_petition_or_404,
    public_snapshot_or_404,
)
from petition.views.pages import petition_page
from petition.views.signer import (
    answer_to_bot,
    not_kept,
    sign_as_typed,
    typed_signer,
)
from petition.web.cut_connections import runs_twice_safely
from petition.web.form_tokens import petition_form_token, refuse_opaque_origin
from petition.web.headers import NO_REFERRER
from petition.web.limits import limit_spent, over_form_limit, spend_limit


def register(bp: Blueprint) -> None:
    """Serve these pages on the public blueprint."""
    bp.add_url_rule("/petitions/<slug:slug>/sign", view_func=sign, methods=["POST"])
    bp.add_url_rule("/petitions/<slug:slug>/check-email", view_func=check_email, methods=["GET"])
    bp.add_url_rule("/confirm/<token>", view_func=confirm, methods=["GET"])
    bp.add_url_rule("/confirm/<token>", view_func=confirm_post, methods=["POST"])
    bp.add_url_rule("/petitions/<slug:slug>/code", view_func=code, methods=["GET", "POST"])
    bp.add_url_rule("/withdraw/<token>", view_func=withdraw, methods=["GET"])
    bp.add_url_rule("/withdraw/<token>", view_func=withdraw_post, methods=["POST"])
    bp.add_url_rule("/petitions/<slug:slug>/receipt", view_func=receipt, methods=["GET", "POST"])


@csrf.exempt  # the page is one copy for everyone: its form token guards it (web.form_tokens)
@runs_twice_safely  # a second run is a repeat of the first (and counts once more)
def sign(slug: str) -> BaseResponse | tuple[str, int]:
    refuse_opaque_origin()
    # Every submission counts, before anything else is looked at (see signing.budget).
    over_limit = spend_signing_budget(client_limit_key(), slug)
    petition = public_snapshot_or_404(slug)  # signing itself reads the petition's state afresh
    form = SignForm.for_petition(petition)
    if (to_bot := answer_to_bot(form, slug)) is not None:
        return to_bot
    if not petition.is_open():
        return petition_page(petition, form), 409
    if not form.validate_on_submit():
        return petition_page(petition, form), 400
    try:
        sign_as_typed(petition, form, over_limit=over_limit)
    except PetitionClosedError:
        # Closed or hidden since this process's copy was taken: show the petition as it is now.
        now = public_petition_by_slug(slug)
        if now is None:
            abort(404)
        return petition_page(now, form), 409
    return after_form(".check_email", slug=slug)


def check_email(slug: str) -> BaseResponse:
    petition = public_petition_or_404(slug)
    # The address comes from the visitor's own session, never from the URL (see views.signer).
    signer = typed_signer()
    form = CodeForm(None, email=signer.email if signer else None)
    page = render_template(
        "public/check_email.html",
        petition=as_read(petition),
        form=form,
        signer=signer,
        form_token=petition_form_token(petition.id),
    )
    return not_kept(make_response(page))


def _token_error_page(error: tokens.InvalidTokenError) -> tuple[str, int]:
    if isinstance(error, tokens.ExpiredTokenError):
        petition = petition_of_expired_token(error)
        return render_template("public/link_expired.html", petition=as_read(petition)), 410
    return render_template("public/link_invalid.html"), 400


def _confirmed_page(petition_id: int, slug: str, receipt: str | None, already: bool = False) -> str:
    """The thank-you page, with what the signer can do next: write, say why, share.

    Those are offered only while the petition is public: a hidden one takes no letters or
    messages, and its address would share nothing.
    """
    public = public_snapshot(slug, keep=False)
    petition = as_read(public or db.get_or_404(Petition, petition_id))
    return render_template(
        "public/confirmed.html",
        petition=petition,
        receipt=shown_receipt(receipt) if receipt else None,
        already=already,
        public=public is not None,
        letters=public.letters if public else [],
    )


def _confirmation_page(token: str) -> tuple[str, int]:
    try:
        preview = load_confirmation(token)
    except tokens.InvalidTokenError as error:
        return _token_error_page(error)
    except PetitionClosedError as error:
        return render_template("public/confirm_closed.html", petition=as_read(error.petition)), 410
    if preview.confirmed:  # after the Confirm button, or the link opened again: the same receipt
        return _confirmed_page(preview.petition.id, preview.petition.slug, preview.receipt), 200
    return (
        render_template(
            "public/confirm.html",
            petition=as_read(preview.petition),
            details=preview.details,
            country_name=country_name,
            first_name=first_name,
        ),
        200,
    )


def confirm(token: str) -> tuple[str, int, dict[str, str]]:
    """Show the Confirm button; opening the link alone (as mail scanners do) changes nothing."""
    return (*_confirmation_page(token), NO_REFERRER)


@csrf.exempt  # the signed token is the proof; confirming must work without cookies
@runs_twice_safely  # confirming a confirmed signature changes nothing
def confirm_post(token: str) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Confirm, then show the link's own page: reloading it resends nothing.

    The receipt stays out of the address: the link's page shows it again from the signature.
    """
    try:
        confirm_signature(token)
    except tokens.InvalidTokenError as error:
        return (*_token_error_page(error), NO_REFERRER)
    except PetitionClosedError as error:
        page = render_template("public/confirm_closed.html", petition=as_read(error.petition))
        return page, 410, NO_REFERRER
    response = after_form(".confirm", token=token)
    response.headers.update(NO_REFERRER)
    return response


def _code_refused(locked: bool) -> str:
    # Worded alike for a wrong code and an address that never signed: it tells a stranger nothing.
    if locked:
        return _(
            "This code no longer works here: too many wrong codes were typed for this address. "
            "Open the link in the confirmation email instead, or sign again with the same "
            "address to get a new email with a new code."
        )
    return _(
        "That code does not match. Check the code and the address you signed with, both as in "
        "the newest email. After several wrong codes only the link in the email confirms."
    )


@csrf.exempt  # the code is the proof, as the link's token is; it must work without cookies
def code(slug: str) -> tuple[str, int, dict[str, str]]:
    """Confirm a signature by the code from its email, typed with the address that signed."""
    petition = public_petition_or_404(slug)
    form = CodeForm()
    if over_form_limit("CONFIRM_CODE_LIMIT", "code", form):
        page = render_template("public/code.html", petition=as_read(petition), form=form)
        return page, 429, NO_REFERRER
    if form.validate_on_submit():
        tries = code_tries(client_limit_key(), petition.id, form.email.data)
        try:
            if limit_spent("CONFIRM_CODE_ATTEMPTS", "code-tries", tries):
                raise CodeRefusedError()
            done = confirm_with_code(petition.id, form.email.data, form.code.data)
        except CodeRefusedError:
            locked = spend_limit("CONFIRM_CODE_ATTEMPTS", "code-tries", tries)
            form.code.errors = [_code_refused(locked)]
        except PetitionClosedError as error:
            page = render_template("public/confirm_closed.html", petition=as_read(error.petition))
            return page, 410, NO_REFERRER
        else:
            page = _confirmed_page(done.petition_id, done.petition_slug, done.receipt, done.already)
            return page, 200, NO_REFERRER
    page = render_template("public/code.html", petition=as_read(petition), form=form)
    return page, 400 if form.is_submitted() else 200, NO_REFERRER


def _withdrawal_page(token: str, withdraw: bool) -> tuple[str, int, dict[str, str]]:
    try:
        petition = withdraw_signature(token) if withdraw else petition_of_withdrawal(token)
    except tokens.InvalidTokenError:
        return render_template("public/link_invalid.html"), 400, NO_REFERRER
    if withdraw or petition is None:
        page = render_template("public/withdrawn.html", petition=as_read(petition))
        return page, 200, NO_REFERRER
    return render_template("public/withdraw.html", petition=as_read(petition)), 200, NO_REFERRER


def withdraw(token: str) -> tuple[str, int, dict[str, str]]:
    """Show the Withdraw button; opening the link changes nothing."""
    return _withdrawal_page(token, withdraw=False)


@csrf.exempt  # the signed token is the proof, as for confirming
def withdraw_post(token: str) -> tuple[str, int, dict[str, str]]:
    return _withdrawal_page(token, withdraw=True)


@csrf.exempt  # it changes nothing; the receipt itself is the only thing that finds anything
def receipt(slug: str) -> tuple[str, int]:
    """Where a receipt's signature stands in the petition's public log; posted, never in a URL."""
    petition = public_petition_or_404(slug)
    form = ReceiptForm()
    if over_form_limit("RECEIPT_CHECK_LIMIT", "receipt", form):
        page = render_template("public/receipt.html", petition=as_read(petition), form=form)
        return page, 429
    status = receipt_status(petition.id, form.receipt.data) if form.validate_on_submit() else None
    page = render_template(
        "public/receipt.html",
        petition=as_read(petition),
        form=form,
        checked=form.is_submitted() and not form.errors,
        status=status,
    )
    return page, form_status(form)
