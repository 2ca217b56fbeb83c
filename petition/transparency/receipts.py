"""A signer's receipt: a random code shown once confirmed, whose hash is their add in the log.

Only its SHA-256 (the commitment) is in the log, so an entry says nothing about who signed; the
receipt lets its holder find their own entry and see whether it counts.
"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.models import LogCheckpoint, LogEntry
from petition.transparency.checkpoints import latest_checkpoint

_RECEIPT = re.compile(r"[a-z2-7]{32}")


def new_receipt() -> str:
    """160 random bits as 32 lowercase base32 characters (no padding)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


def normalise_receipt(typed: str) -> str | None:
    """A receipt as typed (any case, spaces, dashes) in its stored form; None if it is not one."""
    receipt = typed.lower().replace(" ", "").replace("-", "")
    return receipt if _RECEIPT.fullmatch(receipt) else None


def shown_receipt(receipt: str) -> str:
    """A receipt as people read it: groups of four joined by dashes."""
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def commitment_of(receipt: str) -> str:
    """What the log holds of a receipt: lowercase hex SHA-256 of its normalised form."""
    return hashlib.sha256(receipt.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReceiptStatus:
    """Where a receipt's signature stands in the log, as the log itself says."""

    index: int  # the position of its latest add
    counted: bool
    excluded_reason: str | None  # "withdrawn", "held" or "invalidated" when not counted
    checkpoint: LogCheckpoint | None  # the newest checkpoint, once one includes the add


def receipt_status(petition_id: int, receipt_text: str) -> ReceiptStatus | None:
    """What the petition's log says of this receipt; None if it names no add in the log."""
    receipt = normalise_receipt(receipt_text)
    if receipt is None:
        return None
    session: Session = db.session()
    add = session.scalar(
        select(LogEntry.position)
        .where(
            LogEntry.petition_id == petition_id,
            LogEntry.commitment == commitment_of(receipt),
            LogEntry.kind == "add",
        )
        .order_by(LogEntry.position.desc())
        .limit(1)
    )
    if add is None:
        return None
    reason = session.scalar(
        select(LogEntry.reason).where(
            LogEntry.petition_id == petition_id,
            LogEntry.refers_to == add,
            LogEntry.kind == "exclude",
        )
    )
    latest = latest_checkpoint(session, petition_id)
    included = latest if latest is not None and latest.size > add else None
    return ReceiptStatus(add, reason is None, reason, included)
