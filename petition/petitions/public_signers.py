"""What the public may learn about a petition's signers: first names of those who agreed to be listed."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from petition.extensions import db
from petition.i18n.countries import country_name
from petition.models import PublicPetition, Signature, SignatureStatus


@dataclass(frozen=True)
class PublicSigner:
    """One listed signer: never more than a first name and a country."""

    first_name: str
    country: str | None


def first_name(name: str) -> str:
    """The first word of a name as typed, which is all the public list shows."""
    words = name.split()
    return words[0] if words else ""


# A listed signer as stored: the name as typed and the country code.
SignerRow = tuple[str, str | None]


def signer_rows(petition_id: int) -> list[SignerRow]:
    """Confirmed signers who asked to be shown, newest first, at most PUBLIC_SIGNERS_LIMIT."""
    rows = db.session.execute(
        select(Signature.name, Signature.country)
        .where(
            Signature.petition_id == petition_id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.show_name.is_(True),
        )
        .order_by(Signature.id.desc())
        .limit(current_app.config["PUBLIC_SIGNERS_LIMIT"])
    )
    return [(name, country) for name, country in rows]


def listed_signers(rows: list[SignerRow]) -> list[PublicSigner]:
    """What the page shows of each listed signer: the first name and the country's name."""
    return [
        PublicSigner(first_name(name), country_name(country) if country else None)
        for name, country in rows
    ]


def public_signers(petition: PublicPetition) -> list[PublicSigner]:
    """Confirmed signers who asked to be shown, as the page lists them."""
    return listed_signers(signer_rows(petition.id))
