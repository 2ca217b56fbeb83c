"""Who a letter goes to: one home for the rules a target must follow, typed in or imported."""

import csv
import io
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
MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 1000
COLUMNS = ("name", "email", "postal_address", "phone", "country")
# Columns a file may leave out (files written before they existed still import).
OPTIONAL_COLUMNS = ("salutation",)
_LIMITS = {
    "name": MAX_NAME,
    "email": MAX_EMAIL,
    "postal_address": MAX_POSTAL,
    "phone": MAX_PHONE,
    "salutation": MAX_SALUTATION,
}


class TargetError(ValueError):
    """A target or a file of targets cannot be kept; str() says why, in the reader's words."""


@dataclass(frozen=True)
class TargetData:
    """A checked target, ready to store."""

    name: str
    email: str | None = None
    postal_address: str | None = None
    phone: str | None = None
    country: str | None = None  # ISO alpha-2; None: every supporter's target
    salutation: str | None = None  # how their letter opens; None: a neutral greeting


def check_target(
    name: str,
    email: str | None = None,
    postal_address: str | None = None,
    phone: str | None = None,
    country: str | None = None,
    salutation: str | None = None,
) -> TargetData:
    """The target as it will be stored, or a TargetError saying what is wrong with it."""
    values = {
        "name": (name or "").strip(),
        "email": (email or "").strip(),
        "postal_address": (postal_address or "").strip().replace("\r\n", "\n"),
        "phone": (phone or "").strip(),
        "salutation": (salutation or "").strip(),
    }
    if not values["name"]:
        raise TargetError(gettext("Every target needs a name."))
    for column, limit in _LIMITS.items():
        if len(values[column]) > limit:
            raise TargetError(
                gettext(
                    "The %(column)s can be at most %(max)s characters long.",
                    column=column,
                    max=format_number(limit),
                )
            )
        if unwanted_character(values[column], lines=column == "postal_address"):
            raise TargetError(
                gettext("The %(column)s has control characters in it.", column=column)
            )
    if values["email"]:
        try:
            values["email"] = normalise_email(values["email"])
        except InvalidAddressError as exc:
            raise TargetError(
                gettext(
                    "“%(email)s” is not an email address. %(reason)s",
                    email=values["email"],
                    reason=exc.reason(),
                )
            ) from exc
    code = (country or "").strip().upper() or None
    if code is not None and not is_country_code(code):
        raise TargetError(
            gettext("“%(code)s” is not a known two-letter country code.", code=code[:10])
        )
    return TargetData(
        name=values["name"],
        email=values["email"] or None,
        postal_address=values["postal_address"] or None,
        phone=values["phone"] or None,
        country=code,
        salutation=values["salutation"] or None,
    )


def parse_targets_csv(data: bytes) -> list[TargetData]:
    """Every row of a CSV of targets, checked; a TargetError naming the line at the first fault."""
    if len(data) > MAX_CSV_BYTES:
        raise TargetError(
            gettext(
                "The file is larger than %(max)s MB. Please split it.",
                max=format_number(MAX_CSV_BYTES // 1_000_000),
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TargetError(
            gettext("The file is not in UTF-8. Please save it as “CSV UTF-8” and try again.")
        ) from exc
    if "\x00" in text:
        raise TargetError(gettext("The file is not a text file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise TargetError(gettext("The file is empty.")) from None
    except csv.Error as exc:
        raise TargetError(gettext("Line 1: this is not a CSV row.")) from exc
    if sorted(set(header) - set(OPTIONAL_COLUMNS)) != sorted(COLUMNS) or len(set(header)) != len(
        header
    ):
        raise TargetError(
            gettext(
                "Line 1: the columns must be %(expected)s, and may include %(optional)s; "
                "this file has %(found)s.",
                expected=", ".join(COLUMNS),
                optional=", ".join(OPTIONAL_COLUMNS),
                found=", ".join(header)[:300] or "—",
            )
        )
    targets: list[TargetData] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line, as spreadsheets leave at the end
            if len(row) != len(header):
                raise TargetError(
                    gettext(
                        "Line %(line)s: %(count)s columns instead of %(expected)s.",
                        line=format_number(line),
                        count=format_number(len(row)),
                        expected=format_number(len(header)),
                    )
                )
            if len(targets) >= MAX_CSV_ROWS:
                raise TargetError(
                    gettext(
                        "The file has more than %(max)s targets. Please split it.",
                        max=format_number(MAX_CSV_ROWS),
                    )
                )
            try:
                targets.append(check_target(**dict(zip(header, row, strict=True))))
            except TargetError as exc:
                raise TargetError(
                    gettext("Line %(line)s: %(problem)s", line=format_number(line), problem=exc)
                ) from exc
    except csv.Error as exc:
        raise TargetError(
            gettext("Line %(line)s: this is not a CSV row.", line=format_number(reader.line_num))
        ) from exc
    if not targets:
        raise TargetError(gettext("The file has a header but no targets."))
    return targets
