"""The team: inviting, withdrawing invitations, accepting one, removing and leaving; and resending
lost confirmation links."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.wrappers import Response as BaseResponse

from petition import tokens
from petition.i18n.plurals import ngettext
from petition.organisers.accounts import AccountError
from petition.organisers.forms import ExistingAccountForm, InviteForm, NewAccountForm, ResendForm
from petition.organisers.invitations import (
    InvitationGoneError,
    UsedInvitationError,
    accept_invitation,
    has_account,
    invite_organiser,
    read_invitation,
    withdraw_invitation,
)
from petition.organisers.login_attempts import LoginDelayedError
from petition.organisers.team import TeamError, leave_petition, remove_organiser
from petition.signing.reminders import ResendTooSoonError, resend_confirmations
from petition.views.lookups import form_status
from petition.views.organisers.account import wait_message
from petition.views.organisers.blueprint import Page, bp, emailed_link_page, own_petition_or_404
from petition.web.auth import login_required
from petition.web.limits import spend_limit


def _team(slug: str) -> BaseResponse:
    return redirect(url_for(".petition", slug=slug, _anchor="team"), 303)


def _refused(error: TeamError) -> tuple[str, int]:
    """Nothing changed: say why, with the conflict status."""
    page = render_template(
        "errors/error.html", code=409, title=_("The team stays as it was"), message=str(error)
    )
    return page, 409


@bp.post("/petitions/<slug:slug>/invite")
@login_required
def invite(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    form = InviteForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.email.errors))
        return _team(slug)
    # Per organiser, not per petition: one account with many petitions is still one sender.
    if spend_limit("INVITATION_LIMIT", "invite", str(current_user.id)):
        flash(
            _(
                "No invitation was sent: you have sent as many as one organiser may send for "
                "now. Please try again later."
            )
        )
        return _team(slug)
    try:
        invite_organiser(petition, current_user, form.email.data)
    except AccountError as error:
        flash(str(error))
    else:
        flash(_("An invitation is on its way to %(email)s.", email=form.email.data))
    return _team(slug)


@bp.post("/petitions/<slug:slug>/invitations/<id:invitation_id>/withdraw")
@login_required
def withdraw(slug: str, invitation_id: int) -> BaseResponse:
    petition = own_petition_or_404(slug)
    try:
        email = withdraw_invitation(petition, current_user, invitation_id)
    except InvitationGoneError as error:
        flash(str(error))
    else:
        flash(_("The invitation to %(email)s is withdrawn: its link no longer works.", email=email))
    return _team(slug)


@bp.post("/petitions/<slug:slug>/organisers/<id:organiser_id>/remove")
@login_required
def remove(slug: str, organiser_id: int) -> Page:
    petition = own_petition_or_404(slug)
    try:
        member = remove_organiser(petition, current_user, organiser_id)
    except TeamError as error:
        return _refused(error)
    flash(_("%(email)s no longer runs this petition.", email=member.email))
    return _team(slug)


@bp.post("/petitions/<slug:slug>/leave")
@login_required
def leave(slug: str) -> Page:
    petition = own_petition_or_404(slug)
    title = petition.title
    try:
        leave_petition(petition, current_user)
    except TeamError as error:
        return _refused(error)
    flash(_("You no longer run “%(title)s”.", title=title))
    return redirect(url_for(".dashboard"), 303)


@bp.post("/petitions/<slug:slug>/resend")
@login_required
def resend(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    form = ResendForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.older_than_hours.errors))
        return redirect(url_for(".petition", slug=slug, _anchor="resend"), 303)
    try:
        sent = resend_confirmations(petition, current_user, form.older_than_hours.data)
    except ResendTooSoonError as error:
        minutes = (error.seconds + 59) // 60
        flash(
            ngettext(
                "Links were resent recently. You can send them again in %(num)s minute.",
                "Links were resent recently. You can send them again in %(num)s minutes.",
                minutes,
            )
        )
    else:
        flash(
            ngettext(
                "Confirmation link sent again to %(num)s pending signer.",
                "Confirmation links sent again to %(num)s pending signers.",
                sent,
            )
        )
    return redirect(url_for(".petition", slug=slug, _anchor="resend"), 303)


def _invalid_invitation(error: tokens.InvalidTokenError) -> tuple[str, int]:
    state = (
        "expired"
        if isinstance(error, tokens.ExpiredTokenError)
        else "used"
        if isinstance(error, UsedInvitationError)
        else "invalid"
    )
    page = render_template("organisers/invitation_invalid.html", state=state)
    return page, 400 if state == "invalid" else 410


def _invitation_page(token: str) -> Page:
    invitation = read_invitation(token)
    known = has_account(invitation)
    form = ExistingAccountForm() if known else NewAccountForm()
    if form.validate_on_submit():
        try:
            organiser = accept_invitation(invitation, form.password.data, request.remote_addr)
        except LoginDelayedError as delayed:
            form.password.errors.append(wait_message(delayed.seconds))
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            login_user(organiser)
            flash(_("Welcome: you now help run “%(title)s”.", title=invitation.petition.title))
            return redirect(url_for(".petition", slug=invitation.petition.slug), 303)
    page = render_template(
        "organisers/invitation.html", form=form, invitation=invitation, has_account=known
    )
    return page, form_status(form)


@bp.route("/invitations/<token>", methods=["GET", "POST"], endpoint="accept_invitation")
def accept_invitation_page(token: str) -> BaseResponse:
    """Not behind the login: the emailed link itself is the proof (the account may not exist)."""
    return emailed_link_page(lambda: _invitation_page(token), _invalid_invitation)
