"""What of a letter's text reaches paper: no invisible formatting, few stacked accents, few lines.

The PDF's line breaking costs far more than a text's length suggests on zero-width characters
and on long stacks of combining marks (seconds for one letter), and every line break may start
a page. The supporter's form refuses stacked marks; whatever text the printed letter is given,
from the form, the stored letter or a target's address, passes through `printable` first.
"""

import unicodedata

# Combining marks one letter can carry: Vietnamese and Thai stack up to three; more is noise.
MAX_MARKS = 3
# Lines of one text on paper: a letter of MAX_BODY characters in short paragraphs has far fewer.
MAX_LINES = 200
_MARKS = {"Mn", "Me"}  # marks that take no room of their own (spacing ones print as a letter)
_KEPT_CONTROLS = {"\n", "\t"}


def longest_mark_run(text: str) -> int:
    """The most combining marks that follow one another anywhere in the text."""
    longest = run = 0
    for char in text:
        run = run + 1 if unicodedata.category(char) in _MARKS else 0
        longest = max(longest, run)
    return longest


def printable(text: str, limit: int) -> str:
    """The text as it is printed: at most `limit` characters and MAX_LINES lines, without
    format or control characters (line breaks and tabs aside), and at most MAX_MARKS marks on
    each letter; empty lines in a row become one."""
    kept: list[str] = []
    marks = 0
    for char in text[:limit].replace("\r\n", "\n").replace("\r", "\n"):
        category = unicodedata.category(char)
        if category == "Cf" or (category == "Cc" and char not in _KEPT_CONTROLS):
            continue
        marks = marks + 1 if category in _MARKS else 0
        if marks <= MAX_MARKS:
            kept.append(char)
    lines: list[str] = []
    for line in "".join(kept).split("\n"):
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line)
    if len(lines) > MAX_LINES:
        # The rest still prints, run together, so nothing the writer wrote is lost.
        lines[MAX_LINES - 1 :] = [" ".join(lines[MAX_LINES - 1 :])]
    return "\n".join(lines).strip("\n")
