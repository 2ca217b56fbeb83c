"""The forms people fill in, each field with a limit and a message a person understands."""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
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
from petition.days import FIRST_DAY, LAST_DAY, is_usable_day

MAX_NAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 1024
# Direction overrides can disguise a name in an export; line and paragraph separators break rows.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Form(FlaskForm):
    """The base of every form: fields receive typed text only, and days the service can count with.

    Flask-WTF hands a form uploaded files and JSON values too; none of our fields takes them, and
    their validators would fail on them with a server error. Such a value is dropped before the
    fields see it, and the field says why. A date beyond the years FIRST_DAY to LAST_DAY is
    dropped the same way, so no later step can overflow on it.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: "Form", formdata: Any) -> Any:
            try:
                wrapped = super().wrap_formdata(form, formdata)
            except (TypeError, ValueError):  # a JSON body that is not an object of fields
                return MultiDict()
            if wrapped is None:
                return None
            text: MultiDict[str, str] = MultiDict()
            for key, value in wrapped.items(multi=True):
                if isinstance(value, str):
                    text.add(key, value)
                else:
                    form._refused[key] = _(
                        "Please type this in: a file or other data cannot go here."
                    )
            return text

    def process(
        self,
        formdata: Any = None,
        obj: Any = None,
        data: Mapping[str, Any] | None = None,
        extra_filters: Mapping[str, Sequence[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self._refused: dict[str, str] = {}
        super().process(formdata, obj, data, extra_filters, **kwargs)
        for field in self:
            if isinstance(field.data, date | datetime) and not is_usable_day(_day(field.data)):
                field.data = None
                self._refused[field.name] = _(
                    "Please choose a day from %(first)s to %(last)s.",
                    first=FIRST_DAY.year,
                    last=LAST_DAY.year,
                )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in self._refused:
                # Instead of "please fill this in", say what was wrong with what was sent.
                field.errors = [self._refused[field.name]]
                valid = False
        return valid


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def plain_text(form: FlaskForm, field: Field) -> None:
    """Reject control characters and line breaks (names end up in emails and spreadsheets)."""
    for char in field.data or "":
        if char in _BIDI_CONTROLS or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise ValidationError(
                _("Please use letters, spaces and punctuation only, on one line.")
            )


# A web or email address inside a name: a scheme, "www.", an @ between characters, or a domain
# (a label, a dot and a top-level name) followed by a path or port, or ending in a lowercase
# top-level name as domains are written ("evil.example", but not "St.John" or "Ivanov A.A.").
_ADDRESS_MARK = re.compile(r"://|\bwww\.|\S@\S", re.IGNORECASE)
_DOMAIN = re.compile(r"[^\W_](?:[\w-]*[^\W_])?\.([^\W\d_]{2,63})(?=$|[/:?#\s.,;!)\]])")


def _carries_address(text: str) -> bool:
    if _ADDRESS_MARK.search(text):
        return True
    return any(
        match[1].islower() or text[match.end() : match.end() + 1] in ("/", ":")
        for match in _DOMAIN.finditer(text)
    )


def no_addresses(form: FlaskForm, field: Field) -> None:
    """Refuse a name that carries a web or email address: names are repeated in our emails,
    and a link there would reach the inbox as if we had written it."""
    if _carries_address(field.data or ""):
        raise ValidationError(_("Please enter just your name, without web or email addresses."))


def deliverable_email(form: FlaskForm, field: Field) -> None:
    """Check the address's form and keep it in its normal form."""
    try:
        field.data = normalise_email(field.data or "")
    except InvalidAddressError as exc:
        raise ValidationError(
            _("Please check your email address. %(reason)s", reason=exc.reason())
        ) from exc


class SignForm(Form):
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
            no_addresses,
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


class LoginForm(Form):
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
