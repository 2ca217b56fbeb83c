"""The printable bundle of a petition's approved messages of support, to hand over on paper.

It shares the delivery pack's look (fonts, margins, running title, page numbers); its fixed words
are in the language of the organiser who asks for it, each message in its own.
"""

from datetime import date

from flask_babel import format_date, gettext

from petition.exports.document import FAMILY, Document, paragraph
from petition.models import Petition, utcnow
from petition.support.messages import all_approved


def support_bundle(petition: Petition, title: str, today: date | None = None) -> bytes:
    """The petition's title, then every approved message, oldest first, with name, city and day."""
    messages = all_approved(petition.id)
    pdf = Document(title)  # DocumentFontError when the font is missing
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    paragraph(pdf, 9, title)
    pdf.ln(2)
    pdf.set_font(FAMILY, size=11)
    paragraph(pdf, 7, gettext("Messages of support"))
    day = today or utcnow().date()
    paragraph(pdf, 7, gettext("Date: %(day)s", day=format_date(day, "d MMMM y")))
    pdf.ln(4)
    if not messages:
        paragraph(pdf, 7, gettext("No message has been approved yet."))
    for message in messages:
        pdf.set_font(FAMILY, size=11)
        paragraph(pdf, 6, message.body)
        pdf.set_font(FAMILY, "I", 9)
        signed = ", ".join(part for part in (message.name, message.city) if part)
        when = format_date(message.created_at.date(), "d MMMM y")
        paragraph(pdf, 6, f"— {signed}, {when}" if signed else f"— {when}")
        pdf.ln(4)
    return bytes(pdf.output())
