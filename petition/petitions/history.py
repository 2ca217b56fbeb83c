"""The history of a petition: who changed or exported what, and when, kept as data.

An event is an EventAction and its values; each action has a renderer that writes the line in
the reader's language when a page is shown. What a person typed (a reason) stays as they typed it.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from petition.extensions import db
from petition.i18n.languages import LANGUAGES, N_, format_number
from petition.i18n.plurals import ngettext
from petition.models import EventAction, Organiser, Petition, PetitionEvent
from petition.petitions.held_reasons import held_reason_text
from petition.petitions.timeline import kind_name

HISTORY_LENGTH = 50
# How a moment is written on the organisers' pages: "25 Nov 2026, 16:21", "25 нояб. 2026, 16:21".
MOMENT = "d MMM y, HH:mm"
# How a day is written in a sentence: "24 January 2027", "24 января 2027".
DAY = "d MMMM y"
# What each recorded action is called on the history pages.
ACTIONS: dict[str, str] = {
    EventAction.CREATED: N_("Created"),
    EventAction.CLOSED: N_("Closed"),
    EventAction.REOPENED: N_("Reopened"),
    EventAction.HIDDEN: N_("Hidden"),
    EventAction.SHOWN: N_("Shown"),
    EventAction.EDITED: N_("Edited"),
    EventAction.INVITED: N_("Invited"),
    EventAction.JOINED: N_("Joined"),
    EventAction.INVITATION_WITHDRAWN: N_("Invitation withdrawn"),
    EventAction.REMOVED: N_("Removed"),
    EventAction.LEFT: N_("Left"),
    EventAction.RESENT: N_("Resent"),
    EventAction.REINSTATED: N_("Reinstated"),
    EventAction.EXPORT: N_("Export"),
    EventAction.VERSION_ADDED: N_("Version added"),
    EventAction.VERSION_CHANGED: N_("Version changed"),
    EventAction.VERSION_REMOVED: N_("Version removed"),
    EventAction.UPDATE_SENT: N_("Update sent"),
}
# The petition's settings as editing.update_petition records them (its attribute names).
FIELDS = {
    "title": N_("title"),
    "body": N_("text"),
    "target": N_("addressed to"),
    "goal": N_("goal"),
    "closes_at": N_("last day to sign"),
    "collects_country": N_("country question"),
    "language": N_("language"),
}
# The export format of a delivery pack, which the export log lists beside the exports.
DELIVERY_PACK = "delivery pack"
# Where an export was run from.
BROWSER = "browser"
COMMAND_LINE = "command line"
# The "address" of a reinstatement of every signature held for one reason.
ALL_HELD = "all"


def record_event(
    session: Session,
    petition: Petition,
    organiser: Organiser | None,
    action: EventAction,
    rows: int | None = None,
    **values: Any,
) -> None:
    """Note, inside the caller's transaction, what an organiser (or None: an operator) did."""
    session.add(
        PetitionEvent(
            petition_id=petition.id,
            organiser_id=organiser.id if organiser is not None else None,
            action=action,
            values=values,
            rows=rows,
        )
    )


def petition_history(
    petition: Petition, *, exports: bool, limit: int = HISTORY_LENGTH
) -> Sequence[PetitionEvent]:
    """The latest changes (exports=False) or exports (exports=True) of a petition, newest first."""
    query = select(PetitionEvent).where(PetitionEvent.petition_id == petition.id)
    is_export = PetitionEvent.action == EventAction.EXPORT
    query = query.where(is_export if exports else ~is_export)
    return db.session.scalars(
        query.options(selectinload(PetitionEvent.organiser))
        .order_by(PetitionEvent.id.desc())
        .limit(limit)
    ).all()


def last_event(petition: Petition, action: EventAction) -> PetitionEvent | None:
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
    """What an action was done with, in the reader's language; empty when there is nothing to say.

    A row recorded before history was kept as data, in a form the upgrade could not read, shows
    the free text it was stored with.
    """
    render = RENDERERS.get(event.action)
    if event.detail or render is None:
        return event.detail or ""
    try:
        return render(event.values or {})
    except (KeyError, TypeError, ValueError):  # values no renderer knows: say nothing wrong
        return ""


def _nothing(values: Mapping[str, Any]) -> str:
    return ""


def _address(message: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda values: gettext(message, email=values["address"])


def _edited(values: Mapping[str, Any]) -> str:
    names = (gettext(FIELDS[name]) if name in FIELDS else name for name in values["fields"])
    return gettext("Changed %(fields)s", fields=", ".join(names))


def _language(values: Mapping[str, Any]) -> str:
    code: str = values["language"]
    return LANGUAGES.get(code, code)


def _resent(values: Mapping[str, Any]) -> str:
    sent, hours = values["count"], values.get("older_than_hours")
    if not hours:
        return ngettext(
            "Sent %(num)s confirmation link again to pending signers",
            "Sent %(num)s confirmation links again to pending signers",
            sent,
        )
    return ngettext(
        "Sent %(num)s confirmation link again to pending signers older than %(hours)s h",
        "Sent %(num)s confirmation links again to pending signers older than %(hours)s h",
        sent,
        hours=format_number(hours),
    )


def _reinstated(values: Mapping[str, Any]) -> str:
    held_for, reason = held_reason_text(values["held_for"]), values["reason"]
    if values["address"] == ALL_HELD:
        return gettext("all held for %(held_for)s: %(reason)s", held_for=held_for, reason=reason)
    return gettext(
        "%(email)s, held for %(held_for)s: %(reason)s",
        email=values["address"],
        held_for=held_for,
        reason=reason,
    )


def _export(values: Mapping[str, Any]) -> str:
    if values["format"] == DELIVERY_PACK:
        return gettext("Delivery pack (PDF)")
    first, last = values.get("first"), values.get("last")
    if first is None and last is None:
        period = gettext("all dates")
    else:
        period = gettext(
            "%(first)s to %(last)s",
            first=first or gettext("the start"),
            last=last or gettext("today"),
        )
    fmt = values["format"].upper()
    if values.get("source") == COMMAND_LINE:
        return gettext("%(format)s, command line, %(period)s", format=fmt, period=period)
    return gettext("%(format)s, %(period)s", format=fmt, period=period)


def _update_sent(values: Mapping[str, Any]) -> str:
    return ngettext(
        "“%(subject)s” to %(num)s signer",
        "“%(subject)s” to %(num)s signers",
        values["recipients"],
        subject=values["subject"],
    )


# How each action's values read; every EventAction has one (a test keeps it so).
RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    EventAction.CREATED: lambda values: gettext(
        "Published at %(path)s", path="/petitions/" + str(values["slug"])
    ),
    EventAction.CLOSED: _nothing,
    EventAction.REOPENED: _nothing,
    EventAction.HIDDEN: _nothing,
    EventAction.SHOWN: _nothing,
    EventAction.EDITED: _edited,
    EventAction.INVITED: _address(N_("Invited %(email)s")),
    EventAction.JOINED: _address(N_("%(email)s joined")),
    EventAction.INVITATION_WITHDRAWN: _address(N_("Withdrew the invitation of %(email)s")),
    EventAction.REMOVED: _address(N_("Removed %(email)s")),
    EventAction.LEFT: _address(N_("%(email)s left")),
    EventAction.RESENT: _resent,
    EventAction.REINSTATED: _reinstated,
    EventAction.EXPORT: _export,
    EventAction.VERSION_ADDED: _language,
    EventAction.VERSION_CHANGED: _language,
    EventAction.VERSION_REMOVED: _language,
    EventAction.UPDATE_SENT: _update_sent,
}


def _day(values: Mapping[str, Any]) -> str:
    return format_date(date.fromisoformat(values["day"]), DAY)


def _milestone(values: Mapping[str, Any]) -> str:
    return gettext("%(kind)s, %(day)s", kind=kind_name(values["kind"]), day=_day(values))


def _paper(values: Mapping[str, Any]) -> str:
    return ngettext(
        "%(num)s signature on paper, collected on %(day)s",
        "%(num)s signatures on paper, collected on %(day)s",
        int(values["count"]),
        day=_day(values),
    )


ACTIONS |= {
    EventAction.MILESTONE_RECORDED: N_("Milestone recorded"),
    EventAction.MILESTONE_REMOVED: N_("Milestone removed"),
    EventAction.PAPER_RECORDED: N_("Paper signatures recorded"),
    EventAction.PAPER_REMOVED: N_("Paper signatures removed"),
}
RENDERERS |= {
    EventAction.MILESTONE_RECORDED: _milestone,
    EventAction.MILESTONE_REMOVED: _milestone,
    EventAction.PAPER_RECORDED: _paper,
    EventAction.PAPER_REMOVED: _paper,
}


def _messages(values: Mapping[str, Any]) -> str:
    count = int(values["count"])
    return ngettext("%(num)s message of support", "%(num)s messages of support", count)


ACTIONS |= {
    EventAction.MESSAGES_APPROVED: N_("Messages of support approved"),
    EventAction.MESSAGES_REJECTED: N_("Messages of support rejected"),
}
RENDERERS |= {
    EventAction.MESSAGES_APPROVED: _messages,
    EventAction.MESSAGES_REJECTED: _messages,
}


def _letter(values: Mapping[str, Any]) -> str:
    return gettext("“%(title)s”", title=values["title"])


def _targets_imported(values: Mapping[str, Any]) -> str:
    return ngettext(
        "%(num)s target imported for “%(title)s”",
        "%(num)s targets imported for “%(title)s”",
        int(values["count"]),
        title=values["title"],
    )


def _target(values: Mapping[str, Any]) -> str:
    return gettext("%(name)s, for “%(title)s”", name=values["name"], title=values["title"])


ACTIONS |= {
    EventAction.LETTER_ADDED: N_("Letter action added"),
    EventAction.LETTER_CHANGED: N_("Letter action changed"),
    EventAction.LETTER_REMOVED: N_("Letter action removed"),
    EventAction.TARGETS_IMPORTED: N_("Targets imported"),
    EventAction.TARGET_ADDED: N_("Target added"),
    EventAction.TARGET_REMOVED: N_("Target removed"),
}
RENDERERS |= {
    EventAction.LETTER_ADDED: _letter,
    EventAction.LETTER_CHANGED: _letter,
    EventAction.LETTER_REMOVED: _letter,
    EventAction.TARGETS_IMPORTED: _targets_imported,
    EventAction.TARGET_ADDED: _target,
    EventAction.TARGET_REMOVED: _target,
}
