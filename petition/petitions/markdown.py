"""Petition text: Markdown rendered to HTML that cannot carry script, and its plain-text summary."""

import html
import re
from functools import lru_cache
from typing import NamedTuple

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
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
    return _clean(_markdown.render(source))


def _clean(html: str) -> Markup:
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    # nh3 has just sanitised the HTML against an allow-list: marking it safe is the point.
    return Markup(clean)  # nosec B704


# A text with more blocks than this is long on a phone: the sign form falls screens below.
FOLD_AFTER_BLOCKS = 3
_LISTS = {"bullet_list_open", "ordered_list_open"}


class FoldedText(NamedTuple):
    """A petition's text in three parts: always shown, behind "Read more", and shown again."""

    lead: Markup
    more: Markup
    rest: Markup


@lru_cache(maxsize=512)
def fold_markdown(source: str) -> FoldedText:
    """Split a long text after its first block, keeping the demands (a list and its opening) shown."""
    env: dict[str, object] = {}
    blocks = _top_level_blocks(_markdown.parse(source, env))
    if len(blocks) <= FOLD_AFTER_BLOCKS:
        return FoldedText(render_markdown(source), Markup(), Markup())
    # A heading alone says too little: the paragraph under it comes with it.
    lead = 2 if blocks[0][0].type == "heading_open" else 1
    lists = [i for i, block in enumerate(blocks) if block[0].type in _LISTS]
    # The demands are the first list and the sentence that opens it: never folded away.
    end = max(lead, lists[0] - 1) if lists else len(blocks)
    if end - lead < 2:
        return FoldedText(render_markdown(source), Markup(), Markup())

    def render(part: list[list[Token]]) -> Markup:
        tokens = [token for block in part for token in block]
        return _clean(_markdown.renderer.render(tokens, _markdown.options, env))

    return FoldedText(render(blocks[:lead]), render(blocks[lead:end]), render(blocks[end:]))


def _top_level_blocks(tokens: list[Token]) -> list[list[Token]]:
    blocks: list[list[Token]] = []
    for token in tokens:
        if token.level == 0 and token.nesting >= 0:
            blocks.append([])
        blocks[-1].append(token)
    return blocks


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


def plain_text(source: str) -> str:
    """Markdown as a mail reader shows plain text: no markers, lists as "- ", links as "text (URL)"."""
    return _PlainText().render(_markdown.parse(source))


class _PlainText:
    """Walks markdown-it's tokens, so that what counts as emphasis or a link is the parser's call."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.lists: list[int | None] = []  # the next number of each open list; None for bullets
        self.marker = ""  # a list item's marker, owed to its first line
        self.quotes = 0
        self.hidden = False  # a tight list's paragraph: it follows the line before it
        self.gap = False  # a list just opened after a paragraph: a blank line first

    def render(self, tokens: list[Token]) -> str:
        for token in tokens:
            self.block(token)
        return "\n".join(self.lines).strip("\n")

    def block(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.gap = self.gap or not self.lists
            self.lists.append(
                None if kind == "bullet_list_open" else int(token.attrGet("start") or 1)
            )
        elif kind == "paragraph_open":
            self.hidden = token.hidden
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            number = self.lists[-1]
            self.marker = "- " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] = number + 1
        elif kind == "blockquote_open":
            self.quotes += 1
        elif kind == "blockquote_close":
            self.quotes -= 1
        elif kind == "inline":
            self.write(_inline(token.children or []), tight=self.hidden and not self.gap)
        elif kind in ("fence", "code_block"):
            self.write(token.content.rstrip("\n"), tight=False)
        elif kind == "hr":
            self.write("* * *", tight=False)

    def write(self, text: str, *, tight: bool) -> None:
        if self.lines and not tight:
            self.lines.append(">" if self.quotes and self.lines[-1].startswith(">") else "")
        indent = "  " * max(len(self.lists) - 1, 0)
        quote = "> " * self.quotes
        for n, line in enumerate(text.split("\n")):
            lead = self.marker if n == 0 else " " * len(self.marker)
            self.lines.append(f"{quote}{indent}{lead}{line}".rstrip())
        self.marker, self.hidden, self.gap = "", False, False


def _inline(children: list[Token]) -> str:
    """A paragraph's or heading's words, with each link's address after its text."""
    parts: list[str] = []
    links: list[tuple[str, int]] = []  # each open link's address and where its text starts
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "link_open":
            links.append((str(child.attrGet("href") or ""), len(parts)))
        elif child.type == "link_close" and links:
            href, start = links.pop()
            label = "".join(parts[start:])
            if href and href.removeprefix("mailto:") != label:
                parts.append(f" ({href})")
    return "".join(parts)


# English pages have always put the day first; other languages take their own long format.
