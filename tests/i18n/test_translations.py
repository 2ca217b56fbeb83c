"""The catalogues: every message of the source in them, translated, and compiled as committed."""

import gettext
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from petition.i18n.languages import DEFAULT, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "petition" / "translations"
TRANSLATED = sorted(code for code in LANGUAGES if code != DEFAULT)  # English is the source
# As in babel.cfg and the `translations` make target.
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "lazy_gettext": None,
}
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


def _translations(compiled: gettext.GNUTranslations) -> dict[object, str]:
    """What a compiled catalogue translates, without its header.

    The header (the empty message id) names the tool that wrote the file, "Generated-By: Babel
    2.18.0", so comparing it would fail every install that gets a newer Babel. What a reader
    sees is the messages and the plural rule; those are compared.
    """
    messages: dict[object, str] = dict(compiled._catalog)  # type: ignore[attr-defined]
    messages.pop("", None)
    return messages


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = CATALOGUES / language / "LC_MESSAGES"
    compiled = BytesIO()
    write_mo(compiled, catalogue(language))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (folder / "messages.mo").open("rb") as file:
        committed = gettext.GNUTranslations(file)
    assert _translations(committed) == _translations(fresh), (
        "run `make translations` and commit the .mo"
    )
    # The plural rule comes from the catalogue's header, an attribute the stubs do not know.
    plural_forms = [fresh.plural(n) for n in range(200)]  # type: ignore[attr-defined]
    committed_forms = [committed.plural(n) for n in range(200)]  # type: ignore[attr-defined]
    assert committed_forms == plural_forms, "the plural rule differs"


def _compiled(source: Catalog) -> gettext.GNUTranslations:
    compiled = BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def test_the_comparison_ignores_only_the_header() -> None:
    """Another tool version in the header compares equal; a changed translation does not."""
    source = catalogue(TRANSLATED[0])
    original = _translations(_compiled(source))
    source.version = "another"  # the header's Project-Id-Version line
    source.fuzzy = False
    assert _translations(_compiled(source)) == original
    first = next(message for message in source if message.id and isinstance(message.id, str))
    first.string = f"{first.string} (changed)"
    assert _translations(_compiled(source)) != original
