"""The sign forms: on the petition page, and in the widget other sites frame."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from petition.addresses import MAX_EMAIL_LENGTH
from petition.i18n.countries import country_choices
from petition.models import PublicPetition
from petition.signing.codes import normalise_code
from petition.text import find_address
from petition.transparency.receipts import normalise_receipt
from petition.web.form_tokens import PetitionForm
from petition.web.forms import MAX_NAME_LENGTH, Form, deliverable_email, strip


def no_addresses(form: FlaskForm, field: Field) -> None:
    """Refuse a name that carries a web or email address: names are repeated in our emails,
    and a link there would reach the inbox as if we had written it."""
    if find_address(field.data or ""):
        raise ValidationError(_("Please enter just your name, without web or email addresses."))


class SignForm(PetitionForm):
    """A signature: a name and the address that will confirm it, on the page and in the widget."""

    stale_message = _l(
        "This form was open for a long time. Please check your details and press Sign again."
    )

    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(
                max=MAX_NAME_LENGTH,
                message=_l("Please keep your name to %(max)s characters.", max=MAX_NAME_LENGTH),
            ),
            no_addresses,
        ],
    )
    email = EmailField(
        _l("Your email address"),
        filters=[strip],
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
    wants_updates = BooleanField(_l("Email me what happens with this petition"), default=False)
    # Removed from the form (see without_country) unless the petition collects countries.
    country = SelectField(
        _l("Your country"),
        choices=[],
        validate_choice=True,
        validators=[DataRequired(_l("Please choose your country."))],
    )

    @classmethod
    def for_petition(cls, petition: PublicPetition) -> "SignForm":
        """This petition's form, with the country field only if it collects countries."""
        return cls(petition_id=petition.id, collects_country=petition.collects_country)

    def __init__(self, *args: Any, collects_country: bool = False, **kwargs: Any) -> None:
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


def a_receipt(form: FlaskForm, field: Field) -> None:
    """A receipt as the confirmed page showed it: 32 letters and digits, spaces and dashes aside."""
    if normalise_receipt(field.data or "") is None:
        raise ValidationError(
            _("This is not a receipt: a receipt has 32 letters and digits, in groups of four.")
        )


class ReceiptForm(Form):
    """A signer's receipt, typed or pasted to see where their signature stands in the log.

    It changes nothing, so it needs no CSRF token and no cookie; it is posted, never put in an
    address, so no receipt reaches a log or a browser's history.
    """

    class Meta(Form.Meta):
        csrf = False

    receipt = StringField(
        _l("Your receipt"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please paste or type your receipt.")),
            Length(max=100, message=_l("A receipt is much shorter than this.")),
            a_receipt,
        ],
    )


def a_code(form: FlaskForm, field: Field) -> None:
    """A confirmation code as the email showed it: 10 letters and digits, spaces and dashes aside."""
    code = normalise_code(field.data or "")
    if code is None:
        raise ValidationError(
            _(
                "This is not a confirmation code: a code has 10 letters and digits, "
                "as in the email (ABCDE-FGHJK)."
            )
        )
    field.data = code


class CodeForm(Form):
    """The code from a confirmation email, typed with the address that signed instead of opening
    the link. Posted without a cookie or CSRF token, like the link's Confirm button: the code
    itself is the proof."""

    class Meta(Form.Meta):
        csrf = False

    email = EmailField(
        _l("The email address you signed with"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter the email address you signed with.")),
            Length(
                max=MAX_EMAIL_LENGTH,
                message=_l(
                    "An email address has at most %(max)s characters.", max=MAX_EMAIL_LENGTH
                ),
            ),
            deliverable_email,
        ],
    )
    code = StringField(
        _l("Confirmation code"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please type the code from the email.")),
            Length(max=100, message=_l("A confirmation code is much shorter than this.")),
            a_code,
        ],
    )
