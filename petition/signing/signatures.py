"""The signer's use cases: sign, then confirm by the emailed link. No request, no session."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from petition import tokens
from petition.addresses import canonical_email
from petition.extensions import db
from petition.mail.background import notify_delivery
from petition.mail.outbox import OwedMail, queue_message
from petition.models import (
    MailKind,
    Petition,
    PublicPetition,
    Signature,
    SignatureChange,
    SignatureStatus,
    is_open_at,
    new_link_secret,
    table_of,
    utcnow,
)
from petition.moderation.screening import broken_rule
from petition.organisers.goal_mail import owe_goal_mail
from petition.petitions.public_copies import KEEPS_SNAPSHOTS
from petition.signing.links import (
    SignatureLink,
    petition_id_of_expired,
    read_confirmation_link,
)
from petition.transactions import rows_changed, write_transaction
from petition.transparency.receipts import commitment_of, new_receipt
from petition.transparency.tally import count_in, hold
from petition.web.clients import client_hash, network_hash


class PetitionClosedError(Exception):
    """The petition no longer accepts signatures or confirmations."""

    def __init__(self, petition: PublicPetition) -> None:
        super().__init__(f"petition {petition.slug} is closed")
        self.petition = petition


class SignOutcome(enum.StrEnum):
    """What a submission did. Only the signer's mailbox ever learns this."""

    NEW = "new"
    REMINDED = "reminded"
    ALREADY_CONFIRMED = "already-confirmed"
    CAPPED = "capped"


@dataclass(frozen=True)
class Details:
    """What a signer typed about themselves, as it will be recorded once the mailbox confirms."""

    name: str
    country: str | None
    show_name: bool
    language: str
    wants_updates: bool = False  # "Email me what happens with this petition"


_signature_table = table_of(Signature)
_change_table = table_of(SignatureChange)
_petition_table = table_of(Petition)
_SIGNING_STATE = select(
    _petition_table.c.hidden_at,
    _petition_table.c.closes_at,
    _petition_table.c.blocks_disposable,
).where(_petition_table.c.id == bindparam("petition_id"))
_s = _signature_table.c
_EXISTING = (
    select(
        _s.id, _s.name, _s.country, _s.show_name, _s.language, _s.messages_sent,
        _s.confirmed_at, _s.wants_updates,
    )
    .where(_s.petition_id == bindparam("petition_id"), _s.email_canonical == bindparam("email"))
    .with_for_update()  # concurrent resubmissions queue here, so the message cap holds
)  # fmt: skip
# Every submission for an existing signature runs this, capped or not, adding 0 or 1.
_COUNT_MESSAGE = (
    update(_signature_table)
    .where(_s.id == bindparam("signature_id"))
    .values(messages_sent=_s.messages_sent + bindparam("sent"))
)


_NEW_SIGNATURE = (
    insert(_signature_table)
    .returning(_signature_table.c.id)
    # A new signature is pending or held: no public page shows it, so readers' copies stay.
    .execution_options(**{KEEPS_SNAPSHOTS: True})
)
_NEW_CHANGE = insert(_change_table).returning(_change_table.c.id)


def _differs(stored: Row[*tuple[Any, ...]], details: Details) -> bool:
    recorded = Details(
        stored.name, stored.country, stored.show_name, stored.language, stored.wants_updates
    )
    return recorded != details


def _sign(
    session: Session,
    petition: PublicPetition,
    email: str,
    details: Details,
    address: str | None,
    held_for: str | None,
    mail: bool,
) -> SignOutcome:
    # Read inside the transaction: the caller's petition may be a copy a second old.
    state = session.execute(_SIGNING_STATE, {"petition_id": petition.id}).one_or_none()
    if state is None or not is_open_at(state.hidden_at, state.closes_at):
        raise PetitionClosedError(petition)
    canonical = canonical_email(email)
    stored = session.execute(_EXISTING, {"petition_id": petition.id, "email": canonical}).first()
    if stored is None:
        # Quiet handling: a rule-breaker gets the same pages and mail, but is never counted.
        flag_reason = broken_rule(session, petition.id, state.blocks_disposable, email, address)
        flag_reason = flag_reason or held_for
        secret = new_link_secret()
        # The hot path of a surge: one Core INSERT instead of the ORM's unit of work, which
        # measured several times slower per signature. A concurrent twin fails here.
        signature_id = session.scalar(
            _NEW_SIGNATURE,
            {
                "petition_id": petition.id,
                "name": details.name,
                "email": email,
                "email_canonical": canonical,
                "country": details.country,
                "show_name": details.show_name,
                "language": details.language,
                "wants_updates": details.wants_updates,
                "link_secret": secret,
                "messages_sent": 1 if mail else 0,
                "client_hash": client_hash(address),
                "network_hash": network_hash(address),
                "flag_reason": flag_reason,
                "status": SignatureStatus.HELD if flag_reason else SignatureStatus.PENDING,
            },
        )
        if mail:
            owed = OwedMail(MailKind.CONFIRM, details.language, signature_id=signature_id)
            queue_message(session, owed)
        return SignOutcome.NEW
    # Nothing typed here changes what is stored: whoever submitted it may not own the mailbox.
    # The mail goes to the stored address only, in the language used now; new details wait in a
    # SignatureChange that only the link in that mail applies.
    capped = stored.messages_sent >= current_app.config["MAX_MESSAGES_PER_SIGNATURE"]
    sends = mail and not capped
    if stored.confirmed_at is not None:  # counted, or quietly not: the mail is the same
        outcome = SignOutcome.ALREADY_CONFIRMED
        owed = OwedMail(MailKind.ALREADY_SIGNED, details.language, signature_id=stored.id)
    else:
        outcome = SignOutcome.REMINDED
        change_id = None
        if sends and _differs(stored, details):
            change_id = session.scalar(
                _NEW_CHANGE,
                {
                    "signature_id": stored.id,
                    "name": details.name,
                    "country": details.country,
                    "show_name": details.show_name,
                    "language": details.language,
                    "wants_updates": details.wants_updates,
                    "created_at": utcnow(),
                },
            )
        owed = OwedMail(
            MailKind.CONFIRM, details.language, signature_id=stored.id, change_id=change_id
        )
    # Every branch runs the same statements, whether it sends or not: a faster answer would
    # tell a stranger that this address has signed, or signed many times.
    session.execute(_COUNT_MESSAGE, {"signature_id": stored.id, "sent": 1 if sends else 0})
    if sends:
        queue_message(session, owed)
    return SignOutcome.CAPPED if capped else outcome


def sign_petition(
    petition: PublicPetition,
    *,
    name: str,
    email: str,
    country: str | None = None,
    client_address: str | None = None,
    show_name: bool = False,
    flag_reason: str | None = None,
    language: str = "en",
    mail: bool = True,
    wants_updates: bool = False,
) -> SignOutcome:
    """Record a pending signature (or find the existing one) and owe its owner one email.

    The client address is only hashed (see clients.py); it is never stored. A flag_reason
    (the caller's own rule, such as a spent rate limit) holds a new signature quietly; an
    existing one keeps its status, so a real signer is never uncounted by someone else's flood.
    With mail=False (the client has spent its budget) nothing is queued: the form cannot be
    made to send mail. Every email to the signer is written in `language`, the one they use.
    """
    details = Details(name, country, show_name, language, wants_updates)
    for attempt in (1, 2):
        try:
            with write_transaction() as session:
                outcome = _sign(
                    session, petition, email, details, client_address, flag_reason, mail
                )
            break
        except IntegrityError:
            # Two submissions of one address raced; the second now finds the first.
            if attempt == 2:
                raise
    if mail and outcome is not SignOutcome.CAPPED:
        notify_delivery()
    return outcome


def _check_confirmable(signature: Signature) -> None:
    if not _confirmable(signature.created_at, signature.petition.closes_at):
        raise PetitionClosedError(signature.petition)


def _confirmable(created_at: datetime, closes_at: datetime | None) -> bool:
    grace = timedelta(seconds=current_app.config["CLOSED_CONFIRMATION_GRACE"])
    return closes_at is None or (created_at < closes_at and utcnow() <= closes_at + grace)


def _details(recorded: Signature | SignatureChange) -> Details:
    return Details(
        recorded.name,
        recorded.country,
        recorded.show_name,
        recorded.language,
        recorded.wants_updates,
    )


def _linked_signature(link: SignatureLink) -> Signature:
    signature = db.session.get(Signature, link.signature_id)
    if signature is None or not link.fits(
        signature.petition_id, signature.link_secret, signature.created_at
    ):
        raise tokens.InvalidTokenError("no such signature")  # or another one under its old id
    return signature


def _change(session: Session, link: SignatureLink) -> SignatureChange | None:
    """The details a link was sent with, if it was sent after a resubmission."""
    if link.change_id is None:
        return None
    change = session.get(SignatureChange, link.change_id)
    if change is None or change.signature_id != link.signature_id:
        raise tokens.InvalidTokenError("no such change")
    return change


@dataclass(frozen=True)
class ConfirmationPreview:
    """What pressing Confirm will record, shown before the button; or that it is done."""

    petition: Petition
    confirmed: bool
    details: Details
    # The signer's receipt once confirmed (None before, and after retention forgot it).
    receipt: str | None = None


def load_confirmation(token: str) -> ConfirmationPreview:
    """The signature a confirmation link is for, if it can still be confirmed. Changes nothing."""
    link = read_confirmation_link(token)
    signature = _linked_signature(link)
    if signature.confirmed_at is not None:
        return ConfirmationPreview(signature.petition, True, _details(signature), signature.receipt)
    _check_confirmable(signature)
    change = _change(db.session(), link)
    return ConfirmationPreview(signature.petition, False, _details(change or signature))


@dataclass(frozen=True)
class Confirmation:
    """A signature as confirming left it: counted, or (held quietly) only looking so."""

    id: int
    petition_id: int
    petition_slug: str
    status: str
    confirmed_at: datetime
    # What the signer keeps to find their entry in the petition's log (see petition/transparency).
    receipt: str | None
    already: bool = False  # confirmed before this request
    mail_owed: bool = False  # it queued mail (the organisers' goal email): wake the deliverer


_signatures = _signature_table.c
_petitions = _petition_table.c
# Built once: confirming is a hot path in a surge, and making a statement costs more than running
# it. Core statements, not the ORM's unit of work, for the same reason.
_TO_CONFIRM = (
    select(
        _signatures.petition_id,
        _petitions.slug,
        _signatures.status,
        _signatures.created_at,
        _signatures.confirmed_at,
        _petitions.closes_at,
        _signatures.link_secret,
        _signatures.receipt,
    )
    .join_from(_signature_table, _petition_table)
    .where(_signatures.id == bindparam("signature_id"))
    # Locked, so a bulk invalidation or its reversal waits for us or we for it.
    .with_for_update(of=_signature_table)
)
_MARK_CONFIRMED = (
    update(_signature_table)
    .where(_signatures.id == bindparam("signature_id"))
    .values(
        confirmed_at=bindparam("now"),
        receipt=bindparam("receipt"),
        commitment=bindparam("commitment"),
        log_index=bindparam("log_index"),
    )
)
_COUNT_CONFIRMED = (
    update(_signature_table)
    .where(
        _signatures.id == bindparam("signature_id"),
        _signatures.status == SignatureStatus.PENDING,
    )
    .values(
        status=SignatureStatus.CONFIRMED,
        confirmed_at=bindparam("now"),
        receipt=bindparam("receipt"),
        commitment=bindparam("commitment"),
        log_index=bindparam("log_index"),
    )
)
_changes = _change_table.c
_FORGET_CHANGES = delete(_change_table).where(_changes.signature_id == bindparam("signature_id"))


def _apply_change(session: Session, link: SignatureLink) -> None:
    """Record the details the link was sent with: the mailbox owner has now confirmed them."""
    change = _change(session, link)
    if change is not None:
        details = _details(change)
        session.execute(
            update(_signature_table)
            .where(_signatures.id == link.signature_id)
            .values(
                name=details.name,
                country=details.country,
                show_name=details.show_name,
                language=details.language,
                wants_updates=details.wants_updates,
            )
        )


def confirm_signature(token: str) -> Confirmation:
    """Count the signature once, however often the link is used, and log it with a new receipt.

    A held signature is logged as added and at once excluded: its receipt works like any other,
    and the log's total still equals the count.
    """
    link = read_confirmation_link(token)
    signature_id = link.signature_id
    with write_transaction() as session:
        row = lock_for_confirming(session, signature_id)
        if row is None or not link.fits(row.petition_id, row.link_secret, row.created_at):
            raise tokens.InvalidTokenError("no such signature")  # or another one under its old id
        confirmation = record_confirmation(session, signature_id, row, link)
    if confirmation.mail_owed:
        notify_delivery()
    return confirmation


class ToConfirm(NamedTuple):
    """What confirming reads of a signature and its petition (the columns of _TO_CONFIRM)."""

    petition_id: int
    slug: str
    status: str
    created_at: datetime
    confirmed_at: datetime | None
    closes_at: datetime | None
    link_secret: str
    receipt: str | None


def lock_for_confirming(session: Session, signature_id: int) -> ToConfirm | None:
    """The signature's state that confirming reads, its row locked until the transaction ends."""
    row = session.execute(_TO_CONFIRM, {"signature_id": signature_id}).one_or_none()
    return None if row is None else ToConfirm(*row)


def record_confirmation(
    session: Session, signature_id: int, row: ToConfirm, link: SignatureLink | None
) -> Confirmation:
    """Confirm a locked signature whose proof (a link, a code) the caller has checked.

    The one place confirming happens: counted once, logged with a new receipt, held ones logged
    and excluded, late ones refused. A link's proposed details are recorded with it; without a
    link (a typed code) the stored details stand.
    """
    petition_id, slug, status = row.petition_id, row.slug, row.status
    confirmed_at, receipt = row.confirmed_at, row.receipt
    if confirmed_at is not None:
        return Confirmation(
            signature_id, petition_id, slug, status, confirmed_at, receipt, already=True
        )
    if not _confirmable(row.created_at, row.closes_at):
        raise PetitionClosedError(session.get_one(Petition, petition_id))
    if link is not None:
        _apply_change(session, link)
    # Other details that waited for this mailbox are void once it has confirmed.
    session.execute(_FORGET_CHANGES, {"signature_id": signature_id})
    now = utcnow()
    receipt = new_receipt()
    commitment = commitment_of(receipt)
    logged = {"signature_id": signature_id, "now": now, "receipt": receipt}
    logged |= {"commitment": commitment}
    if status == SignatureStatus.HELD:  # held: looks confirmed to its signer
        add = hold(session, petition_id, commitment)
        # Reversing the flag would count it from here, with a new add of this commitment.
        session.execute(_MARK_CONFIRMED, logged | {"log_index": add})
        return Confirmation(signature_id, petition_id, slug, status, now, receipt)
    # Locked above, so a pending one counts now: its add and the count, in one statement.
    add, counted = count_in(session, petition_id, commitment)
    if not rows_changed(session.execute(_COUNT_CONFIRMED, logged | {"log_index": add})):
        raise RuntimeError(f"signature {signature_id} is {status}, not pending")
    return Confirmation(
        signature_id,
        petition_id,
        slug,
        SignatureStatus.CONFIRMED,
        now,
        receipt,
        mail_owed=owe_goal_mail(session, counted),
    )


def petition_of_expired_token(error: tokens.ExpiredTokenError) -> Petition | None:
    """The petition an expired confirmation link was for, to offer signing again."""
    petition_id = petition_id_of_expired(error)
    return db.session.get(Petition, petition_id) if petition_id is not None else None
