"""The tables: organisers, petitions and their other languages, signatures, the mail outbox."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    false,
    or_,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from petition.extensions import Base, db

if TYPE_CHECKING:
    # What a checker can read: Flask-SQLAlchemy builds db.Model from Base at run time.
    Model = Base
else:
    Model = db.Model


# A count that strangers' actions (or an organiser's repeated ones) raise: BIGINT, since INTEGER
# stops at 2,147,483,647 on PostgreSQL and a count past it fails every further change. SQLite's
# INTEGER already holds 64 bits, so its tables stay as they were.
BIG_COUNT = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def is_open_at(
    hidden_at: datetime | None, closes_at: datetime | None, now: datetime | None = None
) -> bool:
    """The one rule for whether a petition takes signatures: not hidden, not past its closing.

    Petition.open_clause says the same in SQL; everything else asks one of the two.
    """
    return hidden_at is None and (closes_at is None or (now or utcnow()) < closes_at)


def new_link_secret() -> str:
    """128 random bits, hex: the per-signature secret its emailed links carry."""
    return secrets.token_hex(16)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


memberships = Table(
    "memberships",
    db.metadata,
    Column("petition_id", ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True),
    Column("organiser_id", ForeignKey("organisers.id", ondelete="CASCADE"), primary_key=True),
)


class Organiser(UserMixin, Model):
    """A campaigner who can see and export the signatures of their petitions."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every login's session; raising it (logout, a new password) ends all of them at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    petitions: Mapped[list[Petition]] = relationship(
        secondary=memberships, back_populates="organisers", order_by="Petition.id"
    )

    def get_id(self) -> str:
        """What a login keeps in its session: the account and the session version it began under."""
        return f"{self.id}:{self.session_version}"


class Petition(Model):
    """A public appeal that people sign."""

    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    target: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    goal: Mapped[int | None] = mapped_column(Integer)
    collects_country: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Verified signatures, kept in step with confirmations so a page never counts rows. It is
    # also its log's counted total: petition/transparency/tally.py alone moves it, with log_size.
    signature_count: Mapped[int] = mapped_column(BIG_COUNT, default=0)
    # Set when an organiser hides the petition: it leaves the public pages but keeps its data.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The organiser's switch: signatures from throwaway mail domains are quietly not counted.
    blocks_disposable: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language its title and text are written in; versions in others are PetitionTexts.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Its auditable log (see petition/transparency): entries so far (they add up to signature_count), and
    # when the newest checkpoint was signed. Taking an index raises log_size under the row's
    # lock, so two confirmations never take the same one.
    log_size: Mapped[int] = mapped_column(BIG_COUNT, default=0, server_default="0")
    log_checkpoint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Signatures collected offline (on paper), as the organisers counted them: the sum of its
    # PaperBatches. Shown apart; never part of signature_count, its exports or its log.
    paper_signature_count: Mapped[int] = mapped_column(BIG_COUNT, default=0, server_default="0")
    # The highest quarter of the goal (25, 50, 75, 100) its organisers were emailed about, so
    # that each is told once even when the count falls back and passes it again.
    goal_notified: Mapped[int] = mapped_column(default=0, server_default="0")

    organisers: Mapped[list[Organiser]] = relationship(
        secondary=memberships, back_populates="petitions"
    )

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether the petition still accepts new signatures."""
        return is_open_at(self.hidden_at, self.closes_at, now)

    @classmethod
    def open_clause(cls, now: datetime) -> ColumnElement[bool]:
        """The same rule as is_open_at, as SQL: not hidden, and not past its closing moment."""
        return and_(cls.hidden_at.is_(None), or_(cls.closes_at.is_(None), cls.closes_at > now))


class PublicPetition(Protocol):
    """What pages and emails read of a petition: a stored Petition, or a public copy of one
    (petitions.public_copies.PetitionSnapshot) that a surge is served from."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def target(self) -> str | None: ...
    @property
    def body(self) -> str: ...
    @property
    def goal(self) -> int | None: ...
    @property
    def collects_country(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def closes_at(self) -> datetime | None: ...
    @property
    def signature_count(self) -> int: ...
    @property
    def language(self) -> str: ...
    @property
    def paper_signature_count(self) -> int: ...

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether it still accepts new signatures."""
        ...


class PetitionText(Model):
    """A petition's title and text in another language than the one it was written in."""

    __tablename__ = "petition_texts"
    __table_args__ = (
        UniqueConstraint("petition_id", "language", name="uq_petition_texts_petition_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Whom the petition addresses, in this language; None: the original's, as it is written.
    target: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SignatureStatus(enum.StrEnum):
    """Where a signature stands in the double opt-in."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    # Held: broke a rule or was invalidated by an organiser; looks normal to its signer, never
    # counts or exports (confirmed_at still says whether it was confirmed, so reversing knows where
    # it returns). Stored as "fraudulent" before migration 0019.
    HELD = "held"


class Signature(Model):
    """One person's signature on one petition, counted once its email is confirmed."""

    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint("petition_id", "email_canonical", name="uq_signatures_petition_email"),
        Index("ix_signatures_petition_status", "petition_id", "status", "id"),
        # An id is never handed out twice, even after the highest row is deleted (withdrawn).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # The address folded so that one mailbox signs once (see addresses.canonical_email).
    email_canonical: Mapped[str] = mapped_column(String(254))
    country: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default=SignatureStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    messages_sent: Mapped[int] = mapped_column(default=0)
    # Keyed hashes of the client address and its network (see clients.py); never the address.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    network_hash: Mapped[str | None] = mapped_column(String(64))
    # Why the signature is held: a rule's name, or the bulk invalidation that marked it.
    flag_reason: Mapped[str | None] = mapped_column(String(40))
    invalidation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invalidations.id", ondelete="SET NULL", name="fk_signatures_invalidation_id"),
        index=True,
    )
    # The signer agreed to have their first name (and country) listed on the petition page.
    show_name: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language the signer signed in (see languages.py); every email to them is written in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Random, and only ever in the links emailed to the signer: a link acts on this signature
    # alone, whatever its id (see signature_links.py).
    link_secret: Mapped[str] = mapped_column(String(32), default=new_link_secret)
    # Made when it is confirmed and shown to the signer only: the log holds its SHA-256 (the
    # commitment), which stays when retention forgets the receipt. log_index is its current add.
    receipt: Mapped[str | None] = mapped_column(String(32))
    commitment: Mapped[str | None] = mapped_column(String(64))
    log_index: Mapped[int | None] = mapped_column(Integer)
    # The signer ticked "Email me what happens with this petition"; unsubscribing, withdrawal
    # and anonymisation end it.
    wants_updates: Mapped[bool] = mapped_column(default=False, server_default=false())

    petition: Mapped[Petition] = relationship()


class SignatureChange(Model):
    """Details a second submission asked for, kept apart until the mailbox owner confirms them.

    A stranger who knows an address can submit the form with it; what they typed changes
    nothing stored about the signature until the link sent with these details, to the
    signature's own address, is pressed.
    """

    __tablename__ = "signature_changes"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    show_name: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    wants_updates: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invalidation(Model):
    """An organiser's bulk marking of signatures as fraudulent: who, why, how many; reversible."""

    __tablename__ = "invalidations"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    # Which signatures: the Criteria fields that were given (times as ISO 8601, UTC).
    criteria_values: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    # Criteria recorded as words before they were kept as values, where no value could be read.
    criteria: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(String(500))
    count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )

    organiser: Mapped[Organiser | None] = relationship(foreign_keys=[organiser_id])
    reversed_by: Mapped[Organiser | None] = relationship(foreign_keys=[reversed_by_id])


class AccessRule(Model):
    """A blocked or allowed email domain (wildcards), address or client network (CIDR).

    Without a petition it applies site-wide. Block wins over allow; allow exempts from the
    disposable-domain list.
    """

    __tablename__ = "access_rules"
    __table_args__ = (
        UniqueConstraint("petition_id", "kind", "pattern", "effect", name="uq_access_rules_rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int | None] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "domain", "address" or "network"
    pattern: Mapped[str] = mapped_column(String(254))
    effect: Mapped[str] = mapped_column(String(8))  # "block" or "allow"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxState(enum.StrEnum):
    """Where a queued message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class MailKind(enum.StrEnum):
    """What an outbox row owes; the deliverer composes the message from it just before sending."""

    CONFIRM = "confirm"
    ALREADY_SIGNED = "already-signed"
    INVITATION = "invitation"
    UPDATE = "update"  # an organiser's update to opted-in signers (or its test send to them)
    GOAL_PASSED = "goal-passed"  # to an organiser: the petition passed a quarter of its goal
    PASSWORD_RESET = "password-reset"  # to an organiser who asked: a link to choose a new password


class MailPriority(enum.IntEnum):
    """Which due mail goes first: a signer waiting for a confirmation never waits behind bulk."""

    TRANSACTIONAL = 0
    BULK = 1


class OutboxMessage(Model):
    """A message owed by a change, written in the same transaction, composed and sent afterwards.

    A row says what to send (kind, the signature or invitation it is about, the language), not
    the text: rows at rest hold no names and no link secrets. Rows queued before mail was
    composed at delivery have no kind and carry their composed text instead.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_priority_due", "state", "priority", "next_attempt_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    # The signature the message is about: withdrawing it deletes every message it caused.
    signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE", name="fk_outbox_signature_id"),
        index=True,
    )
    # The details a resubmission proposed, which the confirmation link applies (SignatureChange).
    change_id: Mapped[int | None] = mapped_column()
    # An invitation withdrawn before its mail left takes the mail with it.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE", name="fk_outbox_invitation_id"),
        index=True,
    )
    # An organiser's update (MailKind.UPDATE); sent to signature_id, or to organiser_id as a test.
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("petition_updates.id", ondelete="CASCADE", name="fk_outbox_update_id"),
        index=True,
    )
    # Mail to an organiser rather than a signer (a test update, a goal passed).
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE", name="fk_outbox_organiser_id"),
        index=True,
    )
    # The petition mail to an organiser is about (GOAL_PASSED): deleting it takes the mail too.
    petition_id: Mapped[int | None] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE", name="fk_outbox_petition_id"),
        index=True,
    )
    # A number the message is about: the percentage of the goal passed (GOAL_PASSED).
    figure: Mapped[int | None] = mapped_column(Integer)
    # A MailPriority: the deliverer claims lower numbers first.
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    # Composed text: only on rows queued before mail was composed at delivery.
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(255))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker's claim: no other worker takes the message until claimed_until has passed.
    claim_id: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class EventAction(enum.StrEnum):
    """What an organiser (or an operator) can do to a petition that its history records."""

    CREATED = "created"
    CLOSED = "closed"
    REOPENED = "reopened"
    HIDDEN = "hidden"
    SHOWN = "shown"
    EDITED = "edited"
    INVITED = "invited"
    JOINED = "joined"
    INVITATION_WITHDRAWN = "invitation withdrawn"
    REMOVED = "removed"
    LEFT = "left"
    RESENT = "resent"
    REINSTATED = "reinstated"
    EXPORT = "export"
    VERSION_ADDED = "version added"
    VERSION_CHANGED = "version changed"
    VERSION_REMOVED = "version removed"
    UPDATE_SENT = "update sent"
    MILESTONE_RECORDED = "milestone recorded"
    MILESTONE_REMOVED = "milestone removed"
    PAPER_RECORDED = "paper recorded"
    PAPER_REMOVED = "paper removed"
    LETTER_ADDED = "letter added"
    LETTER_CHANGED = "letter changed"
    LETTER_REMOVED = "letter removed"
    TARGETS_IMPORTED = "targets imported"
    TARGET_ADDED = "target added"
    TARGET_REMOVED = "target removed"
    MESSAGES_APPROVED = "messages approved"
    MESSAGES_REJECTED = "messages rejected"


class PetitionEvent(Model):
    """Something an organiser (or an operator, when organiser_id is empty) did to a petition."""

    __tablename__ = "petition_events"
    __table_args__ = (Index("ix_petition_events_petition", "petition_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    # An EventAction; a string column, so that a row of an action no longer named still reads.
    action: Mapped[str] = mapped_column(String(32))
    # What the action was done with (addresses, fields, formats, counts), rendered when read.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # Free text of rows recorded before values existed, in a form no renderer knows; else empty.
    detail: Mapped[str] = mapped_column(String(500), default="")
    # Rows written, for exports; kept apart from the wording so the dashboard can sum them.
    rows: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organiser: Mapped[Organiser | None] = relationship()


class AccountAction(enum.StrEnum):
    """What happened to an organiser's account that its own history records."""

    RESET_REQUESTED = "reset requested"
    PASSWORD_RESET = "password reset"
    PASSWORD_CHANGED = "password changed"


class AccountEvent(Model):
    """Something that happened to one organiser's account; no client address is kept."""

    __tablename__ = "account_events"
    __table_args__ = (Index("ix_account_events_organiser", "organiser_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"))
    # An AccountAction; a string column, so that a row of an action no longer named still reads.
    action: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Model):
    """An emailed offer to help run one petition, for one address; it can be used once."""

    __tablename__ = "invitations"
    # No id is ever handed out twice, so a link to a deleted invitation never reaches a new one.
    __table_args__ = (
        Index("ix_invitations_petition", "petition_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id", ondelete="SET NULL"))
    # Only the emailed link carries it: an invitation's id alone opens nothing.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    petition: Mapped[Petition] = relationship()
    inviter: Mapped[Organiser | None] = relationship()


class LoginFailures(Model):
    """Wrong passwords in a row for one login address typed from one client, known or not."""

    __tablename__ = "login_failures"

    # A keyed hash of the typed address and the client's address (see clients.attempt_hash).
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LogEntry(Model):
    """One entry of a petition's auditable log: a signature starts to count (add) or stops (exclude).

    `leaf` is the exact bytes that were hashed; the other columns repeat what it says, for queries.
    """

    __tablename__ = "log_entries"
    __table_args__ = (
        PrimaryKeyConstraint("petition_id", "position", name="pk_log_entries"),
        Index("ix_log_entries_commitment", "petition_id", "commitment"),
        Index("ix_log_entries_refers_to", "petition_id", "refers_to"),
    )

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    # Its index in the log, from 0.
    position: Mapped[int] = mapped_column(Integer, autoincrement=False)
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    kind: Mapped[str] = mapped_column(String(8))  # "add" or "exclude"
    commitment: Mapped[str | None] = mapped_column(String(64))  # adds
    refers_to: Mapped[int | None] = mapped_column(Integer)  # excludes: the add they cancel
    reason: Mapped[str | None] = mapped_column(String(16))  # excludes
    # The counted total of the log up to and including this entry.
    counted: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LogNode(Model):
    """The hash of a perfect subtree of a log above its leaves: 2**level entries from position."""

    __tablename__ = "log_nodes"
    __table_args__ = (
        PrimaryKeyConstraint("petition_id", "level", "position", name="pk_log_nodes"),
    )

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer, autoincrement=False)
    # Which subtree of its level: it covers entries position * 2**level and on.
    position: Mapped[int] = mapped_column(Integer, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCheckpoint(Model):
    """A signed statement of a log's size, root hash and counted total at one moment."""

    __tablename__ = "log_checkpoints"
    __table_args__ = (
        UniqueConstraint("petition_id", "size", name="uq_log_checkpoints_petition_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    size: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The whole signed note, as served.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PetitionUpdate(Model):
    """News an organiser emails to the signers who asked for it: drafted, previewed, then sent once.

    Written in the petition's own language (subject, body: Markdown), with versions in its other
    languages in `translations` ({language: {"subject": ..., "body": ...}}); each signer gets the
    version in the language they signed in, else the original.
    """

    __tablename__ = "petition_updates"
    __table_args__ = (Index("ix_petition_updates_petition", "petition_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    translations: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    # The milestone it announces, when it was sent from one.
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("petition_milestones.id", ondelete="SET NULL", name="fk_updates_milestone_id")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Empty while a draft; set when it was queued for its recipients, with how many there were.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int | None] = mapped_column(Integer)

    organiser: Mapped[Organiser | None] = relationship()


class MilestoneKind(enum.StrEnum):
    """What happened after the signing, as the organisers record it."""

    DELIVERED = "delivered"
    ANSWERED = "answered"
    NOTE = "note"


class PetitionMilestone(Model):
    """One step of a petition's public timeline: delivered, answered, or a note."""

    __tablename__ = "petition_milestones"
    __table_args__ = (Index("ix_petition_milestones_petition", "petition_id", "happened_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))  # a MilestoneKind
    happened_on: Mapped[date] = mapped_column(Date)
    # Delivered: to whom, how, and the reference number the recipient gave.
    recipient: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100))
    # Answered: the answer's text; a note: the note. Either may link to more.
    text: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organiser: Mapped[Organiser | None] = relationship()


class PaperBatch(Model):
    """Signatures collected offline that the organisers counted: never verified, shown apart."""

    __tablename__ = "paper_batches"
    __table_args__ = (Index("ix_paper_batches_petition", "petition_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    count: Mapped[int] = mapped_column(Integer)
    collected_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organiser: Mapped[Organiser | None] = relationship()


class LetterAction(Model):
    """A letter supporters send from their own mail (or post) to the petition's targets.

    The server sends nothing to targets and keeps nothing about who opened which letter: only an
    anonymous count of supporters who said they sent it. Written in the petition's own language
    (subject, body), with versions in its other languages in `translations`
    ({language: {"subject": ..., "body": ...}}).
    """

    __tablename__ = "letter_actions"
    __table_args__ = (Index("ix_letter_actions_petition", "petition_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    # What the action is called on the petition page ("Write to the Kazakhstan embassy").
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    translations: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    # Addresses every letter is copied to (the campaign's own, say): a list of strings.
    copies: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Supporters who pressed "I sent it": a count, nothing about who.
    letters_sent: Mapped[int] = mapped_column(BIG_COUNT, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    targets: Mapped[list[LetterTarget]] = relationship(
        back_populates="action", order_by="LetterTarget.id", cascade="all, delete-orphan"
    )


class LetterTarget(Model):
    """Someone a letter is addressed to: for supporters of one country, or (no country) everyone."""

    __tablename__ = "letter_targets"
    __table_args__ = (Index("ix_letter_targets_action_country", "action_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("letter_actions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(String(1000))
    phone: Mapped[str | None] = mapped_column(String(100))
    # How their letter opens ("Уважаемый господин посол,"); empty: a neutral greeting.
    salutation: Mapped[str | None] = mapped_column(String(200))
    # ISO 3166 alpha-2: the target for supporters in that country; empty: a fixed target.
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[LetterAction] = relationship(back_populates="targets")


class SupportState(enum.StrEnum):
    """Where a message of support stands in the organisers' moderation."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SupportMessage(Model):
    """A short message of support for the people the campaign supports, shown once approved."""

    __tablename__ = "support_messages"
    __table_args__ = (
        Index("ix_support_messages_petition_state", "petition_id", "state", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(1000))
    # Optional, as the writer gave them: a first name and a city.
    name: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    # The language it was written in (see languages.py), for the page's lang attribute.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    state: Mapped[str] = mapped_column(String(16), default=SupportState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )


def table_of(model: type[Model]) -> Table:
    """A model's table, for Core statements (the ORM types __table__ as a mere FromClause)."""
    return cast(Table, model.__table__)
