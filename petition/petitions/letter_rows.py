"""A petition's letter actions as anyone reads them: title, count of letters sent, targets.

Writing them is the organisers' business (letters); this module only reads them, for the
petition page, the JSON count and the API.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from petition.extensions import db
from petition.models import LetterAction, LetterTarget
from petition.web.urls import public_url

_targets = (
    select(func.count())
    .where(LetterTarget.action_id == LetterAction.id)
    .correlate(LetterAction)
    .scalar_subquery()
)
# Built once: the petition page runs it for every fresh public copy.
_OF_PETITION = (
    select(LetterAction.id, LetterAction.title, LetterAction.translations,
           LetterAction.letters_sent, _targets)
    .where(LetterAction.petition_id == bindparam("petition_id"))
    .order_by(LetterAction.id)
)  # fmt: skip


@dataclass(frozen=True)
class LetterRow:
    """One letter action, detached from the database so a public copy can keep it."""

    id: int
    title: str
    letters_sent: int
    target_count: int
    titles: dict[str, str] = field(default_factory=dict)  # by language, where one was written

    def title_in(self, language: str | None) -> str:
        """The title in this language when the organisers wrote one, else the original."""
        return self.titles.get(language or "", self.title)


def letter_rows(petition_id: int) -> list[LetterRow]:
    """The petition's letter actions, oldest first."""
    return [
        LetterRow(
            id=action_id,
            title=title,
            letters_sent=sent or 0,
            target_count=count or 0,
            titles={
                language: version["title"]
                for language, version in (translations or {}).items()
                if isinstance(version, dict) and version.get("title")
            },
        )
        for action_id, title, translations, sent, count in db.session.execute(
            _OF_PETITION, {"petition_id": petition_id}
        )
    ]


def letter_data(row: LetterRow, slug: str, language: str | None = None) -> dict[str, Any]:
    """A letter action as the JSON count and the API give it."""
    return {
        "id": row.id,
        "title": row.title_in(language),
        "url": public_url("public.letter_action", slug=slug, action_id=row.id),
        "letters_sent": row.letters_sent,
        "targets": row.target_count,
    }
