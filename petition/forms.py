"""The forms people fill in, each field with a limit and a message a person understands."""

import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from petition.addresses import MAX_EMAIL_LENGTH, InvalidAddressError, normalise_email
from petition.countries import country_choices

MAX_NAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 1024
# Direction overrides can disguise a name in an export; line and paragraph separators break rows.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def plain_text(form: FlaskForm, field: Field) -> None:
    """Reject control characters and line breaks (names end up in emails and spreadsheets)."""
    for char in field.data or "":
        if char in _BIDI_CONTROLS or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise ValidationError(
                _("Please use letters, spaces and punctuation only, on one line.")
            )


def deliverable_email(form: FlaskForm, field: Field) -> None:
    """Check the address's form and keep it in its normal form."""
    try:
        field.data = normalise_email(field.data or "")
    except InvalidAddressError as exc:
        raise ValidationError(
            _("Please check your email address. %(reason)s", reason=exc.reason())
        ) from exc


class SignForm(FlaskForm):
    """A signature: a name and the address that will confirm it."""

    name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(
                max=MAX_NAME_LENGTH,
                message=_l("Please keep your name to %(max)s characters.", max=MAX_NAME_LENGTH),
            ),
            plain_text,
        ],
    )
    email = EmailField(
        _l("Your email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter your email address: we send you a link to confirm.")),
            Length(
                max=MAX_EMAIL_LENGTH,
                message=_l(
                    "An email address has at most %(max)s characters.", max=MAX_EMAIL_LENGTH
                ),
            ),
            deliverable_email,
        ],
    )
    show_name = BooleanField(_l("Show my first name on the petition"), default=False)
    # Removed from the form (see without_country) unless the petition collects countries.
    country = SelectField(
        _l("Your country"),
        choices=[],
        validate_choice=True,
        validators=[DataRequired(_l("Please choose your country."))],
    )

    def __init__(self, *args: object, collects_country: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if collects_country:
            self.country.choices = [("", _("Choose your country"))] + country_choices()
        else:
            del self.country

    # The honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    leave_blank = StringField(
        _l("Leave this field empty"),
        validators=[Length(max=MAX_NAME_LENGTH, message=_l("Please leave this field empty."))],
    )


class EmbedSignForm(SignForm):
    """The sign form inside another site's frame, where the session cookie never arrives.

    Instead of the session's CSRF token it carries a signed, expiring form token (see
    petition.embedding), checked by the view.
    """

    class Meta:
        csrf = False

    form_token = HiddenField(validators=[Length(max=512)])


class LoginForm(FlaskForm):
    """An organiser's login."""

    email = EmailField(
        _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(
                max=MAX_EMAIL_LENGTH,
                message=_l("At most %(max)s characters.", max=MAX_EMAIL_LENGTH),
            ),
            plain_text,  # a NUL byte would otherwise reach the database, which refuses it
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Please enter your password.")),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=_l("At most %(max)s characters.", max=MAX_PASSWORD_LENGTH),
            ),
        ],
    )
