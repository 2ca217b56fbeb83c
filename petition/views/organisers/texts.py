"""A petition's versions in other languages: adding, changing and removing them."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.languages import LANGUAGES
from petition.models import Petition
from petition.organisers.forms import PetitionTextForm, language_choices
from petition.petitions.markdown import render_markdown
from petition.petitions.publishing import PetitionError
from petition.petitions.versions import petition_texts, remove_petition_text, save_petition_text
from petition.views.lookups import form_status, posted_choice
from petition.views.organisers.blueprint import bp, own_petition_or_404
from petition.web.auth import login_required


def _form(petition: Petition) -> PetitionTextForm:
    """The form, filled with the version asked for (?language=ru) when there is one."""
    versions = {text.language: text for text in petition_texts(petition)}
    wanted = request.args.get("language")
    form = PetitionTextForm(obj=versions.get(wanted or "") if request.method == "GET" else None)
    form.language.choices = language_choices(leave_out=petition.language)
    if request.method == "GET" and wanted in LANGUAGES and wanted != petition.language:
        form.language.data = wanted
    return form


def _page(petition: Petition, form: PetitionTextForm) -> tuple[str, int]:
    page = render_template(
        "organisers/petition_texts.html",
        petition=petition,
        form=form,
        versions=petition_texts(petition),
        languages=LANGUAGES,
        preview=render_markdown(form.body.data) if form.body.data else None,
    )
    return page, form_status(form)


@bp.route("/petitions/<slug:slug>/texts", methods=["GET", "POST"], endpoint="petition_texts")
@login_required
def petition_texts_page(slug: str) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    form = _form(petition)
    if request.form.get("action") == "preview" or not form.validate_on_submit():
        return _page(petition, form)
    try:
        save_petition_text(
            petition,
            current_user,
            language=form.language.data,
            title=form.title.data,
            body=form.body.data,
            target=form.target.data,
        )
    except PetitionError as error:
        form.title.errors.append(str(error))
        return _page(petition, form)
    flash(_("Version saved: %(language)s.", language=LANGUAGES[form.language.data]))
    return redirect(url_for(".petition_texts", slug=slug), 303)


@bp.post("/petitions/<slug:slug>/texts/remove", endpoint="remove_petition_text")
@login_required
def remove_petition_text_page(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    language = posted_choice("language", LANGUAGES)
    if remove_petition_text(petition, current_user, language):
        flash(_("Version removed: %(language)s.", language=LANGUAGES[language]))
    return redirect(url_for(".petition_texts", slug=slug), 303)
