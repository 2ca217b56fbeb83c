"""Petition text: Markdown rendered to HTML that cannot carry script."""

import html
import re
from datetime import datetime, timedelta
from functools import lru_cache

import nh3
from flask_babel import format_date
from markdown_it import MarkdownIt
from markupsafe import Markup

from petition.languages import current_language

# "js-default" is CommonMark with raw HTML switched off; nh3 is the second, independent guard.
_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False})
_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "a",
}  # fmt: skip


@lru_cache(maxsize=512)
def render_markdown(source: str) -> Markup:
    """Render Markdown to sanitised HTML, safe to put in a page."""
    html = _markdown.render(source)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    # nh3 has just sanitised the HTML against an allow-list: marking it safe is the point.
    return Markup(clean)  # nosec B704


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
SUMMARY_LENGTH = 200


@lru_cache(maxsize=512)
def summary(source: str, length: int = SUMMARY_LENGTH) -> str:
    """The first paragraph as plain text, cut at a word to about `length` characters."""
    found = _FIRST_PARAGRAPH.search(render_markdown(source))
    if found is None:
        return ""
    text = " ".join(html.unescape(nh3.clean(found.group(1), tags=set())).split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


# English pages have always put the day first; other languages take their own long format.
_DAY_FORMATS = {"en": "d MMMM y"}


def last_day(closes_at: datetime) -> str:
    """The last day a petition is open, in the reader's language ("24 January 2027", "24 января 2027 г.")."""
    day = (closes_at - timedelta(seconds=1)).date()  # a date: no time zone shifts the day
    return format_date(day, _DAY_FORMATS.get(current_language(), "long"))
