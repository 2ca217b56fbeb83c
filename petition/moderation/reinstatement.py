"""Organisers give held signatures back one by one: quiet holding can catch real people."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, bindparam, select, update
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.models import (
    EventAction,
    Organiser,
    Petition,
    Signature,
    SignatureStatus,
    table_of,
)
from petition.petitions.history import ALL_HELD, record_event
from petition.transactions import rows_changed, write_transaction
from petition.transparency.receipts import commitment_of, new_receipt
from petition.transparency.tally import count_in

HELD_LISTED = 200  # the newest held signatures shown; a flood is handled in bulk instead


class ReinstatementError(ValueError):
    """There is no such held signature on this petition."""


def mask_email(email: str) -> str:
    """Enough of an address to recognise a person, not enough to write to them."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def held_signatures(petition: Petition, limit: int = HELD_LISTED) -> Sequence[Signature]:
    """The petition's newest held signatures."""
    return db.session.scalars(
        select(Signature)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.HELD,
        )
        .order_by(Signature.id.desc())
        .limit(limit)
    ).all()


_signatures = table_of(Signature).c
_LOGGED = (
    update(table_of(Signature))
    .where(_signatures.id == bindparam("signature_id"))
    .values(log_index=bindparam("log_index"), commitment=bindparam("commitment"))
)


def restore_held(session: Session, petition: Petition, held: ColumnElement[bool]) -> int:
    """Return held signatures to pending or confirmed, count the confirmed; how many came back.

    Each that counts again is a new add in the log, with the commitment of its receipt.
    """
    restore = {"invalidation_id": None, "flag_reason": None}
    # RETURNING names exactly the rows this statement counted, whatever committed meanwhile.
    counted = session.execute(
        update(Signature)
        .where(held, Signature.confirmed_at.is_not(None))
        .values(status=SignatureStatus.CONFIRMED, **restore)
        .returning(Signature.id, Signature.commitment)
        .execution_options(synchronize_session=False)
    ).all()
    pending = rows_changed(
        session.execute(
            update(Signature)
            .where(held, Signature.confirmed_at.is_(None))
            .values(status=SignatureStatus.PENDING, **restore)
            .execution_options(synchronize_session=False)
        )
    )
    logged = []
    for signature_id, commitment in sorted(counted):
        # Confirmed before receipts existed and never logged: its add gets a receipt nobody holds.
        commitment = commitment or commitment_of(new_receipt())
        add, _ = count_in(session, petition.id, commitment)
        logged.append({"signature_id": signature_id, "log_index": add, "commitment": commitment})
    if logged:
        session.execute(_LOGGED, logged)
    return len(counted) + pending


def reinstate_signature(
    petition: Petition, signature_id: int, *, organiser: Organiser, reason: str
) -> bool:
    """Count one held signature again (or let it be confirmed), recorded with who and why.

    True when it counts at once, having been confirmed while held.
    """
    held = and_(
        Signature.id == signature_id,
        Signature.petition_id == petition.id,
        Signature.status == SignatureStatus.HELD,
    )
    with write_transaction() as session:
        # Locked, so a confirmation or a second click waits and then finds it no longer held.
        signature = session.scalar(select(Signature).where(held).with_for_update())
        if signature is None:
            raise ReinstatementError("There is no such held signature on this petition.")
        held_for, address = signature.flag_reason, mask_email(signature.email)
        counted = signature.confirmed_at is not None
        restore_held(session, petition, held)
        record_event(
            session,
            petition,
            session.merge(organiser),
            EventAction.REINSTATED,
            rows=1,
            address=address,
            held_for=held_for,
            reason=reason,
        )
    return counted


def reinstate_held_for(
    petition: Petition, flag_reason: str, *, organiser: Organiser, reason: str
) -> int:
    """Count again every signature held for one reason; how many came back."""
    held = and_(
        Signature.petition_id == petition.id,
        Signature.status == SignatureStatus.HELD,
        Signature.flag_reason == flag_reason,
    )
    with write_transaction() as session:
        restored = restore_held(session, petition, held)
        if restored:
            record_event(
                session,
                petition,
                session.merge(organiser),
                EventAction.REINSTATED,
                rows=restored,
                address=ALL_HELD,
                held_for=flag_reason,
                reason=reason,
            )
    return restored


def reinstate_selected(
    petition: Petition, signature_ids: Sequence[int], *, organiser: Organiser, reason: str
) -> int:
    """Count again the ticked held signatures of this petition, each recorded as if given back
    one by one; how many came back (ids of other petitions or not held are left alone)."""
    held = and_(
        Signature.id.in_(signature_ids),
        Signature.petition_id == petition.id,
        Signature.status == SignatureStatus.HELD,
    )
    with write_transaction() as session:
        # Locked, so a confirmation or a second click waits and then finds them no longer held.
        found = session.scalars(select(Signature).where(held).with_for_update()).all()
        records = [(mask_email(signature.email), signature.flag_reason) for signature in found]
        restored = restore_held(session, petition, held) if found else 0
        merged = session.merge(organiser)
        for address, held_for in records:
            record_event(
                session, petition, merged, EventAction.REINSTATED, rows=1,
                address=address, held_for=held_for, reason=reason,
            )  # fmt: skip
    return restored
