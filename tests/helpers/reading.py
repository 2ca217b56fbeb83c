"""What a person reads on a page, for checking that a translated page has no English left."""

import re
from html.parser import HTMLParser

SPOKEN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}
# Link preview texts (Open Graph and Twitter card) that a shared link shows.
PREVIEW_TEXTS = re.compile(r"(title|description|site_name|:alt)$")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Not words: addresses, links, paths, domain names, the hex labels the activity page lists, and
# a signer's receipt (eight groups of four base32 characters), and a confirmation code (two
# groups of five, from the alphabet in petition/signing/codes.py).
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|/\S*|\b[\w-]+(?:\.[\w-]+)+\b|\b[0-9a-f]{12}\b"
    r"|\b[a-z2-7]{4}(?:-[a-z2-7]{4}){7}\b|\b[2-9A-HJKMNP-TW-Z]{5}-[2-9A-HJKMNP-TW-Z]{5}\b"
)


class _Readable(HTMLParser):
    """Text outside the hidden elements, the spoken attributes and the link preview texts."""

    def __init__(self, hidden: frozenset[str]) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden_tags = hidden
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._hidden_tags:
            self._hidden += 1
        values = dict(attrs)
        self.parts += [value or "" for name, value in attrs if name in SPOKEN_ATTRIBUTES]
        if tag == "meta" and PREVIEW_TEXTS.search(
            values.get("property") or values.get("name") or ""
        ):
            self.parts.append(values.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden_tags:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def readable(html: str, hidden: frozenset[str] = frozenset({"script", "style"})) -> str:
    """What a reader sees or hears of a page, runs of white space folded (no-break spaces kept)."""
    parser = _Readable(hidden)
    parser.feed(html)
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts)).strip()


def english_words(text: str, allowed: set[str]) -> set[str]:
    """Latin words of three letters or more, once addresses, links and domains are taken out."""
    return set(ENGLISH_WORD.findall(NOT_WORDS.sub(" ", text))) - allowed
