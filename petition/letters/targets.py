"""Who a letter goes to: one home for the rules a target must follow, typed in or imported
(files of targets are read in target_files.py)."""

from dataclasses import dataclass

from flask_babel import gettext

from petition.addresses import InvalidAddressError, normalise_email
from petition.i18n.countries import is_country_code
from petition.i18n.languages import format_number
from petition.text import unwanted_character

MAX_NAME = 200
MAX_EMAIL = 254
MAX_POSTAL = 1000
MAX_PHONE = 100
MAX_SALUTATION = 200
_LIMITS = {
    "name": MAX_NAME,
    "email": MAX_EMAIL,
    "postal_address": MAX_POSTAL,
    "phone": MAX_PHONE,
    "salutation": MAX_SALUTATION,
}


class TargetError(ValueError):
    """A target or a file of targets cannot be kept; str() says why, in the reader's words."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column  # the field at fault, as a file's header names it; None: no one field


@dataclass(frozen=True)
class TargetData:
    """A checked target, ready to store."""

    name: str
    email: str | None = None
    postal_address: str | None = None
    phone: str | None = None
    country: str | None = None  # ISO alpha-2; None: every supporter's target
    salutation: str | None = None  # how their letter opens; None: a neutral greeting


def target_problems(
    name: str,
    email: str | None = None,
    postal_address: str | None = None,
    phone: str | None = None,
    country: str | None = None,
    salutation: str | None = None,
) -> tuple[TargetData, list[TargetError]]:
    """The target as it would be stored, and every field's fault (the first of each field)."""
    values = {
        "name": (name or "").strip(),
        "email": (email or "").strip(),
        "postal_address": (postal_address or "").strip().replace("\r\n", "\n"),
        "phone": (phone or "").strip(),
        "salutation": (salutation or "").strip(),
    }
    problems: list[TargetError] = []
    if not values["name"]:
        problems.append(TargetError(gettext("Every target needs a name."), "name"))
    for column, limit in _LIMITS.items():
        if len(values[column]) > limit:
            message = gettext(
                "The %(column)s can be at most %(max)s characters long.",
                column=column,
                max=format_number(limit),
            )
        elif unwanted_character(values[column], lines=column == "postal_address"):
            message = gettext("The %(column)s has control characters in it.", column=column)
        else:
            continue
        problems.append(TargetError(message, column))
        values[column] = ""  # checked no further
    if values["email"]:
        try:
            values["email"] = normalise_email(values["email"])
        except InvalidAddressError as exc:
            message = gettext(
                "“%(email)s” is not an email address. %(reason)s",
                email=values["email"],
                reason=exc.reason(),
            )
            problems.append(TargetError(message, "email"))
    code = (country or "").strip().upper() or None
    if code is not None and not is_country_code(code):
        message = gettext("“%(code)s” is not a known two-letter country code.", code=code[:10])
        problems.append(TargetError(message, "country"))
    target = TargetData(
        name=values["name"],
        email=values["email"] or None,
        postal_address=values["postal_address"] or None,
        phone=values["phone"] or None,
        country=code,
        salutation=values["salutation"] or None,
    )
    return target, problems
