"""Readable URL slugs from titles in any script we serve (Cyrillic is transliterated)."""

import re
import unicodedata

MAX_SLUG_LENGTH = 80
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"

# Russian and Kazakh Cyrillic, transliterated the way people would type them.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i", "є": "ye", "ї": "yi", "ґ": "g",
}  # fmt: skip


def slugify(text: str) -> str:
    """A lowercase ASCII slug; empty only when the text has no letters or digits at all."""
    text = "".join(_CYRILLIC.get(char, char) for char in text.lower())
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


def is_valid_slug(slug: str) -> bool:
    """Whether a slug an operator typed can be used as it is."""
    return len(slug) <= MAX_SLUG_LENGTH and re.fullmatch(SLUG_PATTERN, slug) is not None
