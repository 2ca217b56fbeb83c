"""An organiser's own history: what happened to their account, kept as data, newest first."""

from collections.abc import Sequence

from flask_babel import gettext
from sqlalchemy import ColumnElement, String, insert, literal, select
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.i18n.languages import N_
from petition.models import (
    AccountAction,
    AccountEvent,
    Organiser,
    UTCDateTime,
    table_of,
    utcnow,
)

ACCOUNT_HISTORY_LENGTH = 10
# What each recorded action is called on the account page.
ACCOUNT_ACTIONS: dict[str, str] = {
    AccountAction.RESET_REQUESTED: N_("A link to reset the password was asked for"),
    AccountAction.PASSWORD_RESET: N_("The password was reset with an emailed link"),
    AccountAction.PASSWORD_CHANGED: N_("The password was changed"),
}

_RECORD = insert(table_of(AccountEvent))


def record_account_event(session: Session, organiser_id: int, action: AccountAction) -> None:
    """Note, inside the caller's transaction, what happened to this account."""
    session.execute(
        _RECORD, {"organiser_id": organiser_id, "action": action, "created_at": utcnow()}
    )


def record_account_events(
    session: Session,
    action: AccountAction,
    where: Sequence[ColumnElement[bool]],
) -> None:
    """Note the action for each account the conditions select, in one INSERT … SELECT.

    The same statement runs whether any account is selected or not, and costs alike.
    """
    rows = select(Organiser.id, literal(str(action), String), literal(utcnow(), UTCDateTime))
    columns = ["organiser_id", "action", "created_at"]
    session.execute(insert(table_of(AccountEvent)).from_select(columns, rows.where(*where)))


def account_history(
    organiser: Organiser, limit: int = ACCOUNT_HISTORY_LENGTH
) -> Sequence[AccountEvent]:
    """The latest events of this account, newest first."""
    return db.session.scalars(
        select(AccountEvent)
        .where(AccountEvent.organiser_id == organiser.id)
        .order_by(AccountEvent.id.desc())
        .limit(limit)
    ).all()


def account_action_label(action: str) -> str:
    """The recorded action in the reader's language (an unknown one as it was stored)."""
    label = ACCOUNT_ACTIONS.get(action)
    return gettext(label) if label is not None else action
