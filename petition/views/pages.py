"""The petition page, rendered once per petition copy and language; only its form token added.

Rendering the form's fields costs more than everything else a page view does. For a visitor who is
not logged in and has no messages waiting, the page is anyone else's: the kept page holds a
placeholder for the form token (web.form_tokens), which changes every minute, replaced on every
request. Everyone else gets the page rendered in full.
"""

import secrets

from flask import render_template, request
from flask_babel import get_locale

from petition.i18n.languages import PARAMETER as LANGUAGE_PARAMETER
from petition.i18n.languages import current_language
from petition.models import PublicPetition
from petition.petitions.letter_rows import letter_rows
from petition.petitions.public_copies import PetitionSnapshot
from petition.petitions.public_signers import listed_signers, public_signers
from petition.petitions.timeline import timeline_rows
from petition.petitions.versions import in_language
from petition.signing.forms import SignForm
from petition.support import PETITION_PAGE_MESSAGES, approved_messages
from petition.support.forms import SupportForm
from petition.views.caching import is_personal
from petition.web.form_tokens import petition_form_token

# Unguessable, so no petition text can contain it; only ever replaced, never sent.
_PLACEHOLDER = f"form-token-placeholder-{secrets.token_hex(16)}"


def petition_page(petition: PublicPetition, form: SignForm, form_token: str | None = None) -> str:
    """The page as it stands for this visitor, with this form (its data and errors) in it.

    Its forms carry `form_token`, by default the petition's token of this minute.
    """
    form.form_token.data = form_token or petition_form_token(petition.id)
    signers = (
        listed_signers(petition.signers)
        if isinstance(petition, PetitionSnapshot)
        else public_signers(petition)
    )
    milestones = (
        petition.milestones
        if isinstance(petition, PetitionSnapshot)
        else timeline_rows(petition.id)
    )
    shown = in_language(petition, current_language())
    letters = (
        petition.letters if isinstance(petition, PetitionSnapshot) else letter_rows(petition.id)
    )
    # Read once per kept page: approving a message drops the copies (see public_copies.py).
    support = approved_messages(petition.id, 1, PETITION_PAGE_MESSAGES)
    return render_template(
        "public/petition.html",
        petition=shown,
        form=form,
        signers=signers,
        milestones=milestones,
        letters=letters,
        support=support,
        support_form=SupportForm(
            formdata=None, petition_id=petition.id, form_token=form.form_token.data
        ),
    )


def _is_like_everyone_elses() -> bool:
    """Whether this visitor's page is anyone else's, its form token aside.

    Not for a logged-in organiser (their menu), nor with messages waiting, nor with query
    parameters other than the language, which the language switcher's links carry along.
    """
    return not (is_personal() or any(key != LANGUAGE_PARAMETER for key in request.args))


def fresh_petition_page(snapshot: PetitionSnapshot) -> str:
    """The page with an empty sign form, from the kept copy when the visitor allows it."""
    if not _is_like_everyone_elses():
        return petition_page(snapshot, SignForm.for_petition(snapshot))
    # Everything else that changes the page: the language and where the app is mounted.
    variant = (str(get_locale()), request.script_root)
    page = snapshot.pages.get(variant)
    if page is None:  # the form is made only then: making it costs more than the rest of a view
        page = snapshot.pages[variant] = petition_page(
            snapshot, SignForm.for_petition(snapshot), _PLACEHOLDER
        )
    return page.replace(_PLACEHOLDER, petition_form_token(snapshot.id))
