"""Inviting co-organisers, accepting an invitation, and resending lost confirmation links."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response as BaseResponse

from petition import tokens
from petition.accounts import AccountError, LoginDelayedError
from petition.organiser_forms import ExistingAccountForm, InviteForm, NewAccountForm, ResendForm
from petition.plural_messages import ngettext
from petition.reminders import ResendTooSoonError, resend_confirmations
from petition.team import accept_invitation, invite_organiser, read_invitation
from petition.views.organisers.account import wait_message
from petition.views.organisers.blueprint import bp, own_petition_or_404

Page = BaseResponse | tuple[str, int] | str
MAX_TOKEN_LENGTH = 512


@bp.post("/petitions/<slug:slug>/invite")
@login_required
def invite(slug: str) -> BaseResponse:
    petition = own_petition_or_404(slug)
    form = InviteForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.email.errors))
        return redirect(url_for(".petition", slug=slug, _anchor="team"), 303)
    try:
        invite_organiser(petition, current_user, form.email.data)
    except AccountError as error:
        flash(str(error))
    else:
        flash(_("An invitation is on its way to %(email)s.", email=form.email.data))
    return redirect(url_for(".petition", slug=slug, _anchor="team"), 303)


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


@bp.route("/invitations/<token>", methods=["GET", "POST"], endpoint="accept_invitation")
def accept_invitation_page(token: str) -> Page:
    """Not behind the login: the emailed link itself is the proof (the account may not exist)."""
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise tokens.InvalidTokenError("token too long")
        invitation = read_invitation(token)
    except tokens.InvalidTokenError as error:
        expired = isinstance(error, tokens.ExpiredTokenError)
        return render_template(
            "organisers/invitation_invalid.html", expired=expired
        ), 410 if expired else 400
    form = ExistingAccountForm() if invitation.has_account else NewAccountForm()
    if form.validate_on_submit():
        try:
            organiser = accept_invitation(invitation, form.password.data)
        except LoginDelayedError as delayed:
            form.password.errors.append(wait_message(delayed.seconds))
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            login_user(organiser)
            flash(_("Welcome: you now help run “%(title)s”.", title=invitation.petition.title))
            return redirect(url_for(".petition", slug=invitation.petition.slug), 303)
    status = 400 if form.errors else 200
    return render_template("organisers/invitation.html", form=form, invitation=invitation), status
