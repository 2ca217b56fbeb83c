"""The history of a petition: who changed or exported what, and when."""

import re
from collections.abc import Sequence

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from petition.extensions import db
from petition.i18n.languages import N_, format_number
from petition.i18n.plurals import ngettext
from petition.models import Organiser, Petition, PetitionEvent
from petition.petitions.held_reasons import held_reason_text

HISTORY_LENGTH = 50
# How a moment is written on the organisers' pages: "25 Nov 2026, 16:21", "25 нояб. 2026, 16:21".
MOMENT = "d MMM y, HH:mm"
# How a day is written in a sentence: "24 January 2027", "24 января 2027".
DAY = "d MMMM y"
# What each recorded action is called on the history pages (stored in English, shown translated).
ACTIONS = {
    "created": N_("Created"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "hidden": N_("Hidden"),
    "shown": N_("Shown"),
    "edited": N_("Edited"),
    "invited": N_("Invited"),
    "joined": N_("Joined"),
    "invitation withdrawn": N_("Invitation withdrawn"),
    "removed": N_("Removed"),
    "left": N_("Left"),
    "resent": N_("Resent"),
    "reinstated": N_("Reinstated"),
    "export": N_("Export"),
    "version added": N_("Version added"),
    "version changed": N_("Version changed"),
    "version removed": N_("Version removed"),
}
# The petition's settings as editing.update_petition names them in its record.
FIELDS = {
    "title": N_("title"),
    "body": N_("text"),
    "target": N_("addressed to"),
    "goal": N_("goal"),
    "closes at": N_("last day to sign"),
    "collects country": N_("country question"),
    "language": N_("language"),
}
_RESENT = re.compile(
    r"Sent (\d+) confirmation link\(s\) again to pending signers(?: older than (\d+) h)?"
)
_HELD_ONE = re.compile(r"(\S+), held for (.+?): (.*)", re.DOTALL)
_HELD_ALL = re.compile(r"all held for (.+?): (.*)", re.DOTALL)
# The export log's record of a delivery pack, shown as the link that makes one is named.
DELIVERY_PACK = "Delivery pack (PDF)"
_EXPORT = re.compile(r"(CSV|XLSX|JSON), (command line, )?(all dates|(\S+) to (\S+))")


def record_event(
    session: Session,
    petition: Petition,
    organiser: Organiser | None,
    action: str,
    detail: str = "",
    rows: int | None = None,
) -> None:
    """Note, inside the caller's transaction, what an organiser (or None: an operator) did."""
    session.add(
        PetitionEvent(
            petition_id=petition.id,
            organiser_id=organiser.id if organiser is not None else None,
            action=action,
            detail=detail[:500],
            rows=rows,
        )
    )


def petition_history(
    petition: Petition, *, exports: bool, limit: int = HISTORY_LENGTH
) -> Sequence[PetitionEvent]:
    """The latest changes (exports=False) or exports (exports=True) of a petition, newest first."""
    query = select(PetitionEvent).where(PetitionEvent.petition_id == petition.id)
    is_export = PetitionEvent.action == "export"
    query = query.where(is_export if exports else ~is_export)
    return db.session.scalars(
        query.options(selectinload(PetitionEvent.organiser))
        .order_by(PetitionEvent.id.desc())
        .limit(limit)
    ).all()


def last_event(petition: Petition, action: str) -> PetitionEvent | None:
    """The most recent event of one kind on a petition, if any."""
    return db.session.scalar(
        select(PetitionEvent)
        .where(PetitionEvent.petition_id == petition.id, PetitionEvent.action == action)
        .order_by(PetitionEvent.id.desc())
        .limit(1)
    )


def action_label(event: PetitionEvent) -> str:
    """The name of what was done, in the reader's language."""
    label = ACTIONS.get(event.action)
    return gettext(label) if label else event.action.capitalize()


def event_detail(event: PetitionEvent) -> str:
    """A record's detail in the reader's language when it was written from a fixed pattern.

    Records keep the English they were written in; what a person typed (a reason) stays as is,
    and a detail in no known pattern is shown as stored.
    """
    detail = event.detail or ""
    if event.action == "created" and detail.startswith("Published at "):
        return gettext("Published at %(path)s", path=detail.removeprefix("Published at "))
    if event.action == "edited" and detail.startswith("Changed "):
        names = detail.removeprefix("Changed ").split(", ")
        if all(name in FIELDS for name in names):
            fields = ", ".join(gettext(FIELDS[name]) for name in names)
            return gettext("Changed %(fields)s", fields=fields)
    if event.action == "invited" and detail.startswith("Invited "):
        return gettext("Invited %(email)s", email=detail.removeprefix("Invited "))
    if event.action == "joined" and detail.endswith(" joined"):
        return gettext("%(email)s joined", email=detail.removesuffix(" joined"))
    if event.action == "invitation withdrawn" and detail.startswith("Withdrew the invitation of "):
        email = detail.removeprefix("Withdrew the invitation of ")
        return gettext("Withdrew the invitation of %(email)s", email=email)
    if event.action == "removed" and detail.startswith("Removed "):
        return gettext("Removed %(email)s", email=detail.removeprefix("Removed "))
    if event.action == "left" and detail.endswith(" left"):
        return gettext("%(email)s left", email=detail.removesuffix(" left"))
    if event.action == "resent" and (match := _RESENT.fullmatch(detail)):
        return _resent_detail(int(match[1]), int(match[2]) if match[2] else None)
    if event.action == "reinstated":
        if match := _HELD_ALL.fullmatch(detail):
            return gettext(
                "all held for %(held_for)s: %(reason)s",
                held_for=held_reason_text(match[1]),
                reason=match[2],
            )
        if match := _HELD_ONE.fullmatch(detail):
            return gettext(
                "%(email)s, held for %(held_for)s: %(reason)s",
                email=match[1],
                held_for=held_reason_text(match[2]),
                reason=match[3],
            )
    if event.action == "export" and detail == DELIVERY_PACK:
        return gettext("Delivery pack (PDF)")
    if event.action == "export" and (match := _EXPORT.fullmatch(detail)):
        return _export_detail(match[1], bool(match[2]), match[4], match[5])
    return detail


def _resent_detail(sent: int, older_than_hours: int | None) -> str:
    if older_than_hours is None:
        return ngettext(
            "Sent %(num)s confirmation link again to pending signers",
            "Sent %(num)s confirmation links again to pending signers",
            sent,
        )
    return ngettext(
        "Sent %(num)s confirmation link again to pending signers older than %(hours)s h",
        "Sent %(num)s confirmation links again to pending signers older than %(hours)s h",
        sent,
        hours=format_number(older_than_hours),
    )


def _export_detail(fmt: str, command_line: bool, first: str | None, last: str | None) -> str:
    if first is None:
        period = gettext("all dates")
    else:
        period = gettext(
            "%(first)s to %(last)s",
            first=gettext("the start") if first == "the start" else first,
            last=gettext("today") if last == "today" else last,
        )
    if command_line:
        return gettext("%(format)s, command line, %(period)s", format=fmt, period=period)
    return gettext("%(format)s, %(period)s", format=fmt, period=period)
