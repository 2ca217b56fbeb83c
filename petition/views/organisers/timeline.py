"""Organiser pages: the public timeline (delivered, answered, notes) and paper signatures."""

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from petition.models import MilestoneKind, Organiser, Petition
from petition.petitions.history import DAY
from petition.petitions.timeline import kind_name, timeline_rows
from petition.updates.drafts import update_schedule
from petition.updates.milestones import MilestoneError, record_milestone, remove_milestone
from petition.updates.paper import (
    PaperError,
    paper_batches,
    record_paper_batch,
    remove_paper_batch,
)
from petition.updates.timeline_forms import (
    MILESTONE_FORMS,
    MilestoneForm,
    PaperForm,
    milestone_forms,
)
from petition.views.lookups import form_status, posted_choice
from petition.views.organisers.blueprint import bp, own_petition_or_404
from petition.web.auth import login_required
from petition.web.numbers import posted_id

__all__ = ["bp"]
Page = BaseResponse | tuple[str, int]


def timeline_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    return {"milestones": timeline_rows(petition.id)}


def _announce_hint(petition: Petition) -> str:
    """When a draft written now about a milestone could go out, under UPDATES_PER_WEEK."""
    schedule = update_schedule(petition)
    if schedule.switched_off:
        return _("Updates to signers are switched off on this site: it could not be sent.")
    if schedule.open_now:
        return _("It could be sent at once.")
    return _(
        "This petition sent its updates for this week: it could be sent from %(day)s.",
        day=format_date(schedule.next_at, DAY),
    )


def _timeline_page(petition: Petition, forms: dict[str, MilestoneForm]) -> tuple[str, int]:
    page = render_template(
        "organisers/milestones.html",
        petition=petition,
        forms=forms,
        milestones=timeline_rows(petition.id),
        announce_hint=_announce_hint(petition),
    )
    return page, max(form_status(form) for form in forms.values())


@bp.get("/petitions/<slug:slug>/timeline", endpoint="timeline")
@login_required
def timeline_page(slug: str) -> tuple[str, int]:
    return _timeline_page(own_petition_or_404(slug), milestone_forms())


@bp.post("/petitions/<slug:slug>/timeline", endpoint="record_milestone")
@login_required
def record_milestone_page(slug: str) -> Page:
    petition = own_petition_or_404(slug)
    kind = posted_choice("kind", MILESTONE_FORMS)
    forms = milestone_forms(posted=kind)
    form = forms[kind]
    if not form.validate_on_submit():
        return _timeline_page(petition, forms)
    try:
        _milestone, draft_id = record_milestone(
            petition, current_user, kind=MilestoneKind(kind), **form.values()
        )
    except MilestoneError as error:
        form.happened_on.errors = [*form.happened_on.errors, str(error)]
        return _timeline_page(petition, forms)[0], 400
    flash(_("Recorded on the public timeline: %(kind)s.", kind=kind_name(kind)))
    if draft_id is not None:
        flash(_("An update about it is drafted below: read it over, then send it."))
        return redirect(url_for(".edit_update", slug=slug, update_id=draft_id), 303)
    return redirect(url_for(".timeline", slug=slug), 303)


def _remove_row(
    slug: str, remove: Callable[[Petition, Organiser, int], bool], field: str, page: str, done: str
) -> BaseResponse:
    """A remove button's post: the row whose id the form names goes if it is the petition's,
    and the organiser is back on the page (told so when something went)."""
    if remove(own_petition_or_404(slug), current_user, posted_id(field)):
        flash(done)
    return redirect(url_for(page, slug=slug), 303)


@bp.post("/petitions/<slug:slug>/timeline/remove", endpoint="remove_milestone")
@login_required
def remove_milestone_page(slug: str) -> BaseResponse:
    return _remove_row(
        slug, remove_milestone, "milestone", ".timeline", _("Removed from the public timeline.")
    )


def _paper_page(petition: Petition, form: PaperForm) -> tuple[str, int]:
    page = render_template(
        "organisers/paper.html", petition=petition, form=form, batches=paper_batches(petition)
    )
    return page, form_status(form)


@bp.get("/petitions/<slug:slug>/paper", endpoint="paper")
@login_required
def paper_page(slug: str) -> tuple[str, int]:
    return _paper_page(own_petition_or_404(slug), PaperForm(formdata=None))


@bp.post("/petitions/<slug:slug>/paper", endpoint="record_paper")
@login_required
def record_paper_page(slug: str) -> Page:
    petition = own_petition_or_404(slug)
    form = PaperForm()
    if not form.validate_on_submit():
        return _paper_page(petition, form)
    try:
        record_paper_batch(
            petition,
            current_user,
            count=form.number(),
            collected_on=form.collected_on.data,
            note=form.note.data or "",
        )
    except PaperError as error:
        form.count.errors = [*form.count.errors, str(error)]
        return _paper_page(petition, form)[0], 400
    flash(_("The batch is counted apart, as signatures on paper."))
    return redirect(url_for(".paper", slug=slug), 303)


@bp.post("/petitions/<slug:slug>/paper/remove", endpoint="remove_paper")
@login_required
def remove_paper_page(slug: str) -> BaseResponse:
    return _remove_row(
        slug, remove_paper_batch, "batch", ".paper", _("The batch is removed from the paper count.")
    )
