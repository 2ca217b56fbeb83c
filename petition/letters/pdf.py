"""The printable letter: a page per postal target with their address, the date, their greeting
and the text; the targets reached only by email are named at its end.

Made from what the supporter's request carries (the stored letter or their edit); nothing kept.
Anyone may ask for it, so its cost is bounded: every text is cut to its field's limit and made
printable (see printable.py), and at most MAX_PRINTED_TARGETS letters go into one file.
"""

from collections.abc import Sequence
from datetime import date

from babel.dates import format_date
from flask_babel import force_locale, gettext
from fpdf import FPDF

from petition.exports.delivery_pack import FAMILY, load_fonts
from petition.letters.actions import MAX_BODY, MAX_SUBJECT
from petition.letters.letter import Letter, greeting
from petition.letters.printable import printable
from petition.letters.targets import MAX_NAME, MAX_POSTAL, MAX_SALUTATION
from petition.models import LetterTarget, utcnow

# How the date reads at the top of a letter: "6 December 2026", "6 декабря 2026 г.".
LETTER_DAY = "long"
# Letters in one file (the country's targets come first, then the fixed ones). An action may
# have thousands of fixed targets; each letter of MAX_BODY characters costs a tenth of a second
# or more to lay out, so one request would cost minutes.
MAX_PRINTED_TARGETS = 5


def paragraph(pdf: FPDF, height: float, text: str, limit: int) -> None:
    """Print a text, made printable and cut to its field's limit, as one paragraph."""
    pdf.multi_cell(0, height, printable(text, limit), new_x="LMARGIN", new_y="NEXT")


def _email_only_note(letter: Letter, targets: Sequence[LetterTarget]) -> str:
    """The targets this letter reaches by email only, named at its end in its language."""
    named = [f"{target.name} <{target.email}>" for target in targets if target.email]
    with force_locale(letter.language):
        return gettext("Also by email: %(targets)s", targets="; ".join(named))


def letter_pdf(
    letter: Letter,
    targets: Sequence[LetterTarget],
    today: date | None = None,
    *,
    compress: bool = True,
) -> bytes:
    """A page per target with a postal address, the first MAX_PRINTED_TARGETS (or one
    unaddressed page), in the letter's language, Cyrillic included; the targets without a
    postal address are named at the end as reached by email."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    load_fonts(pdf)
    pdf.set_title(printable(letter.subject, MAX_SUBJECT))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(25, 20, 20)
    day = format_date(today or utcnow().date(), LETTER_DAY, locale=letter.language)
    postal = [target for target in targets if target.postal_address]
    by_email = [target for target in targets if not target.postal_address and target.email]
    addressed: Sequence[LetterTarget | None] = postal[:MAX_PRINTED_TARGETS] or [None]
    for target in addressed:
        pdf.add_page()
        pdf.set_font(FAMILY, size=11)
        if target is not None:
            pdf.set_font(FAMILY, "B", 11)
            paragraph(pdf, 6, target.name, MAX_NAME)
            pdf.set_font(FAMILY, size=11)
            paragraph(pdf, 6, target.postal_address or "", MAX_POSTAL)
        pdf.ln(8)
        paragraph(pdf, 6, day, len(day))
        pdf.ln(6)
        pdf.set_font(FAMILY, "B", 12)
        paragraph(pdf, 7, letter.subject, MAX_SUBJECT)
        pdf.ln(4)
        pdf.set_font(FAMILY, size=11)
        opening = greeting([target.salutation if target else None], letter.language)
        paragraph(pdf, 6, opening, MAX_SALUTATION)
        pdf.ln(3)
        paragraph(pdf, 6, letter.body, MAX_BODY)
    if by_email:
        pdf.ln(8)
        pdf.set_font(FAMILY, size=9)
        note = _email_only_note(letter, by_email[:MAX_PRINTED_TARGETS])
        paragraph(pdf, 5, note, len(note))  # bounded: five names and addresses at most
    return bytes(pdf.output())
