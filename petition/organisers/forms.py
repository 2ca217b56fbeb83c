"""The organiser's forms: a petition, a date range, an invitation, a password and its reset."""

from typing import Any

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from petition.addresses import MAX_EMAIL_LENGTH
from petition.i18n.languages import LANGUAGES, N_, current_language
from petition.models import utcnow
from petition.organisers.accounts import MIN_PASSWORD_LENGTH
from petition.petitions.publishing import (
    MAX_BODY_LENGTH,
    MAX_GOAL,
    MAX_TARGET_LENGTH,
    MAX_TITLE_LENGTH,
)
from petition.web.forms import (
    MAX_PASSWORD_LENGTH,
    Form,
    at_most,
    blank_to_none,
    strip,
    with_numbers,
)

MAX_HOURS = 24 * 365


def language_choices(leave_out: str | None = None) -> list[SelectChoice]:
    """The interface languages, each named in itself (and marked so, for screen readers)."""
    return [
        SelectChoice(code, name, render_kw={"lang": code})
        for code, name in LANGUAGES.items()
        if code != leave_out
    ]


# A petition's wording follows the same limits in every language it is written in.
def _title_field(missing: LazyString) -> StringField:
    return StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(missing),
            at_most(MAX_TITLE_LENGTH),
        ],
    )


def _target_field() -> StringField:
    return StringField(
        _l("Addressed to"),
        filters=[blank_to_none],
        validators=[
            Optional(),
            at_most(MAX_TARGET_LENGTH),
        ],
    )


def _body_field(missing: LazyString) -> TextAreaField:
    return TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(missing),
            at_most(MAX_BODY_LENGTH),
        ],
    )


def _not_in_the_past(form: Form, field: Field) -> None:
    # Days are UTC days, as closing times are; an unchanged past day (a closed petition) may stay.
    if field.data is not None and field.data < utcnow().date() and field.data != field.object_data:
        raise ValidationError(gettext("The last day to sign cannot be in the past."))


class PetitionForm(Form):
    """A petition's wording and settings, for creating and for editing."""

    title = _title_field(_l("Please give the petition a title."))
    target = _target_field()
    body = _body_field(_l("Please write what the petition asks for."))
    goal = IntegerField(
        _l("Goal (optional)"),
        validators=[
            Optional(),
            NumberRange(
                1,
                MAX_GOAL,
                with_numbers(N_("A goal is a whole number from 1 to %(max)s."), max=MAX_GOAL),
            ),
        ],
    )
    closes_on = DateField(
        _l("Last day to sign (optional)"), validators=[Optional(), _not_in_the_past]
    )
    collects_country = BooleanField(_l("Ask signers for their country"))
    # A new petition is written in the language its organiser uses the site in, unless they say.
    language = SelectField(
        _l("Language of the petition"), choices=language_choices(), default=current_language
    )

    def settings(self) -> dict[str, Any]:
        """What was typed, as creating and editing a petition take it."""
        return {
            "title": self.title.data,
            "body": self.body.data,
            "target": self.target.data,
            "goal": self.goal.data,
            "closes_on": self.closes_on.data,
            "collects_country": self.collects_country.data,
            "language": self.language.data,
        }


class PetitionTextForm(Form):
    """A petition's title and text in another language; the choices are set per petition."""

    language = SelectField(_l("Language"), choices=[])
    title = _title_field(_l("Please give the title in this language."))
    target = _target_field()
    body = _body_field(_l("Please write the text in this language."))


class PeriodForm(Form):
    """The signing days an export covers (read from the query string)."""

    class Meta:
        csrf = False  # a download link changes nothing

    first = DateField(_l("From"), validators=[Optional()])
    last = DateField(_l("To"), validators=[Optional()])

    def validate_last(self, field: Field) -> None:
        if field.data and self.first.data and field.data < self.first.data:
            raise ValidationError(gettext("The end of the range comes before its start."))


class ResendForm(Form):
    """Which pending signers get their confirmation link again."""

    older_than_hours = IntegerField(
        _l("Only those who signed more than this many hours ago (optional)"),
        validators=[
            Optional(),
            NumberRange(1, MAX_HOURS, with_numbers(N_("From 1 to %(max)s hours."), max=MAX_HOURS)),
        ],
    )


class InviteForm(Form):
    """The address of a new co-organiser."""

    email = EmailField(
        _l("Their email address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter the address to invite.")),
            at_most(MAX_EMAIL_LENGTH),
        ],
    )


# A password limit reads as the number it is in every language ("1024"), unlike text limits.
_PASSWORD_LIMIT = Length(
    max=MAX_PASSWORD_LENGTH, message=_l("At most %(max)s characters.", max=MAX_PASSWORD_LENGTH)
)


def _password_field(label: str | LazyString) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Please enter a password.")),
            _PASSWORD_LIMIT,
        ],
    )


def _new_password_field(label: str | LazyString) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "From %(min)s to %(max)s characters.",
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                ),
            ),
        ],
    )


class ChangePasswordForm(Form):
    """The current password, and the new one twice."""

    current = _password_field(_l("Current password"))
    new = _new_password_field(
        with_numbers(N_("New password (at least %(min)s characters)"), min=MIN_PASSWORD_LENGTH)
    )
    repeat = PasswordField(
        _l("New password again"), validators=[EqualTo("new", _l("The two new passwords differ."))]
    )


class NewAccountForm(Form):
    """A password chosen when accepting an invitation with a new address."""

    password = _new_password_field(
        with_numbers(N_("Choose a password (at least %(min)s characters)"), min=MIN_PASSWORD_LENGTH)
    )
    repeat = PasswordField(
        _l("The same password again"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
    )


class ExistingAccountForm(Form):
    """The password of the account an invitation is for."""

    password = _password_field(_l("Your password"))


def _login_email_field(*more: Any) -> EmailField:
    """The address an organiser logs in with, required and no longer than an address can be."""
    return EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            at_most(MAX_EMAIL_LENGTH),
            *more,
        ],
    )


class LoginForm(Form):
    """An organiser's login."""

    email = _login_email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Please enter your password.")),
            _PASSWORD_LIMIT,
        ],
    )


def _login_address(form: Form, field: Field) -> None:
    """Refuse what cannot be anyone's login, so a typo is shown rather than mailed to no one.

    The same rule accounts are created with (check_login_address): it says nothing about
    whether an account has the address.
    """
    if "@" not in field.data:
        raise ValidationError(gettext("An organiser logs in with an email address."))


class ForgotPasswordForm(Form):
    """The address of an account whose password is forgotten."""

    email = _login_email_field(_login_address)


class ResetPasswordForm(Form):
    """A new password, twice, chosen by an emailed link."""

    new = _new_password_field(
        with_numbers(N_("New password (at least %(min)s characters)"), min=MIN_PASSWORD_LENGTH)
    )
    repeat = PasswordField(
        _l("New password again"), validators=[EqualTo("new", _l("The two new passwords differ."))]
    )
