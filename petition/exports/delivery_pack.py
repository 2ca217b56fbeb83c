"""The delivery pack: a printable PDF of a petition and its verified signers, without addresses.

Its fixed words are in the language of the organiser who asks for it.
"""

import io
from collections.abc import Iterable
from datetime import date

import segno
from flask_babel import format_date, gettext
from fpdf import FPDF

from petition.exports.document import (
    FAMILY,
    Document,
    fixed_width_block,
    paragraph,
    write_body,
)
from petition.exports.rows import verified_rows
from petition.i18n.countries import country_name
from petition.i18n.languages import format_number
from petition.i18n.plurals import ngettext
from petition.models import Petition, utcnow
from petition.petitions.markdown import render_markdown
from petition.transparency.checkpoints import checkpoint_petitions, current_checkpoint
from petition.transparency.keys import log_key
from petition.transparency.summary import log_summary
from petition.web.urls import public_url


def _signers(petition: Petition) -> Iterable[tuple[str, str]]:
    for name, _email, country, _signed, _confirmed in verified_rows(petition):
        yield name, country_name(country) if country else ""


def delivery_pack(petition: Petition, today: date | None = None) -> bytes:
    """The petition's text, verified count, date and the list of signers' names (and countries)."""
    pdf = Document(petition.title, fixed_width=True)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    paragraph(pdf, 9, petition.title)
    pdf.ln(2)
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
    write_body(pdf, str(render_markdown(petition.body)))
    _signatories(pdf, petition)
    _auditable_count(pdf, petition)
    return bytes(pdf.output())


def _signatories(pdf: FPDF, petition: Petition) -> None:
    """The numbered list of verified signers, from a page of its own."""
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    paragraph(pdf, 9, gettext("Signatories"))
    pdf.set_font(FAMILY, size=10)
    # Wide enough for the last number, so that the names stand in one column.
    number_width = pdf.get_string_width(f"{petition.signature_count + 1}.") + 2
    name_width = (pdf.epw - number_width) * 0.6
    for number, (name, country) in enumerate(_signers(petition), start=1):
        pdf.cell(number_width, 6, f"{number}.", align="R")
        if petition.collects_country:
            pdf.cell(name_width, 6, f"  {name}", new_x="RIGHT")
            pdf.cell(0, 6, country, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(0, 6, f"  {name}", new_x="LMARGIN", new_y="NEXT")


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
    pdf.ln(1)
    fixed_width_block(pdf, checkpoint.text.rstrip("\n").split("\n"))
    pdf.set_font(FAMILY, size=10)
    pdf.ln(3)
    paragraph(
        pdf, 6, gettext("Fingerprint of the site's key: %(fingerprint)s", fingerprint=fingerprint)
    )
    paragraph(pdf, 6, gettext("To check, with the verifier that comes with this service:"))
    pdf.ln(1)
    # One argument a line, joined by the shell: the whole command fits no page at a readable size.
    command = ["python -m petition.verify \\", f"  {url} \\", f"  --key-fingerprint {fingerprint}"]
    fixed_width_block(pdf, command)
    pdf.ln(3)
    code = io.BytesIO()
    segno.make(url, error="m").save(code, kind="png", scale=4, border=2)
    pdf.image(code, w=35)
