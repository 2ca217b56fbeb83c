"""history as data: each event's values and each invalidation's criteria, no longer sentences

Revision ID: c57b56f32b61
Revises: bdc4371b15c9
Create Date: 2026-12-10 12:00:00.000000

Rows written before this kept English sentences. The upgrade reads the sentences the code used to
write, once, into values; a sentence in no known form stays as the row's free text. The
downgrade writes the sentences back from the values, so going down loses nothing either.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c57b56f32b61"
down_revision = "bdc4371b15c9"
branch_labels = None
depends_on = None

EVENTS = sa.table(
    "petition_events",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("detail", sa.String),
    sa.column("values", sa.JSON),
)
INVALIDATIONS = sa.table(
    "invalidations",
    sa.column("id", sa.Integer),
    sa.column("criteria", sa.String),
    sa.column("criteria_values", sa.JSON),
)
# As the code of this revision knows them; copied, so later changes to the app cannot alter it.
FIELDS = ("title", "body", "target", "goal", "closes_at", "collects_country", "language")
LANGUAGES = {"English": "en", "Русский": "ru", "Қазақша": "kk"}
FORMATS = ("CSV", "XLSX", "JSON")
RESENT = " confirmation link(s) again to pending signers"
CRITERIA = {
    "domain ": "domain",
    "network ": "network",
    "name like ": "name_pattern",
    "from ": "since",
    "until ": "until",
}
ADDRESS = {  # the action, and the words around the address in its sentence
    "invited": ("Invited ", ""),
    "joined": ("", " joined"),
    "invitation withdrawn": ("Withdrew the invitation of ", ""),
    "removed": ("Removed ", ""),
    "left": ("", " left"),
}


def _around(text: str, before: str, after: str) -> str | None:
    """The part of text between the two fixed strings, or None."""
    if text.startswith(before) and text.endswith(after) and len(text) > len(before + after):
        return text[len(before) : len(text) - len(after)]
    return None


def _day(text: str, open_end: str) -> str | None:
    if text == open_end:
        return None
    return date.fromisoformat(text).isoformat()  # ValueError: not a day the code wrote


def _export(detail: str) -> dict[str, Any] | None:
    if detail == "Delivery pack (PDF)":
        return {"format": "delivery pack", "source": "browser"}
    fmt, _, rest = detail.partition(", ")
    if fmt not in FORMATS:
        return None
    source = "command line" if rest.startswith("command line, ") else "browser"
    rest = rest.removeprefix("command line, ")
    if rest == "all dates":
        first = last = None
    else:
        first, to, last = rest.partition(" to ")
        if not to:
            return None
        first, last = _day(first, "the start"), _day(last, "today")
    return {"format": fmt.lower(), "source": source, "first": first, "last": last}


def _resent(detail: str) -> dict[str, Any] | None:
    count, sent, older = detail.removeprefix("Sent ").partition(RESENT)
    if not detail.startswith("Sent ") or not sent or not count.isdigit():
        return None
    hours = _around(older, " older than ", " h") if older else None
    if older and not (hours and hours.isdigit()):
        return None
    return {"count": int(count), "older_than_hours": int(hours) if hours else None}


def _reinstated(detail: str) -> dict[str, Any] | None:
    if detail.startswith("all held for "):
        address, rest = "all", detail.removeprefix("all held for ")
    else:
        address, held, rest = detail.partition(", held for ")
        if not held or not address or any(c.isspace() for c in address):
            return None
    held_for, colon, reason = rest.partition(": ")
    if not colon or not held_for:
        return None
    return {"address": address, "held_for": held_for, "reason": reason}


def _edited(detail: str) -> dict[str, Any] | None:
    names = [name.replace(" ", "_") for name in detail.removeprefix("Changed ").split(", ")]
    if not detail.startswith("Changed ") or not set(names) <= set(FIELDS):
        return None
    return {"fields": names}


def event_values(action: str, detail: str) -> dict[str, Any] | None:
    """An old event's values read from its sentence; None when it is in no form the code wrote."""
    if action in ADDRESS:
        address = _around(detail, *ADDRESS[action])
        return {"address": address} if address else None
    if action in ("version added", "version changed", "version removed"):
        return {"language": LANGUAGES[detail]} if detail in LANGUAGES else None
    if action == "created":
        slug = _around(detail, "Published at /petitions/", "")
        return {"slug": slug} if slug and "/" not in slug else None
    readers = {"edited": _edited, "resent": _resent, "reinstated": _reinstated, "export": _export}
    if action not in readers:
        return None
    try:
        return readers[action](detail)
    except ValueError:
        return None


def criteria_values(described: str) -> dict[str, str] | None:
    """An old invalidation's criteria read from its words; None when in no form the code wrote."""
    values: dict[str, str] = {}
    for part in described.split(", "):
        word = next((word for word in CRITERIA if part.startswith(word)), None)
        if word is None and values:  # a comma inside a value: it belongs to the one before
            name = list(values)[-1]
            values[name] += ", " + part
            continue
        if word is None or CRITERIA[word] in values:
            return None
        values[CRITERIA[word]] = part.removeprefix(word)
    for name in ("since", "until"):
        if name in values:
            try:
                moment = datetime.strptime(values[name], "%Y-%m-%d %H:%M UTC")
            except ValueError:
                return None
            values[name] = moment.isoformat() + "+00:00"
    return values or None


def upgrade() -> None:
    with op.batch_alter_table("petition_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("values", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
    with op.batch_alter_table("invalidations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("criteria_values", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
    connection = op.get_bind()
    events = connection.execute(
        sa.select(EVENTS.c.id, EVENTS.c.action, EVENTS.c.detail).where(EVENTS.c.detail != "")
    ).all()
    for event_id, action, detail in events:
        values = event_values(action, detail)
        if values is not None:
            connection.execute(
                EVENTS.update()
                .where(EVENTS.c.id == event_id)
                .values({"values": values, "detail": ""})
            )
    invalidations = connection.execute(
        sa.select(INVALIDATIONS.c.id, INVALIDATIONS.c.criteria)
    ).all()
    for invalidation_id, described in invalidations:
        values = criteria_values(described)
        if values is not None:
            connection.execute(
                INVALIDATIONS.update()
                .where(INVALIDATIONS.c.id == invalidation_id)
                .values(criteria_values=values, criteria="")
            )


def event_sentence(action: str, values: Mapping[str, Any]) -> str:
    """The sentence the code before this revision wrote for an event with these values."""
    if action in ADDRESS:
        before, after = ADDRESS[action]
        address: str = values["address"]
        return before + address + after
    if action in ("version added", "version changed", "version removed"):
        names = {code: name for name, code in LANGUAGES.items()}
        language: str = values["language"]
        return names.get(language, language)
    if action == "created":
        slug: str = values["slug"]
        return "Published at /petitions/" + slug
    if action == "edited":
        return "Changed " + ", ".join(name.replace("_", " ") for name in values["fields"])
    if action == "resent":
        hours = values.get("older_than_hours")
        return f"Sent {values['count']}{RESENT}" + (f" older than {hours} h" if hours else "")
    if action == "reinstated":
        address = values["address"]
        held = "all held for " if address == "all" else address + ", held for "
        return f"{held}{values['held_for']}: {values['reason']}"
    if action == "export":
        if values["format"] == "delivery pack":
            return "Delivery pack (PDF)"
        first, last = values.get("first"), values.get("last")
        period = (
            "all dates" if not (first or last) else f"{first or 'the start'} to {last or 'today'}"
        )
        source = "command line, " if values.get("source") == "command line" else ""
        return f"{values['format'].upper()}, {source}{period}"
    return ""


def criteria_words(values: Mapping[str, Any]) -> str:
    """The words the code before this revision wrote for these criteria."""
    parts: list[str] = []
    for word, name in CRITERIA.items():
        if values.get(name):
            value = values[name]
            if name in ("since", "until"):
                value = f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M} UTC"
            parts.append(word + value)
    return ", ".join(parts)


def downgrade() -> None:
    connection = op.get_bind()
    events = connection.execute(
        sa.select(EVENTS.c.id, EVENTS.c.action, EVENTS.c["values"]).where(EVENTS.c.detail == "")
    ).all()
    for event_id, action, values in events:
        if values:
            connection.execute(
                EVENTS.update()
                .where(EVENTS.c.id == event_id)
                .values(detail=event_sentence(action, values)[:500])
            )
    invalidations = connection.execute(
        sa.select(INVALIDATIONS.c.id, INVALIDATIONS.c.criteria_values).where(
            INVALIDATIONS.c.criteria == ""
        )
    ).all()
    for invalidation_id, values in invalidations:
        connection.execute(
            INVALIDATIONS.update()
            .where(INVALIDATIONS.c.id == invalidation_id)
            .values(criteria=criteria_words(values or {})[:500])
        )
    with op.batch_alter_table("invalidations", schema=None) as batch_op:
        batch_op.drop_column("criteria_values")
    with op.batch_alter_table("petition_events", schema=None) as batch_op:
        batch_op.drop_column("values")
