"""Organiser pages: updates to the signers who asked for them (write, preview, test, send)."""

from babel import Locale
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, gettext
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.languages import LANGUAGES, current_language
from petition.i18n.plurals import ngettext
from petition.models import Petition, PetitionUpdate
from petition.petitions.history import DAY, MOMENT
from petition.petitions.markdown import render_markdown
from petition.updates.drafts import (
    StaleConfirmationError,
    TooManyUpdatesError,
    UpdateAlreadySentError,
    UpdateError,
    opted_in_count,
    other_languages,
    petition_update,
    petition_updates,
    progress,
    save_draft,
    send_plan,
    send_test,
    send_update,
    update_schedule,
)
from petition.updates.update_forms import ConfirmSendForm, UpdateForm, update_form
from petition.views.lookups import form_status
from petition.views.organisers.blueprint import bp, found_or_404, own_petition_or_404
from petition.web.auth import login_required
from petition.web.form_versions import stored_versions

__all__ = ["bp"]


def updates_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    updates = petition_updates(petition)
    return {
        "updates": updates,
        "update_progress": progress([update.id for update in updates if update.sent_at]),
        "opted_in": opted_in_count(petition),
        "update_schedule": update_schedule(petition),
    }


def _own_update_or_404(petition: Petition, update_id: int) -> PetitionUpdate:
    return found_or_404(petition_update(petition, update_id))


def _form(petition: Petition, draft: PetitionUpdate | None, from_draft: bool) -> UpdateForm:
    """The form as posted, or (from_draft) filled with what the draft holds."""
    languages = other_languages(petition)
    if draft is None or not from_draft:
        return update_form(languages)
    data = {
        "subject": draft.subject,
        "body": draft.body,
        **stored_versions(draft.translations, ("subject", "body")),
    }
    return update_form(languages, formdata=None, data=data)


def _previews(form: UpdateForm) -> list[tuple[str, str, Markup]]:
    shown = [("", form.subject.data or "", render_markdown(form.body.data or ""))]
    for code, subject, body in form.version_fields():
        if subject.data or body.data:
            shown.append((code, subject.data or "", render_markdown(body.data or "")))
    return shown


def _page(
    petition: Petition, form: UpdateForm, draft: PetitionUpdate | None, problem: str | None = None
) -> tuple[str, int]:
    page = render_template(
        "organisers/update.html",
        petition=petition,
        form=form,
        draft=draft,
        languages=LANGUAGES,
        previews=_previews(form) if form.body.data else [],
        problem=problem,
        opted_in=opted_in_count(petition),
    )
    return page, 409 if problem else form_status(form)


@bp.route("/petitions/<slug:slug>/updates/new", methods=["GET", "POST"], endpoint="new_update")
@bp.route(
    "/petitions/<slug:slug>/updates/<id:update_id>",
    methods=["GET", "POST"],
    endpoint="edit_update",
)
@login_required
def update_page(slug: str, update_id: int | None = None) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    draft = _own_update_or_404(petition, update_id) if update_id is not None else None
    if draft is not None and draft.sent_at is not None:
        return render_template("organisers/update_sent.html", petition=petition, update=draft), 200
    form = _form(petition, draft, from_draft=request.method == "GET")
    if request.form.get("action") == "preview" or not form.validate_on_submit():
        return _page(petition, form, draft)
    try:
        saved = save_draft(
            petition,
            current_user,
            update_id,
            form.subject.data,
            form.body.data,
            form.translations(),
        )
    except UpdateError:  # sent meanwhile, or a version the petition no longer has
        return _page(
            petition, form, draft, gettext("This draft could not be saved. Please reload.")
        )
    flash(gettext("Draft saved. Preview it, send a test to yourself, then send it."))
    return redirect(url_for(".edit_update", slug=slug, update_id=saved), 303)


@bp.post("/petitions/<slug:slug>/updates/<id:update_id>/test", endpoint="test_update")
@login_required
def test_update_page(slug: str, update_id: int) -> BaseResponse:
    petition = own_petition_or_404(slug)
    _own_update_or_404(petition, update_id)
    try:
        send_test(petition, current_user, update_id, current_language())
    except UpdateAlreadySentError:
        abort(409)
    flash(gettext("A test was sent to %(email)s, and to nobody else.", email=current_user.email))
    return redirect(url_for(".edit_update", slug=slug, update_id=update_id), 303)


def _language_name(code: str) -> str:
    """A language's name in the reader's language ("Russian", «русский»)."""
    return Locale.parse(code).get_display_name(current_language()) or LANGUAGES.get(code, code)


def _confirm_page(
    petition: Petition, draft: PetitionUpdate, problem: str | None = None, status: int = 200
) -> tuple[str, int]:
    """The step before sending: how many get it, in which languages, and when the next may go."""
    plan = send_plan(petition, draft)
    schedule = plan.schedule
    if not schedule.open_now:
        problem = _too_many(TooManyUpdatesError(schedule.next_at))
    page = render_template(
        "organisers/update_confirm.html",
        petition=petition,
        draft=draft,
        plan=plan,
        languages=[(_language_name(code), count) for code, count in plan.languages.items()],
        untranslated=[(_language_name(code), count) for code, count in plan.untranslated.items()],
        original=_language_name(petition.language),
        after_this=format_date(schedule.after_this, DAY) if schedule.after_this else None,
        problem=problem,
    )
    return page, status


@bp.route(
    "/petitions/<slug:slug>/updates/<id:update_id>/send",
    methods=["GET", "POST"],
    endpoint="send_update",
)
@login_required
def send_update_page(slug: str, update_id: int) -> BaseResponse | tuple[str, int]:
    """GET: the step that says to whom; POST: "Send…" leads to it, its own button sends."""
    petition = own_petition_or_404(slug)
    draft = _own_update_or_404(petition, update_id)
    if request.method == "POST" and "version" in request.form:
        return _send_confirmed(petition, draft)
    if request.method == "POST":  # "Send…" on the draft: post, redirect, then the step
        return redirect(url_for(".send_update", slug=slug, update_id=update_id), 303)
    if draft.sent_at is not None:
        return redirect(url_for(".edit_update", slug=slug, update_id=update_id), 303)
    return _confirm_page(petition, draft)


def _send_confirmed(petition: Petition, draft: PetitionUpdate) -> BaseResponse | tuple[str, int]:
    slug, update_id = petition.slug, draft.id
    form = ConfirmSendForm()
    changed = gettext(
        "The draft or the number of its recipients changed since you looked. "
        "Nothing was sent: please check again."
    )
    if not form.validate_on_submit():
        return _confirm_page(petition, draft, changed, 400)
    try:
        count = send_update(petition, current_user, update_id, form.confirmation())
    except TooManyUpdatesError:
        return _confirm_page(petition, draft, status=409)
    except StaleConfirmationError:
        return _confirm_page(petition, draft, changed, 409)
    except UpdateAlreadySentError:
        flash(gettext("This update was already sent."))
        return redirect(url_for(".edit_update", slug=slug, update_id=update_id), 303)
    flash(
        ngettext(
            "The update is on its way to %(num)s signer.",
            "The update is on its way to %(num)s signers.",
            count,
        )
    )
    return redirect(url_for(".petition", slug=slug, _anchor="updates"), 303)


def _too_many(error: TooManyUpdatesError) -> str:
    if error.next_at is None:
        return gettext("Updates to signers are switched off on this site.")
    return ngettext(
        "Not sent: a petition can send its signers %(num)s update in 7 days, so nobody is "
        "flooded. The next one can go from %(moment)s (UTC). Your draft is kept.",
        "Not sent: a petition can send its signers %(num)s updates in 7 days, so nobody is "
        "flooded. The next one can go from %(moment)s (UTC). Your draft is kept.",
        current_app.config["UPDATES_PER_WEEK"],
        moment=format_datetime(error.next_at, MOMENT),
    )
