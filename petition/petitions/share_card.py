"""The share card: the picture a chat app or social site shows beside a petition's link.

Drawn from the title in the reader's language and the verified count, rounded so that the
picture (and its address, which carries a version) changes a few dozen times in a petition's
life rather than with every signature: previews refresh, and caches keep each picture for good.
"""

import hashlib
import io
import textwrap
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (1200, 630)
_MARGIN = 72
_BACKGROUND = "#14365c"
_TEXT = "#ffffff"
_ACCENT = "#ffd166"
_TITLE_SIZES = (68, 60, 52, 46, 40)  # the largest that fits in _TITLE_LINES lines
_TITLE_LINES = 4


class ShareCardFontError(RuntimeError):
    """The card cannot be drawn here: its font file is missing."""


def rounded_count(count: int) -> int:
    """The count the card shows: exact below 100, else its first two digits (12 345 -> 12 000)."""
    if count < 100:
        return count
    step: int = 10 ** (len(str(count)) - 2)  # an int power of ten: the exponent is never negative
    return count - count % step


def card_version(language: str, title: str, count: int) -> str:
    """What the card's address carries, so a preview refreshes once the picture changes."""
    text = f"{language}\n{title}\n{rounded_count(count)}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    if not path.is_file():
        raise ShareCardFontError(str(path))
    return ImageFont.truetype(str(path), size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, bold: Path) -> tuple[list[str], int]:
    """The title in lines that fit the card, and the font size that made them fit."""
    width = SIZE[0] - 2 * _MARGIN
    for size in _TITLE_SIZES:
        font = _font(bold, size)
        average = draw.textlength("абвгдежзиклмн", font=font) / 13
        lines = textwrap.wrap(text, width=max(8, int(width / average)))
        lines = [line for line in lines if line]
        fits = all(draw.textlength(line, font=font) <= width for line in lines)
        if fits and len(lines) <= _TITLE_LINES:
            return lines, size
    kept = lines[:_TITLE_LINES]
    kept[-1] = kept[-1].rstrip(" ,.;:") + "…"
    return kept, _TITLE_SIZES[-1]


@lru_cache(maxsize=128)  # by everything drawn: the same words always make the same picture
def draw_card(title: str, count_line: str, footer: str, font_path: str) -> bytes:
    """The card as PNG bytes: the title large, the count beneath it, the site's address at the foot."""
    regular = Path(font_path)
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    bold = bold if bold.is_file() else regular
    image = Image.new("RGB", SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    lines, size = _wrapped(draw, title, bold)
    font = _font(bold, size)
    y = _MARGIN
    for line in lines:
        draw.text((_MARGIN, y), line, font=font, fill=_TEXT)
        y += int(size * 1.2)
    draw.rectangle((_MARGIN, y + 24, _MARGIN + 120, y + 32), fill=_ACCENT)
    draw.text((_MARGIN, y + 56), count_line, font=_font(regular, 44), fill=_ACCENT)
    draw.text((_MARGIN, SIZE[1] - _MARGIN - 32), footer, font=_font(regular, 32), fill=_TEXT)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
