"""A petition's title and text in several languages, and which of them a reader is shown."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from petition.extensions import db
from petition.i18n.languages import LANGUAGES
from petition.models import EventAction, Organiser, Petition, PetitionText, PublicPetition
from petition.petitions.history import record_event
from petition.petitions.publishing import (
    PetitionError,
    RowRemoval,
    check_fields,
    petition_row,
    stored_petition,
)
from petition.transactions import write_transaction

_ORDER = {code: position for position, code in enumerate(LANGUAGES)}
# Built once: making a statement costs more than running it, and pages showing a petition run them.
_OF_PETITIONS = PetitionText.petition_id.in_(bindparam("ids", expanding=True))
_LANGUAGES_OF = select(PetitionText.petition_id, PetitionText.language).where(_OF_PETITIONS)
_TEXTS_IN = select(PetitionText).where(
    _OF_PETITIONS, PetitionText.language == bindparam("language")
)


@dataclass(frozen=True)
class ShownText:
    """The title and text a reader gets, the language they are in, and every language it has."""

    language: str
    title: str
    body: str
    languages: tuple[str, ...]
    target: str | None = None  # the original's and every version's, in the switcher's order

    @property
    def other_languages(self) -> tuple[str, ...]:
        """The languages the petition can also be read in."""
        return tuple(code for code in self.languages if code != self.language)


def petition_texts(petition: Petition) -> Sequence[PetitionText]:
    """The versions of a petition besides its original, in the switcher's order."""
    found = db.session.scalars(select(PetitionText).where(PetitionText.petition_id == petition.id))
    return sorted(found, key=lambda text: _ORDER.get(text.language, len(_ORDER)))


def _shown(petition: PublicPetition, languages: set[str], text: PetitionText | None) -> ShownText:
    ordered = tuple(code for code in LANGUAGES if code in languages | {petition.language})
    if text is None:
        return ShownText(petition.language, petition.title, petition.body, ordered, petition.target)
    target = text.target or petition.target
    return ShownText(text.language, text.title, text.body, ordered, target)


def text_for(petition: PublicPetition, language: str | None) -> ShownText:
    """The version in the reader's language if there is one, else (or for None) the original."""
    return texts_for([petition], language)[0]


def texts_for(petitions: Sequence[PublicPetition], language: str | None) -> list[ShownText]:
    """text_for for a list of petitions, in two queries whatever their number."""
    ids = [petition.id for petition in petitions]
    languages: dict[int, set[str]] = {petition_id: set() for petition_id in ids}
    wanted: dict[int, PetitionText] = {}
    if ids:
        # Which languages each has, then only the texts to show: versions can be long.
        for petition_id, code in db.session.execute(_LANGUAGES_OF, {"ids": ids}):
            languages[petition_id].add(code)
        if language is not None and any(language in codes for codes in languages.values()):
            texts = db.session.scalars(_TEXTS_IN, {"ids": ids, "language": language})
            wanted = {text.petition_id: text for text in texts}
    return [
        _shown(
            petition,
            languages[petition.id],
            wanted.get(petition.id) if language != petition.language else None,
        )
        for petition in petitions
    ]


class PetitionInLanguage:
    """A petition as one reader sees it: its title and text in their language, the rest its own.

    Templates and emails take it wherever they take a petition, so choosing the language stays
    in the views and the templates keep writing `petition.title`. It offers what they read and
    nothing else; the stored petition or its public copy is `petition`.
    """

    def __init__(self, petition: PublicPetition, text: ShownText) -> None:
        self.petition = petition
        self.text = text
        self.title = text.title
        self.body = text.body
        self.language = text.language
        self.languages = text.languages
        self.original_language = petition.language

    @property
    def id(self) -> int:
        return self.petition.id

    @property
    def slug(self) -> str:
        return self.petition.slug

    @property
    def target(self) -> str | None:
        return self.text.target

    @property
    def goal(self) -> int | None:
        return self.petition.goal

    @property
    def created_at(self) -> datetime:
        return self.petition.created_at

    @property
    def closes_at(self) -> datetime | None:
        return self.petition.closes_at

    @property
    def hidden_at(self) -> datetime | None:
        """When its organisers hid it: a public copy is only ever made of a visible petition."""
        return self.petition.hidden_at if isinstance(self.petition, Petition) else None

    @property
    def signature_count(self) -> int:
        return self.petition.signature_count

    @property
    def paper_signature_count(self) -> int:
        return self.petition.paper_signature_count

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether the petition still accepts new signatures."""
        return self.petition.is_open(now)

    @property
    def other_versions(self) -> list[tuple[str, str]]:
        """(code, name in itself) of each language the petition can also be read in."""
        return [(code, LANGUAGES[code]) for code in self.text.other_languages]

    def lang_attribute(self, page_language: str) -> Markup:
        """` lang="xx"` for an element holding the text, when it differs from the page's language."""
        if self.language == page_language:
            return Markup("")
        return Markup(' lang="%s"') % self.language


def in_language(petition: PublicPetition, language: str | None) -> PetitionInLanguage:
    """The petition as a reader of this language sees it."""
    return PetitionInLanguage(petition, text_for(petition, language))


def all_in_language(
    petitions: Sequence[PublicPetition], language: str | None
) -> list[PetitionInLanguage]:
    """Every petition as a reader of this language sees it, in two queries whatever their number."""
    texts = texts_for(petitions, language)
    return [
        PetitionInLanguage(petition, text) for petition, text in zip(petitions, texts, strict=True)
    ]


def _check_language(petition: Petition, language: str) -> None:
    if language not in LANGUAGES:
        names = ", ".join(LANGUAGES.values())
        raise PetitionError(gettext("Choose one of the languages: %(names)s.", names=names))
    if language == petition.language:
        raise PetitionError(
            gettext("The petition is written in this language: change it by editing it.")
        )


def save_petition_text(
    petition: Petition,
    organiser: Organiser,
    *,
    language: str,
    title: str,
    body: str,
    target: str | None = None,
) -> PetitionText:
    """Add the petition's version in a language, or replace the one it has.

    Without a target of its own, a version shows the original's.
    """
    title, target = title.strip(), (target or "").strip() or None
    check_fields(title, body, target, None)
    try:
        return _save(petition, organiser, language, title, body, target)
    except IntegrityError:
        # Another organiser added this language at the same moment: replace theirs, as if this
        # save had come just after it.
        return _save(petition, organiser, language, title, body, target)


def _save(
    petition: Petition,
    organiser: Organiser,
    language: str,
    title: str,
    body: str,
    target: str | None,
) -> PetitionText:
    with write_transaction() as session:
        petition = stored_petition(session, petition)
        _check_language(petition, language)
        text = petition_row(session, PetitionText, petition, language=language)
        if text is None:
            text = PetitionText(
                petition_id=petition.id, language=language, title=title, body=body, target=target
            )
            session.add(text)
            session.flush()  # a concurrent insert of the same language fails here, not at commit
            action = EventAction.VERSION_ADDED
        elif (text.title, text.body, text.target) == (title, body, target):
            return text
        else:
            text.title, text.body, text.target = title, body, target
            action = EventAction.VERSION_CHANGED
        record_event(session, petition, session.merge(organiser), action, language=language)
    return text


_TEXT_REMOVAL = RowRemoval(
    PetitionText, EventAction.VERSION_REMOVED, lambda text: {"language": text.language}
)


def remove_petition_text(petition: Petition, organiser: Organiser, language: str) -> bool:
    """Remove the petition's version in a language; false if it had none."""
    return _TEXT_REMOVAL.remove(petition, organiser, language=language)
