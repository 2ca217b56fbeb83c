"""The organiser's update form: a subject and a Markdown text, and the same in other languages."""

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from petition.i18n.languages import N_
from petition.updates.drafts import (
    MAX_SUBJECT_LENGTH,
    MAX_UPDATE_LENGTH,
    Confirmation,
    Translations,
)
from petition.web.form_versions import form_with_versions, version_subject_field, versions_complete
from petition.web.forms import Form, at_most, counted_limit, strip

# Say how long the update is, so the writer knows how much to cut.
_update_not_too_long = counted_limit(
    MAX_UPDATE_LENGTH,
    N_(
        "An update can be at most %(max)s characters long; this one has %(count)s. "
        "Please shorten it, or link to the rest."
    ),
)
_SUBJECT_LIMIT = at_most(MAX_SUBJECT_LENGTH)


class UpdateForm(Form):
    """An update in the petition's own language; `with_versions` adds one pair per other language."""

    subject = StringField(
        _l("Subject"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give the update a subject.")),
            _SUBJECT_LIMIT,
        ],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Please write the update.")),
            _update_not_too_long,
        ],
    )
    languages: Sequence[str] = ()

    def version_fields(self) -> list[tuple[str, Field, Field]]:
        """(language, subject, text) of each other language, in the switcher's order."""
        return [(code, self[f"subject_{code}"], self[f"body_{code}"]) for code in self.languages]

    def translations(self) -> Translations:
        """The versions as typed, for the use case (empty pairs mean: no version)."""
        return {
            code: {"subject": subject.data or "", "body": body.data or ""}
            for code, subject, body in self.version_fields()
        }

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        pairs = [(subject, body) for _code, subject, body in self.version_fields()]
        missing = gettext("Please write the text in this language too.")
        return versions_complete(pairs, missing) and valid


def _update_version(code: str, name: str) -> dict[str, Any]:
    return {
        f"subject_{code}": version_subject_field(code, name, _SUBJECT_LIMIT),
        f"body_{code}": TextAreaField(
            gettext("Text in %(language)s", language=name),
            validators=[_update_not_too_long],
            render_kw={"lang": code},
        ),
    }


def update_form(languages: Sequence[str], **kwargs: Any) -> UpdateForm:
    """The form for a petition with versions in these other languages."""
    return form_with_versions(UpdateForm, languages, _update_version, **kwargs)


class ConfirmSendForm(Form):
    """What the organiser saw on the confirmation step, sent back with "Send": the number of
    recipients and the draft's version, so nothing else goes out than what they confirmed."""

    count = HiddenField(validators=[DataRequired(), Length(max=12), Regexp(r"^[0-9]{1,12}\Z")])
    version = HiddenField(validators=[DataRequired(), Length(max=32), Regexp(r"^[0-9a-f]{32}\Z")])

    def confirmation(self) -> Confirmation:
        """The confirmation, once the form is valid."""
        return Confirmation(count=int(self.count.data), version=self.version.data)
