"""The organiser's forms: a petition, a date range, an invitation, a password."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from petition.accounts import MIN_PASSWORD_LENGTH
from petition.addresses import MAX_EMAIL_LENGTH
from petition.forms import MAX_PASSWORD_LENGTH, plain_text
from petition.models import utcnow
from petition.petitions import MAX_BODY_LENGTH, MAX_TARGET_LENGTH, MAX_TITLE_LENGTH

MAX_GOAL = 100_000_000
MAX_HOURS = 24 * 365


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: str | None) -> str | None:
    value = _strip(value)
    return value or None


def _not_in_the_past(form: FlaskForm, field: Field) -> None:
    # Days are UTC days, as closing times are; an unchanged past day (a closed petition) may stay.
    if field.data is not None and field.data < utcnow().date() and field.data != field.object_data:
        raise ValidationError("The last day to sign cannot be in the past.")


class PetitionForm(FlaskForm):
    """A petition's wording and settings, for creating and for editing."""

    title = StringField(
        "Title",
        filters=[_strip],
        validators=[
            DataRequired("Please give the petition a title."),
            Length(max=MAX_TITLE_LENGTH, message=f"At most {MAX_TITLE_LENGTH} characters."),
            plain_text,
        ],
    )
    target = StringField(
        "Addressed to",
        filters=[_blank_to_none],
        validators=[
            Optional(),
            Length(max=MAX_TARGET_LENGTH, message=f"At most {MAX_TARGET_LENGTH} characters."),
            plain_text,
        ],
    )
    body = TextAreaField(
        "Text",
        validators=[
            DataRequired("Please write what the petition asks for."),
            Length(max=MAX_BODY_LENGTH, message=f"At most {MAX_BODY_LENGTH:,} characters."),
        ],
    )
    goal = IntegerField(
        "Goal (optional)",
        validators=[
            Optional(),
            NumberRange(1, MAX_GOAL, f"A goal is a whole number from 1 to {MAX_GOAL:,}."),
        ],
    )
    closes_on = DateField("Last day to sign (optional)", validators=[Optional(), _not_in_the_past])
    collects_country = BooleanField("Ask signers for their country")


class PeriodForm(FlaskForm):
    """The signing days an export covers (read from the query string)."""

    class Meta:
        csrf = False  # a download link changes nothing

    first = DateField("From", validators=[Optional()])
    last = DateField("To", validators=[Optional()])

    def validate_last(self, field: Field) -> None:
        if field.data and self.first.data and field.data < self.first.data:
            raise ValidationError("The end of the range comes before its start.")


class ResendForm(FlaskForm):
    """Which pending signers get their confirmation link again."""

    older_than_hours = IntegerField(
        "Only those who signed more than this many hours ago (optional)",
        validators=[Optional(), NumberRange(1, MAX_HOURS, f"From 1 to {MAX_HOURS:,} hours.")],
    )


class InviteForm(FlaskForm):
    """The address of a new co-organiser."""

    email = EmailField(
        "Their email address",
        filters=[_strip],
        validators=[
            DataRequired("Please enter the address to invite."),
            Length(max=MAX_EMAIL_LENGTH, message=f"At most {MAX_EMAIL_LENGTH} characters."),
        ],
    )


def _password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Please enter a password."),
            Length(max=MAX_PASSWORD_LENGTH, message=f"At most {MAX_PASSWORD_LENGTH} characters."),
        ],
    )


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Please choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"From {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )


class ChangePasswordForm(FlaskForm):
    """The current password, and the new one twice."""

    current = _password_field("Current password")
    new = _new_password_field(f"New password (at least {MIN_PASSWORD_LENGTH} characters)")
    repeat = PasswordField(
        "New password again", validators=[EqualTo("new", "The two new passwords differ.")]
    )


class NewAccountForm(FlaskForm):
    """A password chosen when accepting an invitation with a new address."""

    password = _new_password_field(f"Choose a password (at least {MIN_PASSWORD_LENGTH} characters)")
    repeat = PasswordField(
        "The same password again", validators=[EqualTo("password", "The two passwords differ.")]
    )


class ExistingAccountForm(FlaskForm):
    """The password of the account an invitation is for."""

    password = _password_field("Your password")
