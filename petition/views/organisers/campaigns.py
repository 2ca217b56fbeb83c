"""Creating and editing petitions, changing their state, and the page that shows how one is going."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.countries import country_name
from petition.i18n.languages import N_, current_language
from petition.models import Petition
from petition.organisers.chart import daily_chart
from petition.organisers.forms import InviteForm, PeriodForm, PetitionForm, ResendForm
from petition.organisers.invitations import pending_invitations
from petition.organisers.sharing import QR_FORMATS, qr_code
from petition.petitions.editing import StateChange, change_state, last_open_day, update_petition
from petition.petitions.history import petition_history
from petition.petitions.markdown import render_markdown
from petition.petitions.publishing import PetitionError, create_petition
from petition.petitions.stats import by_country, daily, summary
from petition.petitions.versions import in_language
from petition.views.lookups import form_status
from petition.views.organisers.blueprint import Page, bp, own_petition_or_404
from petition.views.organisers.letters import letters_panel
from petition.views.organisers.mail_health import mail_health_panel
from petition.views.organisers.support import support_panel
from petition.views.organisers.timeline import timeline_panel
from petition.views.organisers.updates import updates_panel
from petition.web.auth import login_required
from petition.web.urls import public_url

PREVIEW_LIMIT = 50_000
STATE_MESSAGES = {  # translated when flashed
    StateChange.CLOSE: N_("The petition is closed: it no longer takes signatures."),
    StateChange.REOPEN: N_(
        "The petition is open again. Set a new last day by editing it, if you like."
    ),
    StateChange.HIDE: N_("The petition is hidden: it is not listed and its page is not found."),
    StateChange.SHOW: N_("The petition is visible again."),
}


def _form_page(form: PetitionForm, petition: Petition | None) -> tuple[str, int]:
    preview = render_markdown(form.body.data) if form.body.data else None
    status = form_status(form)
    page = render_template(
        "organisers/petition_form.html", form=form, petition=petition, preview=preview
    )
    return page, status


def _wants_preview() -> bool:
    return request.form.get("action") == "preview"


@bp.route("/petitions/new", methods=["GET", "POST"])
@login_required
def new_petition() -> Page:
    form = PetitionForm()
    if _wants_preview() or not form.validate_on_submit():
        return _form_page(form, None)
    try:
        petition = create_petition(organiser=current_user, **form.settings())
    except PetitionError as error:
        form.title.errors.append(str(error))
        return _form_page(form, None)
    flash(_("Your petition is published."))
    return redirect(url_for(".petition", slug=petition.slug), 303)


@bp.route("/petitions/<slug:slug>/edit", methods=["GET", "POST"])
@login_required
def edit_petition(slug: str) -> Page:
    petition = own_petition_or_404(slug)
    form = PetitionForm(obj=petition, closes_on=last_open_day(petition))
    if _wants_preview() or not form.validate_on_submit():
        return _form_page(form, petition)
    try:
        update_petition(petition, current_user, **form.settings())
    except PetitionError as error:
        form.title.errors.append(str(error))
        return _form_page(form, petition)
    flash(_("Your changes are saved."))
    return redirect(url_for(".petition", slug=slug), 303)


@bp.post("/petitions/<slug:slug>/state")
@login_required
def set_state(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    try:
        change = StateChange(request.form.get("change", ""))
    except ValueError:
        abort(400)
    change_state(petition, current_user, change)
    flash(_(STATE_MESSAGES[change]))
    return redirect(url_for(".petition", slug=slug), 303)


@bp.post("/preview")
@login_required
def preview() -> Response:
    """The sanitised HTML of Markdown text, for the live preview while typing."""
    text = request.form.get("body", "")[:PREVIEW_LIMIT]
    return Response(str(render_markdown(text)), mimetype="text/html")


@bp.get("/petitions/<slug:slug>/")
@login_required
def petition(slug: str) -> str:
    petition = own_petition_or_404(slug)
    days = daily(petition)
    return render_template(
        "organisers/petition.html",
        petition=petition,
        shown=in_language(petition, current_language()),  # its title as the organiser reads it
        summary=summary(petition),
        last_day=last_open_day(petition),
        days=days,
        chart=daily_chart(days),
        countries=[
            (country_name(code) if code else _("Not given"), n) for code, n in by_country(petition)
        ],
        changes=petition_history(petition, exports=False),
        exports=petition_history(petition, exports=True),
        period_form=PeriodForm(formdata=None),
        resend_form=ResendForm(),
        invite_form=InviteForm(),
        invitations=pending_invitations(petition),
        **updates_panel(petition),
        **timeline_panel(petition),
        **mail_health_panel(petition),
        **letters_panel(petition),
        **support_panel(petition),
    )


@bp.get("/petitions/<slug:slug>/qr.<fmt>")
@login_required
def qr(slug: str, fmt: str) -> Response:
    petition = own_petition_or_404(slug)
    if fmt not in QR_FORMATS:
        abort(404)
    image = qr_code(public_url("public.petition", slug=petition.slug), fmt)
    return Response(
        image,
        mimetype=QR_FORMATS[fmt],
        headers={"Content-Disposition": f'inline; filename="{petition.slug}-qr.{fmt}"'},
    )
