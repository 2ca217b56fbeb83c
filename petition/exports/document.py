"""The look every printed PDF shares: A4 margins, the title at the head of each page and
"Page n of N" at its foot, left-aligned text, black list numbers, links with their address and
fixed-width blocks for what a reader copies (the checkpoint, the verification command).
"""

import html
from collections.abc import Iterator, Sequence
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from fpdf import FPDF
from fpdf.enums import Align, TextEmphasis
from fpdf.fonts import FontFace, TextStyle

FAMILY = "PetitionSans"
MONO = "PetitionMono"
# Bold, italic and bold-italic files that sit beside DejaVuSans.ttf (and DejaVuSansMono.ttf).
_STYLES = {"B": "-Bold", "I": "-Oblique", "BI": "-BoldOblique"}
# Replaced by the page count when the PDF is written; long enough to leave room for 7 digits.
TOTAL_PAGES = "{total-pages}"
# Millimetres: A4 with room for a hole punch or a binder on the left and for the running title.
MARGINS = (20.0, 22.0, 20.0)  # left, top, right
BOTTOM_MARGIN = 20.0
# A fixed-width line shrinks to fit the page down to this size, readable when printed; a longer
# one is cut into pieces of equal length, so that a copy joins them back without guessing.
LARGEST_FIXED_PT = 9.0
SMALLEST_FIXED_PT = 6.0
_FIXED_PADDING = 2.0
_FIXED_FILL = 238  # light grey: visible on paper, still black text on it
_GREY = 90
_BLACK = "#000000"
# The petition's own text: headings bold and black at the left, never coloured or justified.
_BODY_STYLES = {
    "h2": TextStyle(FAMILY, "B", 15, _BLACK, t_margin=5, l_margin=Align.L, b_margin=0.6),
    "h3": TextStyle(FAMILY, "B", 13, _BLACK, t_margin=4, l_margin=Align.L, b_margin=0.5),
    "h4": TextStyle(FAMILY, "B", 12, _BLACK, t_margin=4, l_margin=Align.L, b_margin=0.4),
    "h5": TextStyle(FAMILY, "B", 11, _BLACK, t_margin=3, l_margin=Align.L, b_margin=0.4),
    "h6": TextStyle(FAMILY, "B", 11, _BLACK, t_margin=3, l_margin=Align.L, b_margin=0.4),
    "p": TextStyle(l_margin=Align.L),
    "blockquote": TextStyle(color="#333333", t_margin=3, l_margin=8, b_margin=3),
    "pre": TextStyle(MONO, font_size_pt=9, t_margin=3, l_margin=Align.L),
    "code": FontFace(family=MONO),
    "a": FontFace(color=_BLACK),  # the address follows in brackets: paper has no links
}


class DocumentFontError(RuntimeError):
    """The PDF cannot be made on this server (a font is missing); the message says how to fix it."""


class Document(FPDF):
    """An A4 document whose every page carries its title at the head and "Page n of N" at the foot."""

    def __init__(
        self, title: str, *, fixed_width: bool = False, margins: Sequence[float] = MARGINS
    ) -> None:
        super().__init__(format="A4")
        # Each face is read from its file when the text first asks for it: reading one costs
        # 60 ms, and most documents use two or three of the eight.
        self.faces = font_files(fixed_width=fixed_width)
        self.running_title = " ".join(title.split())
        self.set_title(self.running_title)
        self.alias_nb_pages(TOTAL_PAGES)
        left, top, right = margins
        self.set_margins(left, top, right)
        self.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        """As FPDF's, adding the face from its file the first time it is used; FPDF itself calls
        this before it reads a face (for bold and italic in HTML and Markdown too)."""
        style = style.style if isinstance(style, TextEmphasis) else style
        emphasis = "".join(sorted(set(style.upper()) & {"B", "I"}))
        face = (family or self.font_family).lower() + emphasis
        if face not in self.fonts and face in self.faces:
            self.add_font(family or self.font_family, emphasis, str(self.faces[face]))
        super().set_font(family, style, size)

    def header(self) -> None:
        self.set_xy(self.l_margin, 10)
        self.set_font(FAMILY, size=8)
        self.set_text_color(_GREY)
        self.cell(self.epw, 5, shortened(self, self.running_title, self.epw), align="L")
        self.set_draw_color(190)
        self.line(self.l_margin, 15.5, self.w - self.r_margin, 15.5)
        self.set_text_color(0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.page_number(self.page_no(), TOTAL_PAGES)

    def page_number(self, page: int, total: int | str) -> None:
        """'Page n of N' at the foot of the current page, in the current locale."""
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(_GREY)
        self.cell(0, 6, gettext("Page %(page)s of %(total)s", page=page, total=total), align="C")
        self.set_text_color(0)


def _variants(family: str, regular: Path) -> Iterator[tuple[str, Path]]:
    """Each style's face as FPDF names it (family and style), and its file."""
    yield family.lower(), regular
    for style, suffix in _STYLES.items():
        variant = regular.with_name(regular.stem + suffix + regular.suffix)
        # Without the variant, bold text is drawn in the regular face rather than failing.
        yield family.lower() + style, variant if variant.is_file() else regular


def font_files(*, fixed_width: bool = False) -> dict[str, Path]:
    """The Cyrillic-capable faces of DELIVERY_PACK_FONT (and DELIVERY_PACK_MONO_FONT if asked),
    by the name FPDF gives each face; DocumentFontError when a font is missing."""
    regular = Path(current_app.config["DELIVERY_PACK_FONT"])
    if not regular.is_file():
        raise DocumentFontError(
            gettext(
                "The delivery pack needs the font %(font)s (Debian: apt-get install "
                "fonts-dejavu-core), or DELIVERY_PACK_FONT set to a TrueType font with Cyrillic.",
                font=str(regular),
            )
        )
    faces = dict(_variants(FAMILY, regular))
    if not fixed_width:
        return faces
    mono = Path(current_app.config["DELIVERY_PACK_MONO_FONT"])
    if not mono.is_file():
        raise DocumentFontError(
            gettext(
                "The delivery pack needs the fixed-width font %(font)s (Debian: apt-get install "
                "fonts-dejavu-core), or DELIVERY_PACK_MONO_FONT set to a fixed-width TrueType "
                "font with Cyrillic.",
                font=str(mono),
            )
        )
    return faces | dict(_variants(MONO, mono))


def shortened(pdf: FPDF, text: str, width: float) -> str:
    """The text in the current font, cut with an ellipsis where it would pass `width`."""
    if pdf.get_string_width(text) <= width:
        return text
    room = width - pdf.get_string_width("…")
    used = 0.0
    for end, char in enumerate(text):
        used += pdf.get_string_width(char)
        if used > room:
            return text[:end].rstrip() + "…"
    return text


def paragraph(pdf: FPDF, height: float, text: str) -> None:
    """A paragraph across the page, wrapped and left-aligned, the next one at the left margin."""
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def write_body(pdf: FPDF, markup: str) -> None:
    """The petition's sanitised HTML, left-aligned, black, each link followed by its address."""
    pdf.write_html(with_addresses(markup), tag_styles=_BODY_STYLES, li_prefix_color=(0, 0, 0))


def fixed_width_block(pdf: FPDF, lines: Sequence[str]) -> None:
    """Lines in the fixed-width font on a grey ground, each on one line of paper if it can be."""
    room = pdf.epw - 2 * _FIXED_PADDING
    pdf.set_font(MONO, size=LARGEST_FIXED_PT)
    widest = max((pdf.get_string_width(line) for line in lines), default=0.0)
    if widest > room:
        pdf.set_font(MONO, size=max(SMALLEST_FIXED_PT, LARGEST_FIXED_PT * room / widest))
    # The size was chosen so that the widest line just fits: forgive the rounding of its width.
    per_line = max(1, int((room + 0.01) // pdf.get_string_width("0")))
    pieces = [
        line[at : at + per_line] for line in lines for at in range(0, len(line) or 1, per_line)
    ]
    height = pdf.font_size * 1.45
    if pdf.will_page_break(height * len(pieces) + 2 * _FIXED_PADDING):
        pdf.add_page()  # a checkpoint split across pages is easy to copy half of
    pdf.set_fill_color(_FIXED_FILL)
    saved_margin, pdf.c_margin = pdf.c_margin, _FIXED_PADDING
    pdf.cell(pdf.epw, _FIXED_PADDING, "", fill=True, new_x="LMARGIN", new_y="NEXT")
    for piece in pieces:
        pdf.cell(pdf.epw, height, piece, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(pdf.epw, _FIXED_PADDING, "", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.c_margin = saved_margin


def _tags(markup: str) -> Iterator[tuple[int, int]]:
    """Where each tag starts and ends (its "<" and ">"), a ">" inside quotes not ending it."""
    start = markup.find("<")
    while start >= 0:
        end, quote = start + 1, ""
        while end < len(markup) and (quote or markup[end] != ">"):
            char = markup[end]
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            end += 1
        yield start, end
        start = markup.find("<", end)


def _href(tag: str) -> str:
    """The address of an <a> tag as the sanitiser writes it (double quotes, quotes escaped)."""
    start = tag.find(' href="')
    if start < 0:
        return ""
    start += len(' href="')
    end = tag.find('"', start)
    return html.unescape(tag[start:end]) if end > 0 else ""


def _printed_address(address: str, text: str) -> str:
    """What follows a link's text on paper: its address, or nothing when the text already is it."""
    shown = address.removeprefix("mailto:")
    bare = shown.removeprefix("https://").removeprefix("http://")
    if not shown or text in {address, shown, bare, bare.rstrip("/")}:
        return ""
    return f" ({html.escape(shown, quote=False)})"


def with_addresses(markup: str) -> str:
    """Sanitised HTML with each link's address printed after its text, in one pass."""
    parts: list[str] = []
    done = 0
    href: str | None = None
    text: list[str] = []
    last_end = 0
    for start, end in _tags(markup):
        tag = markup[start : end + 1]
        if href is not None:
            text.append(markup[last_end + 1 : start])
        if tag.startswith("<a ") or tag == "<a>":
            href, text = _href(tag), []
        elif tag == "</a>" and href is not None:
            shown = html.unescape("".join(text)).strip()
            parts.append(markup[done : end + 1] + _printed_address(href, shown))
            done, href = end + 1, None
        last_end = end
    parts.append(markup[done:])
    return "".join(parts)
