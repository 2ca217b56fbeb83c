"""A forgotten password: asking for a link (the same answer for any address) and using it once."""

from flask import current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import logout_user
from werkzeug.wrappers import Response as BaseResponse

from petition import tokens
from petition.i18n.languages import current_language
from petition.organisers.accounts import AccountError, normal_login
from petition.organisers.forms import ForgotPasswordForm, ResetPasswordForm
from petition.organisers.password_reset import (
    UsedResetLinkError,
    read_reset_link,
    request_password_reset,
    reset_password,
)
from petition.views.lookups import after_form, form_status
from petition.views.organisers.blueprint import Page, bp, emailed_link_page
from petition.web.clients import limit_key, login_hash
from petition.web.limits import spend_limit


def _over_limit(email: str) -> bool:
    """Whether this client, or anyone asking for this address, has asked too often.

    The address counts whether it has an account or not, so the limit tells nothing about it; a
    client already refused spends nothing of the address's limit, so that a stranger's flood
    from one place cannot keep its owner from asking.
    """
    if spend_limit("PASSWORD_RESET_LIMIT", "reset-client", limit_key(request.remote_addr)):
        return True
    return spend_limit(
        "PASSWORD_RESET_ADDRESS_LIMIT", "reset-address", login_hash(normal_login(email))
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if _over_limit(form.email.data):
            refused = _("Too many reset links were asked for. Please wait a while and try again.")
            page = render_template("organisers/forgot_password.html", form=form, refused=refused)
            return page, 429
        request_password_reset(form.email.data, current_language())
        return after_form(".reset_link_sent")
    return render_template("organisers/forgot_password.html", form=form), form_status(form)


@bp.get("/forgot-password/sent")
def reset_link_sent() -> str:
    """The one answer for every address: it never says whether an account uses it."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    return render_template("organisers/reset_link_sent.html", minutes=minutes)


def _reset_page(token: str) -> Page:
    organiser, binding = read_reset_link(token)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(organiser, binding, form.new.data, request.remote_addr)
        except AccountError as error:
            form.new.errors.append(str(error))
        else:
            logout_user()  # the new password is proven by logging in with it
            flash(_("Your password has been changed, and every login has ended. Log in with it."))
            return after_form(".login")
    return render_template("organisers/reset_password.html", form=form), form_status(form)


def _invalid_link(error: tokens.InvalidTokenError) -> tuple[str, int]:
    if isinstance(error, tokens.ExpiredTokenError):
        state = "expired"
    elif isinstance(error, UsedResetLinkError):
        state = "used"
    else:
        state = "invalid"
    page = render_template("organisers/reset_link_invalid.html", state=state)
    return page, 400 if state == "invalid" else 410


@bp.route("/reset-password/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_page(token: str) -> BaseResponse:
    """Not behind the login: the emailed link itself is the proof."""
    return emailed_link_page(lambda: _reset_page(token), _invalid_link)
