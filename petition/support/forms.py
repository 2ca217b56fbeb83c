"""The form a supporter writes a message in: short, plain, and without links.

Links are refused rather than shown inert: a moderated wall of messages is a tempting place to
advertise or to send readers to a phishing page, and organisers should not have to check URLs.
"""

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from petition.support.messages import MAX_CITY_LENGTH, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH
from petition.text import find_address
from petition.web.form_tokens import PetitionForm
from petition.web.forms import Form, at_most, blank_to_none, strip


def no_links(form: Form, field: Field) -> None:
    """Refuse web addresses and email addresses, quoting what reads as one."""
    found = find_address(field.data or "")
    if found:
        raise ValidationError(
            gettext(
                "Please remove the web or email address (“%(address)s”): messages cannot contain "
                "links or addresses.",
                address=found,
            )
        )


def _optional_line(label: LazyString, limit: int) -> StringField:
    """A line a supporter may leave out (then None), within `limit` and with no links."""
    return StringField(
        label,
        filters=[blank_to_none],
        validators=[at_most(limit), no_links],
    )


class SupportForm(PetitionForm):
    """A message of support, an optional first name and an optional city."""

    message = TextAreaField(
        _l("Your message"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Please write your message.")),
            at_most(MAX_MESSAGE_LENGTH),
            no_links,
        ],
    )
    first_name = _optional_line(_l("Your first name (optional)"), MAX_NAME_LENGTH)
    city = _optional_line(_l("Your city (optional)"), MAX_CITY_LENGTH)


class DecisionForm(Form):
    """The organisers' bulk decision; only its CSRF token is a field, the ids are read apart."""
