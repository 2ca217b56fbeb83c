"""The printable letter: one page per target with their postal address, the date and the text.

Made from what the supporter's request carries (the stored letter or their edit); nothing kept.
"""

from collections.abc import Sequence
from datetime import date

from babel.dates import format_date
from fpdf import FPDF

from petition.exports.delivery_pack import FAMILY, load_fonts
from petition.letters.letter import Letter
from petition.models import LetterTarget, utcnow

# How the date reads at the top of a letter: "6 December 2026", "6 декабря 2026 г.".
LETTER_DAY = "long"


def paragraph(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def letter_pdf(
    letter: Letter,
    targets: Sequence[LetterTarget],
    today: date | None = None,
    *,
    compress: bool = True,
) -> bytes:
    """A page per target (or one unaddressed page), in the letter's language, Cyrillic included."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    load_fonts(pdf)
    pdf.set_title(letter.subject)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(25, 20, 20)
    day = format_date(today or utcnow().date(), LETTER_DAY, locale=letter.language)
    addressed: Sequence[LetterTarget | None] = targets or [None]
    for target in addressed:
        pdf.add_page()
        pdf.set_font(FAMILY, size=11)
        if target is not None:
            pdf.set_font(FAMILY, "B", 11)
            paragraph(pdf, 6, target.name)
            pdf.set_font(FAMILY, size=11)
            if target.postal_address:
                paragraph(pdf, 6, target.postal_address)
        pdf.ln(8)
        paragraph(pdf, 6, day)
        pdf.ln(6)
        pdf.set_font(FAMILY, "B", 12)
        paragraph(pdf, 7, letter.subject)
        pdf.ln(4)
        pdf.set_font(FAMILY, size=11)
        paragraph(pdf, 6, letter.body.replace("\r\n", "\n"))
    return bytes(pdf.output())
