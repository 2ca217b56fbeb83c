"""Which function writes each kind of mail, what runs when a petition closes, what listens to the
database: one table each, handed to the app by create_app through wire_app.

The deliverer finds a kind's composer here: deliver_due → compose (mail/outbox.py) →
composers(), the table MAIL_COMPOSERS below registered with register_composers.
"""

from flask import Flask

from petition.extensions import db
from petition.mail.outbox import Composer, register_composers
from petition.models import MailKind
from petition.organisers.goal_mail import goal_passed_email
from petition.organisers.invitations import invitation_email
from petition.organisers.password_reset import password_reset_email
from petition.petitions.editing import ClosingHook, register_closing_hooks
from petition.petitions.public_copies import listen_for_public_copy_changes
from petition.signing.messages import already_signed_email, confirmation_email
from petition.transactions import tune_engine
from petition.transparency.checkpoints import checkpoint_at_close
from petition.updates.messages import update_email

# The function that writes each kind of owed mail just before it is sent.
MAIL_COMPOSERS: tuple[tuple[MailKind, Composer], ...] = (
    (MailKind.CONFIRM, confirmation_email),
    (MailKind.ALREADY_SIGNED, already_signed_email),
    (MailKind.UPDATE, update_email),
    (MailKind.GOAL_PASSED, goal_passed_email),
    (MailKind.INVITATION, invitation_email),
    (MailKind.PASSWORD_RESET, password_reset_email),
)

# What runs in the transaction that closes a petition, in this order.
CLOSING_HOOKS: tuple[ClosingHook, ...] = (
    checkpoint_at_close,  # the log signs the final count at once
)


def composer_table() -> dict[MailKind, Composer]:
    """MAIL_COMPOSERS as a table; a kind named twice is a mistake, not a choice."""
    table: dict[MailKind, Composer] = {}
    for kind, composer in MAIL_COMPOSERS:
        if kind in table:
            raise RuntimeError(f"two composers for mail of kind {kind!r}")
        table[kind] = composer
    return table


def wire_app(app: Flask) -> None:
    """Hand the app its composers and closing hooks, and listen to its database engines."""
    register_composers(app, composer_table())
    register_closing_hooks(app, CLOSING_HOOKS)
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        tune_engine(engine)
        listen_for_public_copy_changes(engine)
