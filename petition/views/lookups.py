"""What every blueprint looks up the same way: the public petition at a slug, or a 404; a posted
choice, or a 400."""

from collections.abc import Collection
from typing import Any

from flask import abort, redirect, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.languages import current_language, language_in_address
from petition.models import Petition, PublicPetition
from petition.petitions.public_copies import PetitionSnapshot, public_snapshot
from petition.petitions.publishing import public_petition_by_slug
from petition.petitions.versions import PetitionInLanguage, in_language


def public_petition_or_404(slug: str) -> Petition:
    """The petition at this slug if the public may see it; hidden and unknown ones look alike."""
    petition = public_petition_by_slug(slug)
    if petition is None:
        abort(404)
    return petition


def public_snapshot_or_404(slug: str) -> PetitionSnapshot:
    """This process's copy of the public petition (a second old at most), or a 404."""
    snapshot = public_snapshot(slug)
    if snapshot is None:
        abort(404)
    return snapshot


def posted_choice(name: str, choices: Collection[str]) -> str:
    """The value a form posts in this field (a button's or a hidden one's), one of `choices`;
    anything else is a 400."""
    value = request.form.get(name, "")
    if value not in choices:
        abort(400)
    return value


def as_read(petition: PublicPetition | None) -> PetitionInLanguage | None:
    """The petition as this reader sees it, for pages that name it (none for a page without)."""
    if petition is None:
        return None
    return in_language(petition, current_language())


def form_status(form: FlaskForm) -> int:
    """A form page's status: 400 when what was sent has errors, else 200."""
    return 400 if form.errors else 200


def after_form(endpoint: str, **values: Any) -> BaseResponse:
    """See the page that follows a form, in the visitor's language, at its content.

    The form's action ends in its error summary's fragment; a browser keeps that fragment across
    a redirect whose address has none, so this one names its own.
    """
    return redirect(url_for(endpoint, _anchor="main", **values, **language_in_address()), 303)
