"""Logging in and out, the list of your petitions, and changing your password."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from petition.extensions import limiter
from petition.i18n.languages import current_language
from petition.i18n.plurals import ngettext
from petition.organisers.account_history import account_action_label, account_history
from petition.organisers.accounts import AccountError, authenticate, change_password, end_logins
from petition.organisers.forms import ChangePasswordForm, LoginForm
from petition.organisers.login_attempts import LoginDelayedError
from petition.petitions.publishing import pending_counts
from petition.petitions.versions import all_in_language
from petition.views.lookups import form_status
from petition.views.organisers.blueprint import Page, bp, safe_next
from petition.web.auth import login_required


def wait_message(seconds: int) -> str:
    """Words for how long an account must wait after repeated wrong passwords."""
    if seconds < 120:
        return ngettext(
            "Too many wrong passwords for this account. Please try again in %(num)s second.",
            "Too many wrong passwords for this account. Please try again in %(num)s seconds.",
            seconds,
        )
    return ngettext(
        "Too many wrong passwords for this account. Please try again in %(num)s minute.",
        "Too many wrong passwords for this account. Please try again in %(num)s minutes.",
        (seconds + 59) // 60,
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> Page:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            organiser = authenticate(form.email.data, form.password.data, request.remote_addr)
        except LoginDelayedError as delayed:
            form.password.errors.append(wait_message(delayed.seconds))
            return render_template("organisers/login.html", form=form), 429
        if organiser is not None:
            session.clear()  # a fresh session on login: nothing planted before it carries over
            login_user(organiser)
            return redirect(safe_next(request.args.get("next")), 303)
        form.password.errors.append(_("That email address and password do not match an organiser."))
        return render_template("organisers/login.html", form=form), 401
    status = form_status(form)
    return render_template("organisers/login.html", form=form), status


@bp.post("/logout")
def logout() -> BaseResponse:
    """Ends this login and any copy of its cookie: every session of the account."""
    if current_user.is_authenticated:
        end_logins(current_user)
    logout_user()
    return redirect(url_for("public.index"), 303)


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere() -> BaseResponse:
    end_logins(current_user)
    logout_user()
    flash(_("You are logged out on every device and browser."))
    return redirect(url_for(".login"), 303)


@bp.get("/")
@login_required
def dashboard() -> str:
    petitions = current_user.petitions
    return render_template(
        "organisers/dashboard.html",
        # Titles as readers of the organiser's language see them: one rule for every page.
        petitions=all_in_language(petitions, current_language()),
        pending=pending_counts([p.id for p in petitions]),
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Page:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            organiser = change_password(current_user, form.current.data, form.new.data)
        except AccountError as error:
            form.current.errors.append(str(error))
        else:
            login_user(organiser)  # this browser stays in; every other login has ended
            flash(_("Your password is changed. Other devices and browsers are logged out."))
            return redirect(url_for(".dashboard"), 303)
    page = render_template(
        "organisers/password.html",
        form=form,
        history=account_history(current_user),
        account_action_label=account_action_label,
    )
    return page, form_status(form)
