"""Email addresses: checking what people type, and folding it so one mailbox signs once."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext

from petition.i18n.languages import N_

MAX_EMAIL_LENGTH = 254
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}

TOO_LONG = N_("An email address has at most %(max)s characters.")
NOT_LATIN = N_(
    "Before the @ sign, please use Latin letters, digits and . _ - + only: "
    "mail to other characters there cannot be delivered."
)
# email_validator explains in English only: its reasons, folded into a few we can translate.
_LIBRARY_REASONS = [
    ("must have an @-sign", N_("An address has one @ sign, as in name@example.org.")),
    ("something before the @-sign", N_("Something is missing before the @ sign.")),
    ("something after the @-sign", N_("Something is missing after the @ sign.")),
    ("too long", TOO_LONG),
    ("after the @-sign", N_("After the @ sign comes a domain name, as in example.org.")),
]
_OTHER_REASON = N_("It has a character or a sequence of characters that an address cannot have.")


class InvalidAddressError(ValueError):
    """The text is not an email address we can deliver to; the message (English) says why."""

    def __str__(self) -> str:
        message: str = self.args[0]
        return message % {"max": MAX_EMAIL_LENGTH}

    def reason(self) -> str:
        """Why, in the reader's language."""
        return gettext(self.args[0], max=MAX_EMAIL_LENGTH)


def _our_reason(error: EmailNotValidError) -> str:
    text = str(error)
    return next((ours for theirs, ours in _LIBRARY_REASONS if theirs in text), _OTHER_REASON)


def normalise_email(text: str) -> str:
    """Return the address in its normal form, or raise InvalidAddressError with a reason."""
    text = text.strip()
    if len(text) > MAX_EMAIL_LENGTH:
        raise InvalidAddressError(TOO_LONG)
    if not text.rpartition("@")[0].isascii():
        # Most relays cannot deliver to such mailboxes (no SMTPUTF8): say so now, not never.
        raise InvalidAddressError(NOT_LATIN)
    try:
        # No DNS: the request must not wait on the network, and the confirmation mail proves it.
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidAddressError(_our_reason(exc)) from exc
    return result.normalized


def canonical_email(address: str) -> str:
    """Fold an address so variants of one mailbox compare equal.

    Case is ignored, a +tag is dropped, and Gmail's ignored dots and googlemail alias are folded.
    """
    local, _, domain = address.strip().rpartition("@")
    local = local.lower().split("+", 1)[0]
    domain = domain.lower().rstrip(".")
    if domain in _GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"
