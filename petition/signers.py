"""What the public may learn about a petition's signers: counts, and first names of those who agreed."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus


@dataclass(frozen=True)
class PublicSigner:
    """One listed signer: never more than a first name and a country code."""

    first_name: str
    country: str | None


def first_name(name: str) -> str:
    """The first word of a name as typed, which is all the public list shows."""
    words = name.split()
    return words[0] if words else ""


def public_signers(petition: Petition) -> list[PublicSigner]:
    """Confirmed signers who asked to be shown, newest first, at most PUBLIC_SIGNERS_LIMIT."""
    rows = db.session.execute(
        select(Signature.name, Signature.country)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.show_name.is_(True),
        )
        .order_by(Signature.id.desc())
        .limit(current_app.config["PUBLIC_SIGNERS_LIMIT"])
    )
    return [PublicSigner(first_name(name), country) for name, country in rows]


def country_counts(petition: Petition) -> Sequence[tuple[str | None, int]]:
    """Confirmed signatures per country code (None: not given), largest first."""
    count = func.count().label("count")
    rows = db.session.execute(
        select(Signature.country, count)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.CONFIRMED,
        )
        .group_by(Signature.country)
        .order_by(count.desc(), Signature.country)
    )
    return [(country, number) for country, number in rows]
