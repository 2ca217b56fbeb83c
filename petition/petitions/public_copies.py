"""A short-lived copy of each petition's public face in each process, so a surge of readers skips the database.

Pages and the JSON count already tell browsers and caches to reuse them for PAGE_CACHE_MAX_AGE
seconds, so a count PUBLIC_SNAPSHOT_SECONDS old is within what the caching design accepts. A write
to petitions, their texts, signatures or milestones committed by this process drops its copies at
once, so a process always reads its own writes; other processes see them when their copies run out.
"""

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, cast
from weakref import WeakKeyDictionary, WeakSet

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import UpdateBase

from petition.extensions import db
from petition.models import Petition, SupportMessage, SupportState, is_open_at
from petition.petitions.letter_rows import LetterRow, letter_data, letter_rows
from petition.petitions.listing import petition_facts
from petition.petitions.public_signers import SignerRow, signer_rows
from petition.petitions.timeline import MilestoneRow, milestone_data, timeline_rows
from petition.petitions.versions import in_language
from petition.transactions import listen_once

# Writes to these tables can change what a petition's public pages show.
_PUBLIC_TABLES = frozenset({"petitions", "petition_texts", "signatures", "petition_milestones"})
# Deciding on a message of support changes the page; a new, pending one does not (KEEPS_SNAPSHOTS).
_PUBLIC_TABLES |= {"support_messages"}
# Letter actions: their titles, targets and letters-sent counts are on the page and in the JSON.
_PUBLIC_TABLES |= {"letter_actions", "letter_targets"}
# Execution option of a write that cannot change a public page (a new signature is never counted
# or listed before it is confirmed), so a surge of signing keeps every process's copies.
KEEPS_SNAPSHOTS = "petition_keeps_snapshots"
_petitions = Petition.__table__.c
# Built once: making a statement costs more than running it.
_VISIBLE_BY_SLUG = select(
    _petitions.id,
    _petitions.slug,
    _petitions.title,
    _petitions.target,
    _petitions.body,
    _petitions.goal,
    _petitions.collects_country,
    _petitions.created_at,
    _petitions.closes_at,
    _petitions.signature_count,
    _petitions.language,
    _petitions.paper_signature_count,
).where(_petitions.slug == bindparam("slug"), _petitions.hidden_at.is_(None))


@dataclass(eq=False)
class PetitionSnapshot:
    """What anyone may see of a visible petition, as read at one moment."""

    id: int
    slug: str
    title: str
    target: str | None
    body: str
    goal: int | None
    collects_country: bool
    created_at: datetime
    closes_at: datetime | None
    signature_count: int
    language: str  # the original's; versions in other languages are read per language
    paper_signature_count: int  # counted by the organisers, never verified: shown apart
    expires: float = 0.0
    # Pages rendered from this copy, by whatever else changes them (see pages.py).
    pages: dict[tuple[str, ...], str] = field(default_factory=dict)
    # The JSON body by the language its address asks for (None: the original).
    json_bodies: dict[str | None, bytes] = field(default_factory=dict)

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether the petition still accepts new signatures (a hidden one is never copied)."""
        return is_open_at(None, self.closes_at, now)

    @cached_property
    def signers(self) -> list[SignerRow]:
        """The listed signers, read once per copy and only when a page needs them."""
        return signer_rows(self.id)

    @cached_property
    def milestones(self) -> list[MilestoneRow]:
        """The public timeline, read once per copy."""
        return timeline_rows(self.id)

    @cached_property
    def letters(self) -> list[LetterRow]:
        """The letter actions and their counts, read once per copy."""
        return letter_rows(self.id)

    def json_body(self, language: str | None) -> bytes:
        """The public JSON count in this language, serialised once per copy."""
        body = self.json_bodies.get(language)
        if body is None:
            body = self.json_bodies[language] = _json_body(self, language)
        return body


def _json_body(snapshot: PetitionSnapshot, language: str | None) -> bytes:
    shown = in_language(snapshot, language)
    document: dict[str, Any] = petition_facts(shown) | {
        "open": shown.is_open(),
        "milestones": [milestone_data(row) for row in snapshot.milestones],
        "support_message_count": approved_support_count(snapshot.id),
    }
    document["letter_actions"] = [
        letter_data(row, shown.slug, language) for row in snapshot.letters
    ]
    # As jsonify writes it: sorted keys, compact, ASCII, a final newline.
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode() + b"\n"


_copies: WeakKeyDictionary[Engine, dict[str, PetitionSnapshot]] = WeakKeyDictionary()
# Connections whose open transaction wrote something a public page shows. Kept here, not in the
# connection's info, which a connection the database cut can no longer reach on its rollback.
_changed: WeakSet[Connection] = WeakSet()


def public_snapshot(slug: str, *, keep: bool = True) -> PetitionSnapshot | None:
    """The petition at this address as anyone may see it, unless it is hidden or unknown.

    keep=False reads afresh (unless a copy is at hand) without keeping what it read: right after
    this process wrote, a kept copy would hide from its next readers what other processes
    commit in the following second.
    """
    copies = _copies.setdefault(db.engine, {})
    now = time.monotonic()
    snapshot = copies.get(slug)
    if snapshot is not None and now < snapshot.expires:
        return snapshot
    row = db.session.execute(_VISIBLE_BY_SLUG, {"slug": slug}).one_or_none()
    if row is None:
        copies.pop(slug, None)  # unknown slugs are not kept: anyone can make up any number
        return None
    snapshot = PetitionSnapshot(*cast(tuple[Any, ...], row))  # more columns than select() types
    seconds = float(current_app.config["PUBLIC_SNAPSHOT_SECONDS"])
    if keep and seconds > 0:
        snapshot.expires = now + seconds
        copies[slug] = snapshot
    return snapshot


def _note_public_write(
    conn: Connection, statement: Any, _multi: Any, _params: Any, options: Any
) -> None:
    if (
        isinstance(statement, UpdateBase)
        and getattr(statement, "table", None) is not None
        and getattr(statement.table, "name", None) in _PUBLIC_TABLES
        and not statement.get_execution_options().get(KEEPS_SNAPSHOTS, options.get(KEEPS_SNAPSHOTS))
    ):
        _changed.add(conn)


def forget_public_copies() -> None:
    """Drop every copy this process keeps, of every app: two apps of one process may share a
    database. Commits that change what a copy shows call it; so may whoever replaced the
    database under a running app (a restored backup, a test's fresh tables)."""
    _copies.clear()


def _forget_after_commit(conn: Connection) -> None:
    if conn in _changed:
        _changed.discard(conn)
        forget_public_copies()


def _keep_after_rollback(conn: Connection) -> None:
    _changed.discard(conn)


def listen_for_public_copy_changes(engine: Engine) -> None:
    """Drop this process's public copies when a write to what they show commits on the engine."""
    listen_once(
        engine,
        {
            "before_execute": _note_public_write,
            "commit": _forget_after_commit,
            "rollback": _keep_after_rollback,
        },
    )


def approved_support_count(petition_id: int) -> int:
    """How many messages of support the petition's page shows (approved by its organisers)."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(SupportMessage)
            .where(
                SupportMessage.petition_id == petition_id,
                SupportMessage.state == SupportState.APPROVED,
            )
        )
        or 0
    )
