"""A petition as one reader sees it offers what pages and emails read of it, and nothing else."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from petition.extensions import db
from petition.models import Petition, utcnow
from petition.petitions.public_copies import PetitionSnapshot
from petition.petitions.versions import PetitionInLanguage, ShownText

# Read of a petition the same whichever language it is shown in.
OWN = (
    "id", "slug", "goal", "created_at", "closes_at",
    "signature_count", "paper_signature_count",
)  # fmt: skip


def _snapshot_of(petition: Petition) -> PetitionSnapshot:
    fields = (
        "id", "slug", "title", "target", "body", "goal", "collects_country", "created_at",
        "closes_at", "signature_count", "language", "paper_signature_count",
    )  # fmt: skip
    return PetitionSnapshot(**{name: getattr(petition, name) for name in fields})


def test_a_stored_petition_and_its_public_copy_read_alike(
    make_petition: Callable[..., Petition],
) -> None:
    petition = make_petition(goal=100, closes_on=(utcnow() + timedelta(days=3)).date())
    petition.paper_signature_count = 12
    db.session.commit()
    text = ShownText("ru", "Заголовок", "Текст", ("en", "ru"), "Мэру")
    stored = PetitionInLanguage(petition, text)
    copied = PetitionInLanguage(_snapshot_of(petition), text)
    for name in OWN:
        assert getattr(stored, name) == getattr(copied, name) == getattr(petition, name), name
    for shown in (stored, copied):
        assert (shown.title, shown.body, shown.target, shown.language) == (
            "Заголовок", "Текст", "Мэру", "ru",
        )  # fmt: skip
        assert shown.original_language == petition.language
        assert shown.other_versions == [("en", "English")]
        assert shown.is_open() and shown.hidden_at is None
    petition.hidden_at = utcnow()
    assert stored.hidden_at == petition.hidden_at


def test_what_it_does_not_offer_is_not_passed_on(make_petition: Callable[..., Petition]) -> None:
    """A template reading something new of a petition must add it here, not get it by accident."""
    petition = make_petition()
    shown = PetitionInLanguage(petition, ShownText("en", "T", "B", ("en",)))
    with pytest.raises(AttributeError):
        shown.organisers  # type: ignore[attr-defined]  # noqa: B018
