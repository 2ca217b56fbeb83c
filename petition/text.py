"""What text we keep: no invisible or control characters, and no web or email address where a
name or a message belongs.

Both rules are used by every form (see petition.web.forms), by the CSV import of letter targets
and by the use cases that store organisers' texts, so a text that passes one door passes them
all. Both take time linear in the text's length: anyone can post them 250 KB.
"""

import re
import unicodedata

# Control, format (zero-width spaces, soft hyphens, direction overrides), surrogate, private and
# unassigned characters: invisible or garbled in mail and spreadsheets, they hide what a text says
# (a direction override reverses a name, a zero-width space splits "evil.com" for a filter), and a
# NUL cannot be stored at all. Line and paragraph separators break rows and headers.
_UNWANTED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_LINE_BREAKS = "\n\r\t"
_SPACES = str.maketrans(_LINE_BREAKS, "   ")


def unwanted_character(text: str, *, lines: bool = False) -> str | None:
    """The first character of `text` that no stored text may hold, as "U+200B"; None if none.

    With `lines`, line breaks and tabs are allowed (an update, a letter, a message).
    """
    plain = text.translate(_SPACES) if lines else text
    if plain.isprintable():  # the common case, checked at C speed
        return None
    for char in plain:
        if unicodedata.category(char) in _UNWANTED:
            return f"U+{ord(char):04X}"
    return None  # only spaces other than " " (a no-break space): those are text


# Dots a browser takes for a domain's dot (IDNA maps the ideographic stops); NFKC folds the
# fullwidth and other compatibility forms of dots, slashes, colons, @ and letters first.
_DOTS = str.maketrans({"\u3002": ".", "\uff61": "."})
# Marks of an address wherever they stand. No nested or overlapping repetition: each position is
# tried in constant time.
_MARKS = re.compile(
    r"://|\bwww\d{0,3}\.|\b(?:mailto|tg|javascript|data|https?|ftp):(?=\S)|\S@\S", re.IGNORECASE
)
# A dotted run ("evil.example.com", "1.2.3.4"), taken whole from its first character: the
# lookbehind refuses to start inside a run and the possessive repeats never give characters back,
# so a run is read once however it ends ("a.a.a.…" of any length is linear).
_DOTTED = re.compile(r"(?<![\w-])(?<![\w-]\.)[\w-]++(?:\.[\w-]++)++")
# Top-level names written in capitals or disguised still read as domains ("EVIL.COM", "evil.сом").
_ENDINGS = (
    "com org net info biz io me co ly gl to cc tk gg app dev xyz site online top club link shop "
    "store live life news blog space website tech fun icu vip pro ws su ru kz ua by uz kg tj am "
    "ge az de fr uk us eu pl nl tv рф рус қаз укр бел срб мкд мон"
)
_KNOWN_ENDINGS = frozenset(_ENDINGS.split())
# Cyrillic and Greek letters drawn like Latin ones: "cоm" with a Cyrillic о reads as "com".
_LOOK_ALIKES = str.maketrans(
    "аАвВеЕкКмМнНоОрРсСтТуУхХіІјЈѕЅԁһӏαΑεΕιΙκΚνΝοΟρΡτΤυΥχΧ",
    "aABBeEkKmMHHoOpPcCTTyYxXiIjJsSdhlaAEEiIkKvNoOpPTTuYxX",
)
# Every format (Cf) character of Unicode 15, dropped at C speed (a test checks the ranges against
# the running Python's character database).
_FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
FORMAT = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _FORMAT_RANGES) + "]+")
_PATH_MARKS = "/:?#"
_CONTEXT = 40


def find_address(text: str) -> str | None:
    """The part of `text` that reads as a web or email address (as a reader would see it), or
    None. Names and messages are repeated in our pages and emails, where an address would pass
    for something we wrote; so anything a browser or a reader would follow counts: a scheme,
    "www.", an @ between characters, an IP address, or a domain ("evil.shop", "EVIL.COM",
    "evil.cоm" with a Cyrillic о, "evil。com/login"), but not initials or abbreviations
    ("St.John", "Ivanov A.A.", "т.е.").
    """
    seen = _as_read(text)
    mark = _MARKS.search(seen)
    if mark is not None:
        return _around(seen, mark.start(), mark.end())
    for run in _DOTTED.finditer(seen):
        following = seen[run.end() : run.end() + 1]
        if _reads_as_domain(run.group().split("."), following):
            return _around(seen, run.start(), run.end())
    return None


def _as_read(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded, format characters dropped."""
    seen = unicodedata.normalize("NFKC", text).translate(_DOTS)
    if seen.isprintable():
        return seen
    return FORMAT.sub("", seen)


def _reads_as_domain(labels: list[str], following: str) -> bool:
    if len(labels) >= 4 and all(label.isascii() and label.isdigit() for label in labels[-4:]):
        return True  # an IPv4 address
    ending = labels[-1]
    if ending.lower().startswith("xn--"):
        return True  # an internationalised top-level name, spelled for the wire
    if not (2 <= len(ending) <= 63 and ending.isalpha()):
        return False
    if following and following in _PATH_MARKS:
        return True  # "name.tld/", "name.tld:8080": any top-level name
    if ending.isascii() and ending.islower():
        return True  # written as domains are
    known = {ending.lower(), ending.translate(_LOOK_ALIKES).lower()} & _KNOWN_ENDINGS
    return bool(known) or _mixes_scripts(ending)


def _mixes_scripts(word: str) -> bool:
    """Whether a word mixes Latin letters with others, as a disguised domain does."""
    latin = sum(1 for char in word if char.isascii())
    return 0 < latin < len(word)


def _around(text: str, start: int, end: int) -> str:
    """The address and the word it stands in, short enough to quote in a message."""
    end = min(end, start + _CONTEXT)
    while start > 0 and not text[start - 1].isspace() and end - start < _CONTEXT:
        start -= 1
    while end < len(text) and not text[end].isspace() and end - start < _CONTEXT:
        end += 1
    return text[start:end]
