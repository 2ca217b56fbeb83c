"""Organiser pages: letter actions (the letter, its versions and copies, its targets)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from petition.extensions import csrf
from petition.i18n.countries import country_name
from petition.i18n.languages import LANGUAGES, current_language
from petition.i18n.plurals import ngettext
from petition.letters.actions import (
    LetterError,
    add_targets,
    letter_action,
    petition_actions,
    remove_action,
    remove_target,
    save_action,
    version_languages,
)
from petition.letters.forms import ImportForm, LetterForm, TargetForm, letter_form
from petition.letters.target_files import (
    MAX_CSV_BYTES,
    TargetFileError,
    example_csv,
    example_delimiter,
    parse_targets_csv,
)
from petition.letters.targets import TargetError
from petition.models import LetterAction, Petition
from petition.views.lookups import form_status
from petition.views.organisers.blueprint import bp, found_or_404, own_petition_or_404
from petition.web.auth import login_required
from petition.web.form_versions import stored_versions

__all__ = ["bp"]


def letters_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    return {"letter_actions": petition_actions(petition)}


def _own_action_or_404(petition: Petition, action_id: int) -> LetterAction:
    return found_or_404(letter_action(petition.id, action_id))


def _form(petition: Petition, action: LetterAction | None, from_stored: bool) -> LetterForm:
    """The form as posted, or (from_stored) filled with what the action holds."""
    languages = version_languages(petition)
    if action is None or not from_stored:
        return letter_form(languages)
    data = {
        "title": action.title,
        "subject": action.subject,
        "body": action.body,
        "copies": "\n".join(action.copies or []),
        **stored_versions(action.translations, ("title", "subject", "body")),
    }
    return letter_form(languages, formdata=None, data=data)


def _page(
    petition: Petition,
    form: LetterForm,
    action: LetterAction | None,
    *,
    problem: str | None = None,
    file_error: TargetFileError | None = None,
    target_form: TargetForm | None = None,
    status: int | None = None,
    preview: bool = False,
) -> tuple[str, int]:
    page = render_template(
        "organisers/letter.html",
        petition=petition,
        form=form,
        action=action,
        languages=LANGUAGES,
        preview=preview and not form.errors,
        problem=problem,
        file_error=file_error,
        target_form=target_form or TargetForm(formdata=None),
        import_form=ImportForm(formdata=None),
        country_name=country_name,
    )
    return page, status or (400 if problem else form_status(form))


@bp.route("/petitions/<slug:slug>/letters/new", methods=["GET", "POST"], endpoint="new_letter")
@bp.route(
    "/petitions/<slug:slug>/letters/<id:action_id>",
    methods=["GET", "POST"],
    endpoint="edit_letter",
)
@login_required
def letter_page(slug: str, action_id: int | None = None) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    action = _own_action_or_404(petition, action_id) if action_id is not None else None
    form = _form(petition, action, from_stored=request.method == "GET")
    preview = request.form.get("action") == "preview"
    if preview or not form.validate_on_submit():
        if preview:
            form.validate()
        return _page(petition, form, action, preview=preview)
    try:
        saved = save_action(
            petition, current_user, action_id, title=form.title.data, subject=form.subject.data,
            body=form.body.data, versions=form.versions(), copies=form.copy_list(),
        )  # fmt: skip
    except (LetterError, LookupError):  # removed meanwhile, or a version the petition lost
        return _page(
            petition,
            form,
            action,
            problem=gettext("This letter could not be saved. Please reload."),
        )
    flash(gettext("The letter action is saved."))
    return redirect(url_for(".edit_letter", slug=slug, action_id=saved), 303)


@bp.post("/petitions/<slug:slug>/letters/<id:action_id>/remove", endpoint="remove_letter")
@login_required
def remove_letter_page(slug: str, action_id: int) -> BaseResponse:
    petition = own_petition_or_404(slug)
    _own_action_or_404(petition, action_id)
    try:
        remove_action(petition, current_user, action_id)
    except LookupError:
        abort(404)
    flash(gettext("The letter action is removed."))
    return redirect(url_for(".petition", slug=slug, _anchor="letters"), 303)


@bp.post("/petitions/<slug:slug>/letters/<id:action_id>/targets", endpoint="add_target")
@login_required
def add_target_page(slug: str, action_id: int) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    action = _own_action_or_404(petition, action_id)
    target_form = TargetForm()
    if not target_form.validate_on_submit():
        return _page(
            petition, _form(petition, action, True), action, target_form=target_form, status=400
        )
    try:
        add_targets(petition, current_user, action, [target_form.target], imported=False)
    except TargetError as exc:
        return _page(petition, _form(petition, action, True), action, problem=str(exc))
    flash(gettext("Target added."))
    return redirect(url_for(".edit_letter", slug=slug, action_id=action_id, _anchor="targets"), 303)


def _uploaded_csv() -> bytes:
    """The uploaded file's bytes, or a TargetError saying why there is none to read."""
    request.max_content_length = MAX_CSV_BYTES + 64 * 1024  # the file and the form around it
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        upload = None
        too_large = True
    else:
        too_large = False
    if too_large:
        raise TargetError(gettext("The file is larger than %(max)s MB. Please split it.", max=1))
    if upload is None or not upload.filename:
        raise TargetError(gettext("Please choose a CSV file."))
    return upload.stream.read(MAX_CSV_BYTES + 1)


@bp.post("/petitions/<slug:slug>/letters/<id:action_id>/targets/import", endpoint="import_targets")
@csrf.exempt  # checked below, once the larger limit for the file applies (ImportForm's token)
@login_required
def import_targets_page(slug: str, action_id: int) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    action = _own_action_or_404(petition, action_id)
    try:
        data = _uploaded_csv()
        if not ImportForm().validate_on_submit():  # the CSRF token
            abort(400)
        count = add_targets(petition, current_user, action, parse_targets_csv(data), imported=True)
    except TargetError as exc:
        file_error = exc if isinstance(exc, TargetFileError) else None
        return _page(
            petition, _form(petition, action, True), action, problem=str(exc), file_error=file_error
        )
    flash(ngettext("%(num)s target imported.", "%(num)s targets imported.", count))
    return redirect(url_for(".edit_letter", slug=slug, action_id=action_id, _anchor="targets"), 303)


@bp.get(
    "/petitions/<slug:slug>/letters/<id:action_id>/targets/example.csv",
    endpoint="targets_example",
)
@login_required
def targets_example_page(slug: str, action_id: int) -> Response:
    petition = own_petition_or_404(slug)
    _own_action_or_404(petition, action_id)
    data = example_csv(
        [petition.language, *version_languages(petition)], example_delimiter(current_language())
    )
    return Response(
        data,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="targets-example.csv"'},
    )


@bp.post(
    "/petitions/<slug:slug>/letters/<id:action_id>/targets/<id:target_id>/remove",
    endpoint="remove_target",
)
@login_required
def remove_target_page(slug: str, action_id: int, target_id: int) -> BaseResponse:
    petition = own_petition_or_404(slug)
    action = _own_action_or_404(petition, action_id)
    try:
        remove_target(petition, current_user, action, target_id)
    except LookupError:
        abort(404)
    flash(gettext("Target removed."))
    return redirect(url_for(".edit_letter", slug=slug, action_id=action_id, _anchor="targets"), 303)
