"""What every blueprint looks up the same way: the public petition at a slug, or a 404."""

from flask import abort
from flask_wtf import FlaskForm

from petition.models import Petition
from petition.petitions.public_copies import PetitionSnapshot, public_snapshot
from petition.petitions.publishing import public_petition_by_slug


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


def form_status(form: FlaskForm) -> int:
    """A form page's status: 400 when what was sent has errors, else 200."""
    return 400 if form.errors else 200
