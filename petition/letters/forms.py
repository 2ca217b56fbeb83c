"""The letter forms: the organiser's letter and targets, and the supporter's edit of the letter."""

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from petition.addresses import InvalidAddressError, normalise_email
from petition.i18n.countries import country_choices, is_country_code
from petition.i18n.languages import N_, format_number
from petition.letters.actions import MAX_BODY, MAX_COPIES, MAX_SUBJECT, MAX_TITLE
from petition.letters.printable import MAX_MARKS, longest_mark_run
from petition.letters.targets import MAX_SALUTATION, target_problems
from petition.web.form_versions import form_with_versions, version_subject_field, versions_complete
from petition.web.forms import Form, at_most, counted_limit, strip

# Say how long the letter is, so the writer knows how much to cut; first of its rules.
_letter_not_too_long = counted_limit(
    MAX_BODY,
    N_(
        "A letter can be at most %(max)s characters long, so that it fits in an email "
        "link; this one has %(count)s. Please shorten it."
    ),
)


def _few_stacked_marks(form: Form, field: Field) -> None:
    """Refuse accents stacked higher than any language writes them: printing them is slow."""
    if longest_mark_run(field.data or "") > MAX_MARKS:
        raise ValidationError(
            gettext(
                "Please remove the accents stacked on one another: one character can carry "
                "at most %(max)s.",
                max=format_number(MAX_MARKS),
            )
        )


def _copies(form: Form, field: Field) -> None:
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if len(lines) > MAX_COPIES:
        raise ValidationError(
            gettext("At most %(max)s addresses, one per line.", max=format_number(MAX_COPIES))
        )
    for line in lines:
        try:
            normalise_email(line)
        except InvalidAddressError as exc:
            raise ValidationError(
                gettext(
                    "“%(email)s” is not an email address. %(reason)s",
                    email=line[:300],
                    reason=exc.reason(),
                )
            ) from exc


def _subject_field() -> StringField:
    """A letter's subject: the organiser's and, as edited, the supporter's, under one rule."""
    return StringField(
        _l("Subject"),
        filters=[strip],
        validators=[
            at_most(MAX_SUBJECT),
            DataRequired(_l("Please give the letter a subject.")),
            _few_stacked_marks,
        ],
    )


def _letter_field() -> TextAreaField:
    """A letter's text: the organiser's and, as edited, the supporter's, under one rule."""
    return TextAreaField(
        _l("Letter"),
        validators=[
            _letter_not_too_long,
            DataRequired(_l("Please write the letter.")),
            _few_stacked_marks,
        ],
        render_kw={"rows": 14},
    )


class LetterForm(Form):
    """A letter action in the petition's own language; `letter_form` adds the other versions."""

    title = StringField(
        _l("Name of the action"),
        filters=[strip],
        validators=[
            at_most(MAX_TITLE),
            DataRequired(_l("Please name the action.")),
        ],
    )
    subject = _subject_field()
    body = _letter_field()
    copies = TextAreaField(
        _l("Copies to"),
        validators=[Length(max=3000, message=_l("Too long.")), _copies],
    )
    languages: Sequence[str] = ()

    def copy_list(self) -> list[str]:
        """The copies-to addresses as typed, one per line."""
        return [line.strip() for line in (self.copies.data or "").splitlines() if line.strip()]

    def version_fields(self) -> list[tuple[str, Field, Field, Field]]:
        """(language, title, subject, letter) of each other language."""
        return [
            (code, self[f"title_{code}"], self[f"subject_{code}"], self[f"body_{code}"])
            for code in self.languages
        ]

    def versions(self) -> dict[str, dict[str, str]]:
        """The versions as typed, for the use case (empty ones mean: no version)."""
        return {
            code: {
                "title": title.data or "",
                "subject": subject.data or "",
                "body": body.data or "",
            }
            for code, title, subject, body in self.version_fields()
        }

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        pairs = [(subject, body) for _code, _title, subject, body in self.version_fields()]
        missing = gettext("Please write the letter in this language too.")
        return versions_complete(pairs, missing) and valid


def _letter_version(code: str, name: str) -> dict[str, Any]:
    return {
        f"title_{code}": StringField(
            gettext("Name of the action in %(language)s", language=name),
            filters=[strip],
            validators=[Optional(), at_most(MAX_TITLE)],
            render_kw={"lang": code},
        ),
        f"subject_{code}": version_subject_field(
            code, name, at_most(MAX_SUBJECT), _few_stacked_marks
        ),
        f"body_{code}": TextAreaField(
            gettext("Letter in %(language)s", language=name),
            validators=[_letter_not_too_long, _few_stacked_marks],
            render_kw={"lang": code, "rows": 14},
        ),
    }


def letter_form(languages: Sequence[str], **kwargs: Any) -> LetterForm:
    """The form for a petition with versions in these other languages."""
    return form_with_versions(LetterForm, languages, _letter_version, **kwargs)


def _country_choices(empty: str) -> list[tuple[str, str]]:
    return [("", empty), *country_choices()]


class TargetForm(Form):
    """One target typed in: a name, and how to reach them."""

    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[at_most(200), DataRequired(_l("Please give the target's name."))],
    )
    email = StringField(_l("Email address"), filters=[strip], validators=[at_most(254)])
    postal_address = TextAreaField(_l("Postal address"), validators=[at_most(1000)])
    phone = StringField(_l("Phone"), filters=[strip], validators=[at_most(100)])
    country = SelectField(_l("For supporters in"), validate_choice=True)
    salutation = StringField(
        _l("Salutation"),
        filters=[strip],
        validators=[at_most(MAX_SALUTATION)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices(gettext("Every supporter (a fixed target)"))

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then the rules every target follows, each fault beside its field."""
        valid = super().validate(extra_validators)
        self.target, problems = target_problems(
            self.name.data, self.email.data, self.postal_address.data,
            self.phone.data, self.country.data, self.salutation.data,
        )  # fmt: skip
        for problem in problems:
            field = self[problem.column or "email"]
            if not field.errors:  # one fault a field: its own check may have said it already
                field.errors = [str(problem)]
        return valid and not problems


class ImportForm(FlaskForm):
    """A CSV file of targets (the only form here that takes a file)."""

    file = FileField(_l("CSV file"))


class SupporterLetterForm(Form):
    """The supporter's copy of the letter, as they edited it, and their country."""

    country = SelectField(_l("Your country"), validate_choice=False)
    subject = _subject_field()
    body = _letter_field()

    class Meta(Form.Meta):
        csrf = False  # it changes nothing: the text travels in this request and is never kept

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices(gettext("Choose your country"))

    def chosen_country(self) -> str | None:
        """The chosen country, if it is one (anything else chooses none)."""
        code = (self.country.data or "").strip().upper()
        return code if len(code) == 2 and is_country_code(code) else None
