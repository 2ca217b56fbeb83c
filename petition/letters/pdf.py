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

from petition.exports.document import FAMILY, Document
from petition.letters.actions import MAX_BODY, MAX_SUBJECT, MAX_TITLE
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
# Millimetres: the usual left margin of a business letter, wider than the other documents'.
LETTER_MARGINS = (25.0, 22.0, 20.0)


class Letters(Document):
    """Letters in one file, each numbered on its own: its addressee reads "Page 1 of 1"."""

    def __init__(self, title: str) -> None:
        super().__init__(title, margins=LETTER_MARGINS)
        self.first_pages: list[int] = []

    def start_letter(self) -> None:
        self.add_page()
        self.first_pages.append(self.page)

    def footer(self) -> None:
        """Nothing yet: a letter's pages are numbered once its length is known."""

    def number_pages(self) -> None:
        """Write "Page n of N" on every page, counted within its letter; the last comes last."""
        last = self.page
        self.set_auto_page_break(False)  # the foot lies within the bottom margin
        for first, end in zip(self.first_pages, [*self.first_pages[1:], last + 1], strict=True):
            for page in range(first, end):
                self.page = page
                self.current_font_is_set_on_page = False  # each page needs its own font setting
                self.page_number(page - first + 1, end - first)
        self.page = last


def paragraph(pdf: FPDF, height: float, text: str, limit: int) -> None:
    """Print a text, made printable and cut to its field's limit, as one paragraph."""
    pdf.multi_cell(0, height, printable(text, limit), align="L", new_x="LMARGIN", new_y="NEXT")


def _email_only_note(letter: Letter, targets: Sequence[LetterTarget]) -> str:
    """The targets this letter reaches by email only, named at its end (in the current locale)."""
    named = [f"{target.name} <{target.email}>" for target in targets if target.email]
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
    with force_locale(letter.language):  # "Page n of N" at each page's foot too
        return _drawn(letter, targets, today, compress)


def _drawn(
    letter: Letter, targets: Sequence[LetterTarget], today: date | None, compress: bool
) -> bytes:
    pdf = Letters(printable(letter.title, MAX_TITLE))
    pdf.set_compression(compress)
    day = format_date(today or utcnow().date(), LETTER_DAY, locale=letter.language)
    postal = [target for target in targets if target.postal_address]
    by_email = [target for target in targets if not target.postal_address and target.email]
    addressed: Sequence[LetterTarget | None] = postal[:MAX_PRINTED_TARGETS] or [None]
    for target in addressed:
        pdf.start_letter()
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
    pdf.number_pages()
    return bytes(pdf.output())
