"""The organisers' forms for the timeline and for paper signatures: every field limited, every
message human. The rules themselves live with their use cases (milestones.py, paper.py).

A milestone form has a box "also write an update about it": record_milestone then drafts one.
"""

from typing import Any, ClassVar

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from petition.models import MilestoneKind
from petition.updates.milestones import (
    MAX_LINK_LENGTH,
    MAX_METHOD_LENGTH,
    MAX_RECIPIENT_LENGTH,
    MAX_REFERENCE_LENGTH,
    MAX_TEXT_LENGTH,
    day_problem,
    link_problem,
)
from petition.updates.paper import MAX_NOTE_LENGTH, collected_problem, count_problem
from petition.web.forms import Form, Validator, at_most, blank_to_none, strip

# Spaces and separators people type inside a number ("1 200", "1,200", "1 200").
_GROUPING = str.maketrans("", "", " ,'\u00a0\u202f\u2009_")
_MAX_DIGITS = 12  # anything longer is absurd for one batch; its size is refused, not parsed


def web_link(form: Form, field: Field) -> None:
    """An http(s) address, or nothing."""
    if field.data:
        problem = link_problem(field.data)
        if problem:
            raise ValidationError(problem)


def _required(
    field_class: type[StringField], label: LazyString, missing: LazyString, limit: int
) -> StringField:
    """A text that must be given, trimmed, of at most `limit` characters."""
    return field_class(
        label,
        filters=[strip],
        validators=[DataRequired(missing), at_most(limit)],
    )


def _optional(
    field_class: type[StringField], label: LazyString, limit: int, *also: Validator
) -> StringField:
    """A text that may be left out (then None), of at most `limit` characters."""
    return field_class(
        label,
        filters=[blank_to_none],
        validators=[Optional(), at_most(limit), *also],
    )


def _link_field() -> StringField:
    return _optional(StringField, _l("Link (optional)"), MAX_LINK_LENGTH, web_link)


class MilestoneForm(Form):
    """What every milestone has: the day it happened. Each kind adds its own fields."""

    kind: ClassVar[MilestoneKind]
    happened_on = DateField(_l("Date"), validators=[DataRequired(_l("Please give the date."))])
    # Ticked: a draft update about it is written too, for the organiser to read over and send.
    announce = BooleanField(_l("Also write an update about it to the signers who asked for news"))

    def validate_happened_on(self, field: Field) -> None:
        problem = day_problem(self.kind, field.data) if field.data else None
        if problem:
            raise ValidationError(problem)

    def values(self) -> dict[str, Any]:
        """What was typed, as record_milestone takes it."""
        names = ("recipient", "method", "reference", "text", "link")
        return {"happened_on": self.happened_on.data, "announce": self.announce.data} | {
            name: self[name].data for name in names if name in self
        }


class DeliveredForm(MilestoneForm):
    """The petition was handed over: when, to whom, how, with what reference."""

    kind = MilestoneKind.DELIVERED
    recipient = _required(
        StringField,
        _l("Delivered to"),
        _l("Please say who the petition was delivered to."),
        MAX_RECIPIENT_LENGTH,
    )
    method = _optional(StringField, _l("How (optional)"), MAX_METHOD_LENGTH)
    reference = _optional(StringField, _l("Reference number (optional)"), MAX_REFERENCE_LENGTH)


class AnsweredForm(MilestoneForm):
    """An answer came: when, and its text or a link to it."""

    kind = MilestoneKind.ANSWERED
    text = _optional(TextAreaField, _l("The answer (optional if you give a link)"), MAX_TEXT_LENGTH)
    link = _link_field()

    def validate_text(self, field: Field) -> None:
        if not field.data and not self.link.data and not self.link.errors:
            raise ValidationError(gettext("Please give the answer's text, a link to it, or both."))


class NoteForm(MilestoneForm):
    """Anything else worth telling: a meeting, a hearing, a vote."""

    kind = MilestoneKind.NOTE
    text = _required(TextAreaField, _l("Note"), _l("Please write the note."), MAX_TEXT_LENGTH)
    link = _link_field()


MILESTONE_FORMS: dict[str, type[MilestoneForm]] = {
    form.kind.value: form for form in (DeliveredForm, AnsweredForm, NoteForm)
}


def milestone_forms(posted: str | None = None) -> dict[str, MilestoneForm]:
    """A form per kind, each with its own prefix; only the posted one reads the request."""
    return {
        kind: form_class(prefix=kind) if kind == posted else form_class(prefix=kind, formdata=None)
        for kind, form_class in MILESTONE_FORMS.items()
    }


def _whole_number(form: Form, field: Field) -> None:
    raw = (field.data or "").translate(_GROUPING)
    if raw.startswith(("-", "\u2212")) and raw[1:].isdecimal():
        raise ValidationError(count_problem(-1) or "")
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError(
            gettext("Please give the number of signatures in figures, for example 250.")
        )
    problem = count_problem(int(raw)) if len(raw) <= _MAX_DIGITS else count_problem(0)
    if problem:
        raise ValidationError(problem)


class PaperForm(Form):
    """A batch of signatures collected offline: how many, the day, a note."""

    count = StringField(
        _l("Number of signatures"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give the number of signatures.")),
            at_most(40),
            _whole_number,
        ],
    )
    collected_on = DateField(
        _l("Day collected (or the last day, for several)"),
        validators=[DataRequired(_l("Please give the date."))],
    )
    note = StringField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[
            at_most(MAX_NOTE_LENGTH),
        ],
    )

    def validate_collected_on(self, field: Field) -> None:
        problem = collected_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)

    def number(self) -> int:
        """The count typed, once the form is valid."""
        return int((self.count.data or "").translate(_GROUPING))
