"""A letter action's public page: the letter to edit, its mailto link, the printable letter, and
the anonymous "I sent it" count. Nothing a supporter edits is kept: it comes back in the page or
the file and goes nowhere else."""

from dataclasses import replace

from flask import Blueprint, abort, current_app, flash, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from petition.extensions import client_limit_key, csrf
from petition.i18n.countries import country_name
from petition.i18n.languages import current_language, language_in_address
from petition.letters.actions import count_letter_sent, letter_action
from petition.letters.forms import SupporterLetterForm
from petition.letters.letter import MAX_MAILTO, guessed_country, letter_in, targets_for
from petition.letters.pdf import letter_pdf
from petition.letters.recipients import recipients
from petition.models import LetterAction
from petition.petitions.versions import PetitionInLanguage, in_language
from petition.views.lookups import after_form, public_snapshot_or_404
from petition.web.headers import NO_REFERRER
from petition.web.limits import limit_refusal, spend_limit

_ACTION = "/petitions/<slug:slug>/letters/<id:action_id>"


def register(bp: Blueprint) -> None:
    """Serve these pages on the public blueprint."""
    bp.add_url_rule(_ACTION, "letter_action", view_func=letter_action_page, methods=["GET", "POST"])
    bp.add_url_rule(f"{_ACTION}/letter.pdf", view_func=letter_pdf_download, methods=["GET", "POST"])
    bp.add_url_rule(f"{_ACTION}/sent", view_func=letter_sent, methods=["POST"])


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


@csrf.exempt  # it changes nothing: the edited text comes back in the page and is never kept
def letter_action_page(slug: str, action_id: int) -> tuple[str, int, dict[str, str]]:
    """A letter action: the letter to edit, the mailto link, the copy and the printable letter."""
    page, status = _letter_page(slug, action_id)
    return page, status, NO_REFERRER


@csrf.exempt  # as the page: the supporter's text goes into the file and nowhere else
def letter_pdf_download(
    slug: str, action_id: int
) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """The printable letter, for the chosen country's target and the fixed ones.

    Past LETTER_PDF_LIMIT, or with an edit it refuses, the letter's page comes back instead, with
    the supporter's edit as typed and what to do.
    """
    # Counted before anything is read or drawn: drawing is the one costly thing a stranger can ask.
    refusal = limit_refusal("LETTER_PDF_LIMIT", "letter-pdf")
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
