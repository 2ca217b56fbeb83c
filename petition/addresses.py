"""Email addresses: checking what people type, and folding it so one mailbox signs once."""

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


class InvalidAddressError(ValueError):
    """The text is not an email address we can deliver to."""


def normalise_email(text: str) -> str:
    """Return the address in its normal form, or raise InvalidAddressError with a reason."""
    text = text.strip()
    if len(text) > MAX_EMAIL_LENGTH:
        raise InvalidAddressError(f"An email address has at most {MAX_EMAIL_LENGTH} characters.")
    if not text.rpartition("@")[0].isascii():
        # Most relays cannot deliver to such mailboxes (no SMTPUTF8): say so now, not never.
        raise InvalidAddressError(
            "Before the @ sign, please use Latin letters, digits and . _ - + only: "
            "mail to other characters there cannot be delivered."
        )
    try:
        # No DNS: the request must not wait on the network, and the confirmation mail proves it.
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidAddressError(str(exc)) from exc
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
