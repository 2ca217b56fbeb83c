"""Pages for signers: browse, sign, confirm."""

from dataclasses import replace
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    render_template,
    request,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from petition import tokens
from petition.extensions import client_limit_key, csrf, db
from petition.followup.unsubscribe import subscription, unsubscribe
from petition.i18n.countries import country_name
from petition.i18n.languages import current_language, language_in_address, requested_language
from petition.letters.actions import count_letter_sent, letter_action
from petition.letters.forms import SupporterLetterForm
from petition.letters.letter import (
    MAX_MAILTO,
    guessed_country,
    letter_in,
    targets_for,
)
from petition.letters.pdf import letter_pdf
from petition.letters.recipients import recipients
from petition.log.receipts import receipt_status, shown_receipt
from petition.models import LetterAction, Petition, PublicPetition
from petition.petitions.public_copies import public_snapshot
from petition.petitions.public_signers import first_name
from petition.petitions.publishing import open_petitions, public_petition_by_slug
from petition.petitions.versions import PetitionInLanguage, all_in_language, in_language
from petition.signing.codes import CodeRefusedError, code_tries_scope, confirm_with_code
from petition.signing.forms import CodeForm, ReceiptForm, SignForm
from petition.signing.signatures import (
    PetitionClosedError,
    confirm_signature,
    load_confirmation,
    petition_of_expired_token,
    sign_petition,
)
from petition.signing.withdrawal import petition_of_withdrawal, withdraw_signature
from petition.support import MAX_PAGE, approved_messages, write_message
from petition.support.forms import SupportForm
from petition.views.caching import (
    private_cacheable,
    readable_from_any_site,
    shared_cacheable,
)
from petition.web.limits import (
    add_to_tally,
    limit_resets_in,
    limit_spent,
    spend_limit,
    tally,
)
from petition.views.lookups import (
    after_form,
    form_status,
    public_petition_or_404,
    public_snapshot_or_404,
)
from petition.views.pages import fresh_petition_page, petition_page
from petition.views.signer import not_kept, remember_signer, typed_signer
from petition.web.forms import Form
from petition.web.numbers import query_number

bp = Blueprint("public", __name__)
NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the token in the URL goes nowhere else


def _read(petition: PublicPetition | None) -> PetitionInLanguage | None:
    """The petition as this reader sees it, for pages that name it."""
    if petition is None:
        return None
    return in_language(petition, current_language())


@bp.get("/")
def index() -> str:
    petitions = all_in_language(open_petitions(), current_language())
    return render_template("public/index.html", petitions=petitions)


@bp.get("/petitions/<slug:slug>")
def petition(slug: str) -> BaseResponse:
    return private_cacheable(make_response(fresh_petition_page(public_snapshot_or_404(slug))))


def signer_key() -> str:
    """Rate limits count per client (an IPv6 one by its /64) per petition."""
    return f"{client_limit_key()}|{(request.view_args or {}).get('slug', '')}"


def over_signing_limit() -> bool:
    """Count this submission against its address's budget; true once the budget is spent.

    One budget per client address per petition, shared with the widget's form, so the widget
    is no second door. Spending it is never refused with a 429: the submission is held quietly
    instead, and no mail is sent for it (see signing.py), so a script cannot tell it was caught.
    """
    return spend_limit("SIGN_RATE_LIMIT", "sign", signer_key())


def mail_budget_spent() -> bool:
    """Count one message against the client's daily budget across all petitions; true once spent.

    A client that signs on many petitions, each within its limit, still cannot make the site a
    mail cannon: past the budget its submissions are stored but cause no mail.
    """
    return spend_limit("SIGN_MAIL_LIMIT", "sign-mail", client_limit_key())


def submit_signature(petition: PublicPetition, form: SignForm, over_limit: bool) -> None:
    """Hand a validated sign form, and the client address to hash, to the signing use case."""
    sign_petition(
        petition,
        name=form.name.data,
        email=form.email.data,
        country=form.country.data if petition.collects_country else None,
        client_address=request.remote_addr,
        show_name=form.show_name.data,
        wants_updates=bool(form.wants_updates.data),
        flag_reason="rate-limit" if over_limit else None,
        language=current_language(),
        # Over its limit a client causes no mail at all; the page it sees is the same.
        mail=not over_limit and not mail_budget_spent(),
    )


@bp.post("/petitions/<slug:slug>/sign")
def sign(slug: str) -> BaseResponse | tuple[str, int]:
    over_limit = over_signing_limit()
    petition = public_snapshot_or_404(slug)  # signing itself reads the petition's state afresh
    form = SignForm(collects_country=petition.collects_country)
    if form.leave_blank.data:
        # A bot filled the honeypot: the usual answer, and nothing stored or sent.
        remember_signer(form)
        return after_form(".check_email", slug=slug)
    if not petition.is_open():
        return petition_page(petition, form), 409
    if not form.validate_on_submit():
        return petition_page(petition, form), 400
    try:
        submit_signature(petition, form, over_limit)
    except PetitionClosedError:
        # Closed or hidden since this process's copy was taken: show the petition as it is now.
        now = public_petition_by_slug(slug)
        if now is None:
            abort(404)
        return petition_page(now, form), 409
    remember_signer(form)
    start_code_round(petition.id, form.email.data)
    return after_form(".check_email", slug=slug)


@bp.get("/petitions/<slug:slug>/check-email")
def check_email(slug: str) -> BaseResponse:
    petition = _read(public_petition_or_404(slug))
    # The address comes from the visitor's own session, never from the URL (see views.signer).
    signer = typed_signer()
    form = CodeForm(None, email=signer.email if signer else None)
    page = render_template("public/check_email.html", petition=petition, form=form, signer=signer)
    return not_kept(make_response(page))


@bp.get("/petitions/<slug:slug>.json")
def petition_json(slug: str) -> BaseResponse:
    # Shared caches keep one copy per address, so only the address (?lang=) chooses the text.
    body = public_snapshot_or_404(slug).json_body(requested_language())
    response = current_app.response_class(body, mimetype="application/json")
    return readable_from_any_site(shared_cacheable(response))  # campaign sites read the count


def _token_error_page(error: tokens.InvalidTokenError) -> tuple[str, int]:
    if isinstance(error, tokens.ExpiredTokenError):
        petition = petition_of_expired_token(error)
        return render_template("public/link_expired.html", petition=_read(petition)), 410
    return render_template("public/link_invalid.html"), 400


def _confirmed_page(petition_id: int, slug: str, receipt: str | None, already: bool = False) -> str:
    """The thank-you page, with what the signer can do next: write, say why, share.

    Those are offered only while the petition is public: a hidden one takes no letters or
    messages, and its address would share nothing.
    """
    public = public_snapshot(slug, keep=False)
    petition = _read(public or db.get_or_404(Petition, petition_id))
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
        return render_template("public/confirm_closed.html", petition=_read(error.petition)), 410
    if preview.confirmed:  # after the Confirm button, or the link opened again: the same receipt
        return _confirmed_page(preview.petition.id, preview.petition.slug, preview.receipt), 200
    return (
        render_template(
            "public/confirm.html",
            petition=_read(preview.petition),
            details=preview.details,
            country_name=country_name,
            first_name=first_name,
        ),
        200,
    )


@bp.get("/confirm/<token>")
def confirm(token: str) -> tuple[str, int, dict[str, str]]:
    """Show the Confirm button; opening the link alone (as mail scanners do) changes nothing."""
    return (*_confirmation_page(token), NO_REFERRER)


@bp.post("/confirm/<token>")
@csrf.exempt  # the signed token is the proof; confirming must work without cookies
def confirm_post(token: str) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Confirm, then show the link's own page: reloading it resends nothing.

    The receipt stays out of the address: the link's page shows it again from the signature.
    """
    try:
        confirm_signature(token)
    except tokens.InvalidTokenError as error:
        return (*_token_error_page(error), NO_REFERRER)
    except PetitionClosedError as error:
        page = render_template("public/confirm_closed.html", petition=_read(error.petition))
        return page, 410, NO_REFERRER
    response = after_form(".confirm", token=token)
    response.headers.update(NO_REFERRER)
    return response


def _withdrawal_page(token: str, withdraw: bool) -> tuple[str, int, dict[str, str]]:
    try:
        petition = withdraw_signature(token) if withdraw else petition_of_withdrawal(token)
    except tokens.InvalidTokenError:
        return render_template("public/link_invalid.html"), 400, NO_REFERRER
    if withdraw or petition is None:
        return render_template("public/withdrawn.html", petition=_read(petition)), 200, NO_REFERRER
    return render_template("public/withdraw.html", petition=_read(petition)), 200, NO_REFERRER


@bp.get("/withdraw/<token>")
def withdraw(token: str) -> tuple[str, int, dict[str, str]]:
    """Show the Withdraw button; opening the link changes nothing."""
    return _withdrawal_page(token, withdraw=False)


@bp.post("/withdraw/<token>")
@csrf.exempt  # the signed token is the proof, as for confirming
def withdraw_post(token: str) -> tuple[str, int, dict[str, str]]:
    return _withdrawal_page(token, withdraw=True)


def _over_form_limit(setting: str, scope: str, form: Form) -> bool:
    """Count a posted form against a client's limit; past it, the form says so and when to try
    again, and comes back with what was typed (nothing is lost to a limit)."""
    if request.method != "POST":
        return False
    refusal = _limit_refusal(setting, scope)
    if refusal is not None:
        form.form_errors.append(refusal)
    return refusal is not None


def _limit_refusal(setting: str, scope: str) -> str | None:
    """Count this request against a client's limit; past it, what to tell them, else None."""
    if not spend_limit(setting, scope, client_limit_key()):
        return None
    seconds = limit_resets_in(setting, scope, client_limit_key())
    if seconds is None:
        message = _(
            "There were many tries from this connection in a short time. Please try again "
            "later; what you typed is kept below."
        )
    else:
        when = format_timedelta(timedelta(seconds=max(seconds, 60)), add_direction=True)
        message = _(
            "There were many tries from this connection in a short time. Please try again "
            "%(when)s; what you typed is kept below.",
            when=when,
        )
    return message


@bp.route("/petitions/<slug:slug>/receipt", methods=["GET", "POST"])
@csrf.exempt  # it changes nothing; the receipt itself is the only thing that finds anything
def receipt(slug: str) -> tuple[str, int]:
    """Where a receipt's signature stands in the petition's public log; posted, never in a URL."""
    petition = public_petition_or_404(slug)
    form = ReceiptForm()
    if _over_form_limit("RECEIPT_CHECK_LIMIT", "receipt", form):
        page = render_template("public/receipt.html", petition=_read(petition), form=form)
        return page, 429
    status = receipt_status(petition.id, form.receipt.data) if form.validate_on_submit() else None
    page = render_template(
        "public/receipt.html",
        petition=_read(petition),
        form=form,
        checked=form.is_submitted() and not form.errors,
        status=status,
    )
    return page, form_status(form)


@bp.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


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


def _code_tries(petition_id: int, email: str) -> str:
    """Whose wrong codes count together: this client's, for this address, since it last signed.

    Per client, so a stranger's guesses never spend the signer's tries; afresh each time this
    client signs again (a new mail brings a new code), counted by the client's own submissions
    and never by what the database holds, so neither a lock nor its lifting tells who signed.
    """
    scope = f"{client_limit_key()}|{code_tries_scope(petition_id, email)}"
    return f"{scope}|{tally('code-rounds', scope)}"


def start_code_round(petition_id: int, email: str) -> None:
    """A sign form was sent with this address: its code tries start afresh for this client."""
    add_to_tally("code-rounds", f"{client_limit_key()}|{code_tries_scope(petition_id, email)}")


@bp.route("/petitions/<slug:slug>/code", methods=["GET", "POST"])
@csrf.exempt  # the code is the proof, as the link's token is; it must work without cookies
def code(slug: str) -> tuple[str, int, dict[str, str]]:
    """Confirm a signature by the code from its email, typed with the address that signed."""
    petition = public_petition_or_404(slug)
    form = CodeForm()
    if _over_form_limit("CONFIRM_CODE_LIMIT", "code", form):
        page = render_template("public/code.html", petition=_read(petition), form=form)
        return page, 429, NO_REFERRER
    if form.validate_on_submit():
        tries = _code_tries(petition.id, form.email.data)
        try:
            if limit_spent("CONFIRM_CODE_ATTEMPTS", "code-tries", tries):
                raise CodeRefusedError()
            done = confirm_with_code(petition.id, form.email.data, form.code.data)
        except CodeRefusedError:
            locked = spend_limit("CONFIRM_CODE_ATTEMPTS", "code-tries", tries)
            form.code.errors = [_code_refused(locked)]
        except PetitionClosedError as error:
            page = render_template("public/confirm_closed.html", petition=_read(error.petition))
            return page, 410, NO_REFERRER
        else:
            page = _confirmed_page(done.petition_id, done.petition_slug, done.receipt, done.already)
            return page, 200, NO_REFERRER
    page = render_template("public/code.html", petition=_read(petition), form=form)
    return page, 400 if form.is_submitted() else 200, NO_REFERRER


def _unsubscribe_page(token: str, stop: bool) -> tuple[str, int, dict[str, str]]:
    try:
        found = unsubscribe(token) if stop else subscription(token)
    except tokens.InvalidTokenError as error:
        expired = isinstance(error, tokens.ExpiredTokenError)
        page = render_template("public/unsubscribe_invalid.html", expired=expired)
        return page, 410 if expired else 400, NO_REFERRER
    petition = _read(found.petition)
    if stop or not found.wants_updates:
        return render_template("public/unsubscribed.html", petition=petition), 200, NO_REFERRER
    return render_template("public/unsubscribe.html", petition=petition), 200, NO_REFERRER


@bp.get("/unsubscribe/<token>", endpoint="unsubscribe")
def unsubscribe_page(token: str) -> tuple[str, int, dict[str, str]]:
    """Show the button that stops a signer's updates; opening the link changes nothing."""
    return _unsubscribe_page(token, stop=False)


@bp.post("/unsubscribe/<token>", endpoint="unsubscribe_post")
@csrf.exempt  # the signed token is the proof; mail apps post here with no cookie (RFC 8058)
def unsubscribe_post(token: str) -> tuple[str, int, dict[str, str]]:
    return _unsubscribe_page(token, stop=True)


# Messages of support: a closed petition still takes them (its cause goes on); a hidden one 404s.
def _support_page(
    petition: PublicPetition, form: SupportForm, status: int = 200
) -> tuple[str, int]:
    page = approved_messages(petition.id, query_number("page", default=1, high=MAX_PAGE))
    return render_template(
        "public/support.html", petition=_read(petition), form=form, page=page
    ), status


@bp.get("/petitions/<slug:slug>/support")
def support(slug: str) -> BaseResponse:
    # Like the petition page: it embeds this visitor's CSRF token, so only their browser keeps it.
    page = _support_page(public_snapshot_or_404(slug), SupportForm(formdata=None))
    return private_cacheable(make_response(page))


@bp.post("/petitions/<slug:slug>/support")
def write_support(slug: str) -> BaseResponse | tuple[str, int]:
    petition = public_snapshot_or_404(slug)
    form = SupportForm()
    if not form.validate_on_submit():
        return _support_page(petition, form, 400)
    if spend_limit("SUPPORT_MESSAGE_LIMIT", "support", signer_key()):
        # The writer keeps what they typed: the form comes back with it and says when to retry.
        form.form_errors.append(_support_limit_message())
        return _support_page(petition, form, 429)
    write_message(
        petition.id,
        body=form.message.data or "",
        name=form.first_name.data,
        city=form.city.data,
        language=current_language(),
        client_address=request.remote_addr,
    )
    return after_form(".support_thanks", slug=slug)


def _support_limit_message() -> str:
    """Why a message was not sent over the limit, and when it can be."""
    seconds = limit_resets_in("SUPPORT_MESSAGE_LIMIT", "support", signer_key())
    if seconds is None:
        return _(
            "You have sent several messages from this connection in a short time. "
            "Please try again later; your message is kept below."
        )
    when = format_timedelta(timedelta(seconds=max(seconds, 60)), add_direction=True)
    return _(
        "You have sent several messages from this connection in a short time. "
        "Please try again %(when)s; your message is kept below.",
        when=when,
    )


@bp.get("/petitions/<slug:slug>/support/thanks")
def support_thanks(slug: str) -> str:
    return render_template(
        "public/support_thanks.html", petition=_read(public_petition_or_404(slug))
    )


def _letter_action_or_404(slug: str, action_id: int) -> tuple[PetitionInLanguage, LetterAction]:
    """A visible petition's letter action; hidden petitions and other petitions' ids: 404."""
    snapshot = public_snapshot_or_404(slug)
    action = letter_action(snapshot.id, action_id)
    if action is None:
        abort(404)
    return in_language(snapshot, current_language()), action


def _letter_page(slug: str, action_id: int, refusal: str | None = None) -> tuple[str, int]:
    """The action page: the letter as stored (GET) or as the supporter edited it (POST)."""
    petition, action = _letter_action_or_404(slug, action_id)
    letter = letter_in(action, current_language(), petition.original_language)
    posted = request.method == "POST"
    form = SupporterLetterForm() if posted else SupporterLetterForm(formdata=None, data={
        "subject": letter.subject,
        "body": letter.body,
        "country": request.args.get("country", "") or guessed_country(current_language()) or "",
    })  # fmt: skip
    valid = form.validate() if posted else True
    if refusal is not None:
        form.form_errors.append(refusal)
    country = form.chosen_country()
    # A refused edit keeps its message beside the field; the links stay the campaign's letter.
    subject = form.subject.data if valid and posted else letter.subject
    body = form.body.data if valid and posted else letter.body
    page = render_template(
        "public/letter.html",
        petition=petition,
        action=action,
        letter=letter,
        form=form,
        country=country,
        chosen=recipients(action, country, letter.language, subject, body),
        country_name=country_name,
        max_mailto=MAX_MAILTO,
        carried=language_in_address(),
    )
    return page, 429 if refusal else 400 if form.errors else 200


@bp.route(
    "/petitions/<slug:slug>/letters/<id:action_id>",
    methods=["GET", "POST"],
    endpoint="letter_action",
)
@csrf.exempt  # it changes nothing: the edited text comes back in the page and is never kept
def letter_action_page(slug: str, action_id: int) -> tuple[str, int, dict[str, str]]:
    """A letter action: the letter to edit, the mailto link, the copy and the printable letter."""
    page, status = _letter_page(slug, action_id)
    return page, status, NO_REFERRER


@bp.route("/petitions/<slug:slug>/letters/<id:action_id>/letter.pdf", methods=["GET", "POST"])
@csrf.exempt  # as the page: the supporter's text goes into the file and nowhere else
def letter_pdf_download(
    slug: str, action_id: int
) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """The printable letter, for the chosen country's target and the fixed ones.

    Past LETTER_PDF_LIMIT, or with an edit it refuses, the letter's page comes back instead, with
    the supporter's edit as typed and what to do.
    """
    # Counted before anything is read or drawn: drawing is the one costly thing a stranger can ask.
    refusal = _limit_refusal("LETTER_PDF_LIMIT", "letter-pdf")
    if refusal is not None:
        page, status = _letter_page(slug, action_id, refusal)
        return page, status, NO_REFERRER
    petition, action = _letter_action_or_404(slug, action_id)
    letter = letter_in(action, current_language(), petition.original_language)
    form = SupporterLetterForm() if request.method == "POST" else SupporterLetterForm(
        formdata=None, data={"country": request.args.get("country", "")}
    )  # fmt: skip
    if request.method == "POST":
        if not form.validate():
            page, status = _letter_page(slug, action_id)
            return page, status, NO_REFERRER
        letter = replace(letter, subject=form.subject.data, body=form.body.data)
    pdf = letter_pdf(letter, targets_for(action, form.chosen_country()))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="letter.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/petitions/<slug:slug>/letters/<id:action_id>/sent")
def letter_sent(slug: str, action_id: int) -> BaseResponse:
    """One more in the anonymous count ("I sent it"), at most LETTER_SENT_LIMIT per client.

    Then back to the action's page, which a reload shows again without counting again.
    """
    _letter_action_or_404(slug, action_id)
    if spend_limit("LETTER_SENT_LIMIT", "letter-sent", f"{client_limit_key()}|{action_id}"):
        flash(
            _(
                "Thank you. Your letters from this connection are already counted for today, so "
                "this one is not counted again."
            )
        )
    else:
        count_letter_sent(action_id)
        flash(_("Thank you. Your letter is counted; nothing else about you is kept."))
    country = request.args.get("country", "")[:2]
    chosen = {"country": country} if country else {}
    return after_form(".letter_action", slug=slug, action_id=action_id, **chosen)
    count_letter_sent(action_id)
    page, status = _letter_page(slug, action_id, sent=True)
    return page, status, NO_REFERRER
