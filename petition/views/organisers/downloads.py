"""Downloads of a petition's verified signatures: CSV, Excel, JSON and the printable delivery pack."""

from collections.abc import Iterator

from flask import Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from petition.exports.headers import HEADER_CHOICES
from petition.exports.rows import Period
from petition.exports.runs import (
    ALL_FORMATS,
    MIMETYPES,
    log_delivery_pack,
    plan_export,
    run_export,
)
from petition.i18n.languages import current_language
from petition.organisers.forms import PeriodForm
from petition.views.organisers.blueprint import bp, own_petition_or_404
from petition.views.organisers.printed import printed_document
from petition.web.auth import login_required


def _as_bytes(pieces: Iterator[str | bytes]) -> Iterator[bytes]:
    """A download's pieces as bytes: CSV and JSON come as text, a spreadsheet as bytes."""
    for piece in pieces:
        yield piece.encode() if isinstance(piece, str) else piece


def _bad_request(title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, title=title, message=message), 400


@bp.get("/petitions/<slug:slug>/export.<fmt>")
@login_required
def export(slug: str, fmt: str) -> Response | tuple[str, int]:
    if fmt not in ALL_FORMATS:
        abort(404)
    petition = own_petition_or_404(slug)
    form = PeriodForm(request.args)
    if not form.validate():
        message = " ".join(
            f"{form[name].label.text}: {error}"
            for name, errors in form.errors.items()
            for error in errors
        )
        return _bad_request(_("Please check the dates"), message)
    choice = request.args.get("headers")
    if choice is not None and choice not in HEADER_CHOICES:
        return _bad_request(
            _("These column headings are not offered"),
            _("Leave out “headers” for headings in your language, or add headers=en for English."),
        )
    # Absent: headers in the organiser's language; "en": the English ones scripts read.
    language = None if choice == "en" else current_language()
    period = Period(form.first.data, form.last.data)
    plan = plan_export(petition, fmt, period, header_language=language)
    return Response(
        stream_with_context(_as_bytes(run_export(plan, current_user._get_current_object()))),
        mimetype=MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{plan.filename}"',
            "Cache-Control": "no-store",
            "X-Export-Rows": str(plan.rows),
        },
    )


@bp.get("/petitions/<slug:slug>/delivery-pack.pdf")
@login_required
def delivery(slug: str) -> Response | tuple[str, int]:
    petition = own_petition_or_404(slug)
    from petition.exports.delivery_pack import delivery_pack  # the PDF library is slow to load

    answer = printed_document(lambda: delivery_pack(petition), f"{petition.slug}-delivery-pack.pdf")
    if isinstance(answer, Response):
        log_delivery_pack(petition, current_user._get_current_object())
    return answer
