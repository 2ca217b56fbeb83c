"""The delivery pack: a printable PDF of a petition and its verified signers, without addresses.

Its fixed words are in the language of the organiser who asks for it.
"""

import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import segno
from flask import current_app
from flask_babel import format_date, gettext
from fpdf import FPDF

from petition.exports.rows import verified_rows
from petition.i18n.countries import country_name
from petition.i18n.languages import format_number
from petition.i18n.plurals import ngettext
from petition.log.checkpoints import checkpoint_petitions, current_checkpoint
from petition.log.keys import log_key
from petition.log.summary import log_summary
from petition.models import Petition, utcnow
from petition.petitions.markdown import render_markdown
from petition.web.urls import public_url

# Bold, italic and bold-italic files that sit beside DejaVuSans.ttf in Debian's package.
_STYLES = {"B": "-Bold", "I": "-Oblique", "BI": "-BoldOblique"}
FAMILY = "PetitionSans"


class DeliveryPackError(RuntimeError):
    """The PDF cannot be made on this server (its font is missing); the message says how to fix it."""


# Replaced by the page count when the PDF is written; long enough to leave room for 7 digits.
TOTAL_PAGES = "{total-pages}"


class NumberedPages(FPDF):
    """A PDF whose every page ends with "Page n of N" (the delivery pack, the support bundle)."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(
            0,
            8,
            gettext("Page %(page)s of %(total)s", page=self.page_no(), total=TOTAL_PAGES),
            align="C",
        )


def load_fonts(pdf: FPDF) -> None:
    """The Cyrillic-capable font of DELIVERY_PACK_FONT, for every PDF we write."""
    regular = Path(current_app.config["DELIVERY_PACK_FONT"])
    if not regular.is_file():
        raise DeliveryPackError(
            gettext(
                "The delivery pack needs the font %(font)s (Debian: apt-get install "
                "fonts-dejavu-core), or DELIVERY_PACK_FONT set to a TrueType font with Cyrillic.",
                font=str(regular),
            )
        )
    pdf.add_font(FAMILY, "", str(regular))
    for style, suffix in _STYLES.items():
        variant = regular.with_name(regular.stem + suffix + regular.suffix)
        # Without the variant, bold text is drawn in the regular face rather than failing.
        pdf.add_font(FAMILY, style, str(variant if variant.is_file() else regular))


def paragraph(pdf: FPDF, height: float, text: str) -> None:
    """A paragraph across the page, wrapped, the next one starting at the left margin."""
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _signers(petition: Petition) -> Iterable[tuple[str, str]]:
    for name, _email, country, _signed, _confirmed in verified_rows(petition):
        yield name, country_name(country) if country else ""


def delivery_pack(petition: Petition, today: date | None = None) -> bytes:
    """The petition's text, verified count, date and the list of signers' names (and countries)."""
    pdf = NumberedPages(format="A4")
    pdf.alias_nb_pages(TOTAL_PAGES)
    load_fonts(pdf)
    pdf.set_title(petition.title)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    paragraph(pdf, 9, petition.title)
    pdf.set_font(FAMILY, size=11)
    if petition.target:
        paragraph(pdf, 7, gettext("To: %(target)s", target=petition.target))
    day = today or utcnow().date()
    count = petition.signature_count
    verified = ngettext("%(num)s verified signature", "%(num)s verified signatures", count)
    paragraph(pdf, 7, verified)
    _paper_line(pdf, petition)
    paragraph(pdf, 7, gettext("Date: %(day)s", day=format_date(day, "d MMMM y")))
    pdf.ln(4)
    pdf.write_html(str(render_markdown(petition.body)))
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 9, gettext("Signatories"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    width = pdf.epw
    for number, (name, country) in enumerate(_signers(petition), start=1):
        pdf.cell(14, 6, f"{number}.", align="R")
        if petition.collects_country:
            pdf.cell(width * 0.6, 6, f"  {name}", new_x="RIGHT")
            pdf.cell(0, 6, country, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(0, 6, f"  {name}", new_x="LMARGIN", new_y="NEXT")
    _auditable_count(pdf, petition)
    return bytes(pdf.output())


def _paper_line(pdf: FPDF, petition: Petition) -> None:
    """Signatures counted on paper, on a line of their own: never verified, never in the list."""
    paper = petition.paper_signature_count
    if paper:
        paragraph(
            pdf,
            7,
            ngettext(
                "Also %(num)s signature collected on paper, counted by the organisers: not "
                "verified, not in the count above nor in the list of signatories.",
                "Also %(num)s signatures collected on paper, counted by the organisers: not "
                "verified, not in the count above nor in the list of signatories.",
                paper,
            ),
        )


def _auditable_count(pdf: FPDF, petition: Petition) -> None:
    """The signed checkpoint, the key's fingerprint, the counts and how anyone checks them."""
    checkpoint_petitions(petition.slug)  # one that covers every entry so far
    checkpoint = current_checkpoint(petition.id)
    summary = log_summary(petition.id, checkpoint.size)
    url = public_url("public.petition", slug=petition.slug)
    fingerprint = log_key().fingerprint
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    paragraph(pdf, 9, gettext("How to check this count"))
    pdf.set_font(FAMILY, size=10)
    paragraph(
        pdf,
        6,
        gettext(
            "Every signature counted here is an entry in the petition's public log, signed with "
            "the site's key. The log holds no names. Anyone can check that the count below is what "
            "the log says, and, with a copy of this page, that nothing counted today is later "
            "removed or changed."
        ),
    )
    pdf.ln(2)
    reasons = {
        "withdrawn": gettext("withdrawn by their signers"),
        "held": gettext("held for review"),
        "invalidated": gettext("set aside as invalid"),
    }
    paragraph(pdf, 6, gettext("Entries in the log: %(num)s", num=format_number(summary.size)))
    paragraph(pdf, 6, gettext("Signatures added: %(num)s", num=format_number(summary.adds)))
    for reason, label in reasons.items():
        excluded = summary.excluded.get(reason, 0)
        paragraph(
            pdf, 6, gettext("Not counted, %(why)s: %(num)s", why=label, num=format_number(excluded))
        )
    paragraph(pdf, 6, gettext("Counted: %(num)s", num=format_number(summary.counted)))
    pdf.ln(2)
    paragraph(pdf, 6, gettext("The signed checkpoint:"))
    pdf.set_font(FAMILY, size=7)  # small enough that the signature line stays whole
    paragraph(pdf, 4, checkpoint.text)
    pdf.set_font(FAMILY, size=10)
    pdf.ln(2)
    paragraph(
        pdf, 6, gettext("Fingerprint of the site's key: %(fingerprint)s", fingerprint=fingerprint)
    )
    paragraph(pdf, 6, gettext("To check, with the verifier that comes with this service:"))
    pdf.set_font(FAMILY, size=7)
    paragraph(pdf, 4, f"python -m petition.verify {url} --key-fingerprint {fingerprint}")
    pdf.set_font(FAMILY, size=10)
    pdf.ln(2)
    code = io.BytesIO()
    segno.make(url, error="m").save(code, kind="png", scale=4, border=2)
    pdf.image(code, w=35)
