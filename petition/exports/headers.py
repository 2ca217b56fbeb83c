"""The first row of an export: English for scripts, or the organiser's language for people."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from petition.exports.rows import columns
from petition.i18n.languages import DEFAULT
from petition.models import Petition

# The spreadsheet's headings in English, as scripts have always read them.
ENGLISH_TITLES = {
    "name": "Name",
    "email": "Email",
    "country": "Country",
    "signed_at": "Signed (UTC)",
    "confirmed_at": "Confirmed (UTC)",
}
# The same headings, translated when an export is asked for (never at import, in no language).
TITLES = {
    "name": _l("Name"),
    "email": _l("Email"),
    "country": _l("Country"),
    "signed_at": _l("Signed (UTC)"),
    "confirmed_at": _l("Confirmed (UTC)"),
}
# What `?headers=` may ask for on a download; absent means the organiser's language.
HEADER_CHOICES = ("en",)


def header_row(petition: Petition, fmt: str, language: str | None = None) -> tuple[str, ...]:
    """An export's headings, in the column order of its rows; English for None or "en".

    English is what scripts read, unchanged: CSV's field names (as JSON's keys) and the
    spreadsheet's English titles. Any other language gets the titles translated into it.
    """
    wanted = columns(petition)
    if language is None or language == DEFAULT:
        return tuple(wanted) if fmt != "xlsx" else tuple(ENGLISH_TITLES[c] for c in wanted)
    with force_locale(language):
        # Read out now: the rows are streamed later, when no choice of language is left to ask.
        return tuple(str(TITLES[c]) for c in wanted)
