"""The catalogues: every message of the source in them, translated, and compiled as committed."""

import gettext
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from petition.languages import DEFAULT, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "petition" / "translations"
TRANSLATED = sorted(code for code in LANGUAGES if code != DEFAULT)  # English is the source
# As in babel.cfg and the `translations` make target.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None}
KEYWORDS |= {"_l": None, "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
METHODS = {
    "petition": [("**.py", "python")],
    "templates": [("**.html", "jinja2"), ("**.txt", "jinja2"), ("**.xml", "jinja2")],
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages() -> set[str]:
    """Every message the code and the templates ask to be translated."""
    found = set()
    for folder, methods in METHODS.items():
        options = {pattern: {"extensions": "jinja2.ext.do"} for pattern, _ in methods}
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, methods, options_map=options, keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_of_the_source_is_in_the_catalogue(language: str) -> None:
    ids = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in catalogue(language)
        if message.id
    }
    missing = source_messages() - ids
    assert not missing, f"run `make translations` and translate: {sorted(missing)[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    problems = []
    catalog = catalogue(language)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(
                f"{ids[0]!r}: {len(strings)} plural forms, {catalog.num_plurals} needed"
            )
        if "fuzzy" in message.flags or not all(strings):
            problems.append(f"{ids[0]!r}: not translated")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # A plural form may leave the number out ("одна подпись"), never add or lose a name.
            if set(PLACEHOLDER.findall(string)) - wanted or (
                wanted - {"num"} - set(PLACEHOLDER.findall(string))
            ):
                problems.append(f"{ids[0]!r}: placeholders differ in {string!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = CATALOGUES / language / "LC_MESSAGES"
    compiled = BytesIO()
    write_mo(compiled, catalogue(language))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (folder / "messages.mo").open("rb") as file:
        committed = gettext.GNUTranslations(file)
    assert committed._catalog == fresh._catalog, "run `make translations` and commit the .mo"  # type: ignore[attr-defined]
