"""Petition text: Markdown rendered to HTML that cannot carry script, and its plain-text summary."""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

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
