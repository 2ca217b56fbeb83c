"""What every form shares: typed text only, usable days, plain text, deliverable addresses, and
limits said with the reader's numbers.

Each form lives with its feature (signing.forms, organisers.forms, moderation.forms); every field
has a limit and a message a person understands.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

from petition.addresses import InvalidAddressError, normalise_email
from petition.days import FIRST_DAY, LAST_DAY, is_usable_day
from petition.i18n.languages import N_, format_number
from petition.text import unwanted_character

MAX_NAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 1024
Validator = Callable[[Any, Field], None]


class Form(FlaskForm):
    """The base of every form: fields receive typed text only, and days the service can count with.

    Every text field (passwords aside) keeps the one rule of what text we store (plain_text, or
    multiline_text for a text area) unless it names one itself, checked after the field's own
    checks. A field's checks stop at its first error: a value refused as too long never reaches a
    pattern, so no posted text costs more than reading it once.

    Flask-WTF hands a form uploaded files and JSON values too; none of our fields takes them, and
    their validators would fail on them with a server error. Such a value is dropped before the
    fields see it, and the field says why. A date beyond the years FIRST_DAY to LAST_DAY is
    dropped the same way, so no later step can overflow on it.
    """

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: "Form", unbound_field: Any, options: Any) -> Field:
            field: Field = super().bind_field(form, unbound_field, options)
            field.validators = [_UntilFirstError(check) for check in _chain_of(field)]
            return field

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
        valid: bool = super().validate(extra_validators)
        for field in self:
            if field.name in self._refused:
                # Instead of "please fill this in", say what was wrong with what was sent.
                field.errors = [self._refused[field.name]]
                valid = False
        return valid


def _chain_of(field: Field) -> list[Validator]:
    """The field's validators, and the text rule after them (their messages say more)."""
    chain = list(field.validators)
    is_text = isinstance(field, StringField) and not isinstance(field, PasswordField)
    if is_text and not {plain_text, multiline_text}.intersection(chain):
        chain.append(multiline_text if isinstance(field, TextAreaField) else plain_text)
    return chain


class _UntilFirstError:
    """A validator whose error ends its field's checks (errors from reading the value or from
    the field's own choices do not: "please give the date" still follows "not a date")."""

    def __init__(self, check: Validator) -> None:
        self.check = check
        self.field_flags = getattr(check, "field_flags", {})

    def __call__(self, form: Any, field: Field) -> None:
        try:
            self.check(form, field)
        except StopValidation:
            raise
        except ValidationError as error:
            raise StopValidation(*error.args) from error


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def strip(value: str | None) -> str | None:
    """A filter: typed text without surrounding space."""
    return value.strip() if isinstance(value, str) else value


def blank_to_none(value: str | None) -> str | None:
    """A filter: typed text without surrounding space, or None where nothing was typed."""
    return strip(value) or None


def with_numbers(message: str, **numbers: int) -> LazyString:
    """A message translated when shown, its numbers written the reader's way (50 000, 50,000).

    Mark the message with N_ so that it reaches the catalogues.
    """
    return LazyString(lambda: _(message, **{name: format_number(n) for name, n in numbers.items()}))


def at_most(limit: int) -> Length:
    """A text's limit of `limit` characters, said in the reader's language and numbers."""
    return Length(max=limit, message=with_numbers(N_("At most %(max)s characters."), max=limit))


def counted_limit(limit: int, message: str) -> Validator:
    """A limit of `limit` characters whose message says the limit, %(max)s, and how long the text
    is, %(count)s, so that the writer knows how much to cut (mark the message with N_)."""

    def check(form: FlaskForm, field: Field) -> None:
        length = len(field.data or "")
        if length > limit:
            raise ValidationError(_(message, max=format_number(limit), count=format_number(length)))

    return check


def plain_text(form: FlaskForm, field: Field) -> None:
    """Reject invisible, control and format characters and line breaks (names end up in emails
    and spreadsheets; see petition.text)."""
    if isinstance(field.data, str) and unwanted_character(field.data):
        raise ValidationError(_("Please use letters, spaces and punctuation only, on one line."))


def multiline_text(form: FlaskForm, field: Field) -> None:
    """Reject invisible, control and format characters other than line breaks and tabs (a NUL
    cannot be stored, and mail readers show the others as garbage): for texts of several lines,
    such as an update."""
    if isinstance(field.data, str) and unwanted_character(field.data, lines=True):
        raise ValidationError(_("Please remove the control characters from this text."))


def deliverable_email(form: FlaskForm, field: Field) -> None:
    """Check the address's form and keep it in its normal form."""
    try:
        field.data = normalise_email(field.data or "")
    except InvalidAddressError as exc:
        raise ValidationError(
            _("Please check your email address. %(reason)s", reason=exc.reason())
        ) from exc
