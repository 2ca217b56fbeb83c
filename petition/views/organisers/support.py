"""Organiser pages: support. The moderation queue of messages of support, the approved ones
(which can be withdrawn), and their printable bundle."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.plurals import ngettext
from petition.models import Petition, SupportState
from petition.petitions.versions import in_language
from petition.support import approved_messages, decide_messages, message_count, pending_messages
from petition.support.forms import DecisionForm
from petition.support.messages import MAX_BULK_IDS, MAX_PAGE, QUEUE_PAGE_SIZE, Page
from petition.views.lookups import posted_choice
from petition.views.organisers.blueprint import bp, own_petition_or_404
from petition.views.organisers.printed import printed_document
from petition.web.auth import login_required
from petition.web.numbers import posted_ids, query_number

__all__ = ["bp"]


def support_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    return {
        "support_pending": message_count(petition.id, SupportState.PENDING),
        "support_approved": message_count(petition.id, SupportState.APPROVED),
    }


def _number() -> int:
    """The page of messages asked for (?page=), the first by default."""
    return query_number("page", default=1, high=MAX_PAGE)


def _decision_page(template: str, petition: Petition, page: Page) -> str:
    """A page of the petition's messages, each with the bulk decision's boxes."""
    return render_template(template, petition=petition, page=page, form=DecisionForm())


@bp.get("/petitions/<slug:slug>/support", endpoint="support_queue")
@login_required
def queue(slug: str) -> str:
    petition = own_petition_or_404(slug)
    return _decision_page(
        "organisers/support.html", petition, pending_messages(petition, _number())
    )


@bp.get("/petitions/<slug:slug>/support/approved", endpoint="support_approved")
@login_required
def approved(slug: str) -> str:
    petition = own_petition_or_404(slug)
    shown = approved_messages(petition.id, _number(), QUEUE_PAGE_SIZE)
    return _decision_page("organisers/support_approved.html", petition, shown)


@bp.post("/petitions/<slug:slug>/support/decide", endpoint="decide_support")
@login_required
def decide(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    form = DecisionForm()
    decision = posted_choice("decision", ("approve", "reject"))
    if not form.validate_on_submit():
        abort(400)
    changed = decide_messages(
        petition,
        current_user._get_current_object(),
        posted_ids("ids", MAX_BULK_IDS),
        decision == "approve",
    )
    if decision == "approve":
        flash(ngettext("%(num)s message approved.", "%(num)s messages approved.", changed))
    else:
        flash(ngettext("%(num)s message rejected.", "%(num)s messages rejected.", changed))
    back = request.form.get("back") == "approved"
    return redirect(
        url_for("organisers.support_approved" if back else "organisers.support_queue", slug=slug),
        303,
    )


@bp.get("/petitions/<slug:slug>/support.pdf", endpoint="support_bundle")
@login_required
def bundle(slug: str) -> BaseResponse | tuple[str, int]:
    petition = own_petition_or_404(slug)
    from petition.support.bundle import support_bundle  # the PDF library is slow to load

    title = in_language(petition, petition.language).title
    return printed_document(lambda: support_bundle(petition, title), f"{petition.slug}-support.pdf")
