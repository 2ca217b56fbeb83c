"""Organisers' view of unusual activity on a petition, and bulk invalidation (dry run first)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.plurals import ngettext
from petition.models import Petition
from petition.moderation.activity import held_counts, signing_activity
from petition.moderation.forms import InvalidationForm, ReinstateForm
from petition.moderation.invalidations import (
    InvalidationError,
    count_matching,
    invalidate,
    invalidations_of,
    reverse_invalidation,
    set_disposable_blocking,
)
from petition.moderation.reinstatement import (
    HELD_LISTED,
    ReinstatementError,
    held_signatures,
    mask_email,
    reinstate_held_for,
    reinstate_selected,
    reinstate_signature,
)
from petition.views.organisers.blueprint import display_helpers as organisers_display_helpers
from petition.views.organisers.blueprint import own_petition_or_404
from petition.web.auth import login_required
from petition.web.numbers import posted_ids

bp = Blueprint("moderation", __name__, url_prefix="/organisers/petitions/<slug:slug>/activity")
bp.context_processor(organisers_display_helpers)


@bp.before_request
@login_required
def _organisers_only() -> None:
    """Every page here needs a login; the petition is checked by each view."""


def _activity_page(
    petition: Petition,
    form: InvalidationForm,
    status: int = 200,
    reinstate_form: ReinstateForm | None = None,
) -> tuple[str, int]:
    config = current_app.config
    return render_template(
        "moderation/activity.html",
        petition=petition,
        form=form,
        hours=signing_activity(petition, config["ACTIVITY_HOURS"], config["ACTIVITY_THRESHOLD"]),
        threshold=config["ACTIVITY_THRESHOLD"],
        invalidations=invalidations_of(petition),
        held=held_counts(petition),
        held_signatures=held_signatures(petition),
        mask_email=mask_email,
        reinstate_form=reinstate_form or ReinstateForm(formdata=None),
    ), status


@bp.get("/")
def activity(slug: str) -> tuple[str, int]:
    """Activity tables; links in them prefill the form through the query string."""
    return _activity_page(own_petition_or_404(slug), InvalidationForm(formdata=request.args))


@bp.post("/preview")
def preview(slug: str) -> tuple[str, int]:
    petition = own_petition_or_404(slug)
    form = InvalidationForm()
    if not form.validate_on_submit():
        return _activity_page(petition, form, 400)
    try:
        count = count_matching(petition, form.criteria())
    except InvalidationError as error:
        form.reason.errors.append(str(error))
        return _activity_page(petition, form, 400)
    return render_template(
        "moderation/preview.html", petition=petition, form=form, count=count
    ), 200


@bp.post("/invalidate")
def invalidate_matching(slug: str) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    form = InvalidationForm()
    if not form.validate_on_submit():
        return _activity_page(petition, form, 400)
    try:
        record = invalidate(
            petition, form.criteria(), organiser=current_user, reason=form.reason.data
        )
    except InvalidationError as error:
        form.reason.errors.append(str(error))
        return _activity_page(petition, form, 400)
    flash(
        ngettext(
            "%(num)s signature marked as fraudulent. You can reverse this below.",
            "%(num)s signatures marked as fraudulent. You can reverse this below.",
            record.count,
        )
    )
    return redirect(url_for(".activity", slug=slug), 303)


@bp.post("/invalidations/<id:invalidation_id>/reverse")
def reverse(slug: str, invalidation_id: int) -> BaseResponse:
    petition = own_petition_or_404(slug)
    try:
        restored = reverse_invalidation(petition, invalidation_id, organiser=current_user)
    except InvalidationError:
        abort(404)
    flash(
        ngettext(
            "%(num)s signature restored.",
            "%(num)s signatures restored.",
            restored,
        )
    )
    return redirect(url_for(".activity", slug=slug), 303)


@bp.post("/disposable")
def disposable(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    set_disposable_blocking(petition, request.form.get("on") == "1")
    flash(_("Saved. The setting applies to signatures made from now on."))
    return redirect(url_for(".activity", slug=slug), 303)


@bp.post("/held/<id:signature_id>/reinstate")
def reinstate(slug: str, signature_id: int) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    form = ReinstateForm()
    if not form.validate_on_submit():
        return _activity_page(petition, InvalidationForm(formdata=None), 400, form)
    try:
        counted = reinstate_signature(
            petition, signature_id, organiser=current_user, reason=form.reason.data
        )
    except ReinstatementError:
        abort(404)
    if counted:
        flash(_("Signature reinstated and counted."))
    else:
        flash(_("Reinstated: it counts once confirmed."))
    return redirect(url_for(".activity", slug=slug), 303)


@bp.post("/held/reinstate-selected")
def reinstate_ticked(slug: str) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    form = ReinstateForm()
    ids = posted_ids("ids", HELD_LISTED)
    valid = form.validate_on_submit()
    if not ids:
        form.reason.errors = [*form.reason.errors, _("Tick the signatures to reinstate.")]
    if not (ids and valid):
        return _activity_page(petition, InvalidationForm(formdata=None), 400, form)
    restored = reinstate_selected(petition, ids, organiser=current_user, reason=form.reason.data)
    return _reinstated(slug, restored)


@bp.post("/held/reinstate")
def reinstate_all(slug: str) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    form = ReinstateForm()
    if not (form.validate_on_submit() and form.flag_reason.data):
        if not form.flag_reason.data:
            form.flag_reason.errors = [
                *form.flag_reason.errors,
                _("Choose a reason from the list."),
            ]
        return _activity_page(petition, InvalidationForm(formdata=None), 400, form)
    restored = reinstate_held_for(
        petition, form.flag_reason.data, organiser=current_user, reason=form.reason.data
    )
    return _reinstated(slug, restored)


def _reinstated(slug: str, restored: int) -> BaseResponse:
    """Back to the activity page, saying how many held signatures count again."""
    flash(
        ngettext(
            "%(num)s held signature reinstated.",
            "%(num)s held signatures reinstated.",
            restored,
        )
    )
    return redirect(url_for(".activity", slug=slug), 303)
