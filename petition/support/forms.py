"""The form a supporter writes a message in: short, plain, and without links.

Links are refused rather than shown inert: a moderated wall of messages is a tempting place to
advertise or to send readers to a phishing page, and organisers should not have to check URLs.
"""

import re

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from petition.i18n.languages import format_number
from petition.support.messages import MAX_CITY_LENGTH, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH
from petition.web.forms import Form, multiline_text, plain_text, strip

# Top-level domains people type bare ("example.com"); any other "name.tld/" is caught by the slash.
_TLDS = (
    "com|org|net|info|biz|io|me|co|ly|gl|to|cc|tk|gg|app|dev|xyz|site|online|top|club|link|"
    "ru|su|kz|ua|by|uz|kg|tj|am|ge|az|de|fr|uk|us|eu|pl|nl|tv|рф|қаз"
)
_LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)"  # any scheme: http://, https://, ftp://
    r"|(?:\bwww\d*\.)"
    r"|(?:\b(?:mailto|tg|javascript|data):)"
    r"|(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"  # an email address
    r"|(?:\b[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}/)"  # something.tld/
    rf"|(?:\b[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})\b)",  # something.com
    re.IGNORECASE,
)


def looks_like_link(text: str) -> bool:
    """Whether the text holds something that reads as a web or mail address."""
    return _LINK.search(text) is not None


def no_links(form: Form, field: Field) -> None:
    """Refuse web addresses and email addresses, with a message that says so."""
    if field.data and looks_like_link(field.data):
        raise ValidationError(
            gettext(
                "Please remove the web or email address: messages cannot contain links or "
                "addresses."
            )
        )


def _at_most(limit: int) -> LazyString:
    return LazyString(lambda: gettext("At most %(max)s characters.", max=format_number(limit)))


def _blank_to_none(value: str | None) -> str | None:
    return strip(value) or None


class SupportForm(Form):
    """A message of support, an optional first name and an optional city."""

    message = TextAreaField(
        _l("Your message"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Please write your message.")),
            Length(max=MAX_MESSAGE_LENGTH, message=_at_most(MAX_MESSAGE_LENGTH)),
            multiline_text,
            no_links,
        ],
    )
    first_name = StringField(
        _l("Your first name (optional)"),
        filters=[_blank_to_none],
        validators=[
            Length(max=MAX_NAME_LENGTH, message=_at_most(MAX_NAME_LENGTH)),
            plain_text,
            no_links,
        ],
    )
    city = StringField(
        _l("Your city (optional)"),
        filters=[_blank_to_none],
        validators=[
            Length(max=MAX_CITY_LENGTH, message=_at_most(MAX_CITY_LENGTH)),
            plain_text,
            no_links,
        ],
    )


class DecisionForm(Form):
    """The organisers' bulk decision; only its CSRF token is a field, the ids are read apart."""
