"""Messages of support: the public page of them, the form that writes one, and the thanks.

A closed petition still takes them (its cause goes on); a hidden one 404s.
"""

from datetime import timedelta

from flask import Blueprint, make_response, render_template, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from petition.extensions import client_limit_key, csrf
from petition.i18n.languages import current_language
from petition.models import PublicPetition
from petition.support import MAX_PAGE, approved_messages, write_message
from petition.support.forms import SupportForm
from petition.views.caching import shared_page
from petition.views.lookups import (
    after_form,
    as_read,
    public_petition_or_404,
    public_snapshot_or_404,
)
from petition.web.form_tokens import petition_form_token, refuse_opaque_origin
from petition.web.limits import limit_resets_in, spend_limit
from petition.web.numbers import query_number


def register(bp: Blueprint) -> None:
    """Serve these pages on the public blueprint."""
    bp.add_url_rule("/petitions/<slug:slug>/support", view_func=support, methods=["GET"])
    bp.add_url_rule("/petitions/<slug:slug>/support", view_func=write_support, methods=["POST"])
    bp.add_url_rule(
        "/petitions/<slug:slug>/support/thanks", view_func=support_thanks, methods=["GET"]
    )


def _writer_key(slug: str) -> str:
    """Messages count per client (an IPv6 one by its /64) per petition."""
    return f"{client_limit_key()}|{slug}"


def _support_page(
    petition: PublicPetition, form: SupportForm, status: int = 200
) -> tuple[str, int]:
    page = approved_messages(petition.id, query_number("page", default=1, high=MAX_PAGE))
    form.form_token.data = petition_form_token(petition.id)  # a form sent back gets a fresh one
    return render_template(
        "public/support.html", petition=as_read(petition), form=form, page=page
    ), status


def support(slug: str) -> BaseResponse:
    # Like the petition page: one copy for everyone, its form guarded by the form token.
    petition = public_snapshot_or_404(slug)
    page = _support_page(petition, SupportForm(formdata=None, petition_id=petition.id))
    return shared_page(make_response(page))


@csrf.exempt  # its form sits on pages everyone shares: the form token guards it (web.form_tokens)
def write_support(slug: str) -> BaseResponse | tuple[str, int]:
    refuse_opaque_origin()
    petition = public_snapshot_or_404(slug)
    form = SupportForm(petition_id=petition.id)
    if not form.validate_on_submit():
        return _support_page(petition, form, 400)
    if spend_limit("SUPPORT_MESSAGE_LIMIT", "support", _writer_key(slug)):
        # The writer keeps what they typed: the form comes back with it and says when to retry.
        form.form_errors.append(_support_limit_message(slug))
        return _support_page(petition, form, 429)
    write_message(
        petition.id,
        body=form.message.data or "",
        name=form.first_name.data,
        city=form.city.data,
        language=current_language(),
        client_address=request.remote_addr,
    )
    return after_form(".support_thanks", slug=slug)


def _support_limit_message(slug: str) -> str:
    """Why a message was not sent over the limit, and when it can be."""
    seconds = limit_resets_in("SUPPORT_MESSAGE_LIMIT", "support", _writer_key(slug))
    if seconds is None:
        return _(
            "You have sent several messages from this connection in a short time. "
            "Please try again later; your message is kept below."
        )
    when = format_timedelta(timedelta(seconds=max(seconds, 60)), add_direction=True)
    return _(
        "You have sent several messages from this connection in a short time. "
        "Please try again %(when)s; your message is kept below.",
        when=when,
    )


def support_thanks(slug: str) -> str:
    return render_template(
        "public/support_thanks.html", petition=as_read(public_petition_or_404(slug))
    )
