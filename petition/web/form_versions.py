"""A mail's form in several languages: the petition's own, then one version per other language.

Each version's fields are named for their language (`subject_kk`, `body_kk`); a version is written
whole or left empty, and a stored one fills the form again under the same names.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from flask_babel import gettext as _
from wtforms import Field, StringField
from wtforms.validators import Optional

from petition.i18n.languages import LANGUAGES
from petition.web.forms import Form, Validator, strip

FormT = TypeVar("FormT", bound=Form)


def form_with_versions(
    base: type[FormT],
    languages: Sequence[str],
    version_fields: Callable[[str, str], dict[str, Any]],
    **kwargs: Any,
) -> FormT:
    """`base` with, for each other language, the fields `version_fields(code, name)` gives.

    The fields are named per language (`subject_kk`), so the class is made per request; the form
    keeps `languages` in order for the switcher.
    """
    fields: dict[str, Any] = {"languages": tuple(languages)}
    for code in languages:
        fields |= version_fields(code, LANGUAGES.get(code, code))
    form_class: type[FormT] = type(f"{base.__name__}WithVersions", (base,), fields)
    return form_class(**kwargs)


def version_subject_field(code: str, name: str, *limits: Validator) -> StringField:
    """A mail's subject in another language (`code`, called `name`): optional, within `limits`."""
    return StringField(
        _("Subject in %(language)s", language=name),
        filters=[strip],
        validators=[Optional(), *limits],
        render_kw={"lang": code},
    )


def versions_complete(pairs: Iterable[tuple[Field, Field]], missing_text: str) -> bool:
    """Whether each version in another language is both or neither: a subject and its text.

    A half-written version gets its message beside the empty field (`missing_text` names what
    the text is: an update's text, a letter); returns False if any did.
    """
    complete = True
    for subject, text in pairs:
        if subject.data and not (text.data or "").strip():
            text.errors = [*text.errors, missing_text]
            complete = False
        elif (text.data or "").strip() and not subject.data:
            subject.errors = [*subject.errors, _("Please give the subject in this language too.")]
            complete = False
    return complete


def stored_versions(
    versions: Mapping[str, Mapping[str, str]] | None, names: Sequence[str]
) -> dict[str, str | None]:
    """The form's data for the versions as stored (by language, then field `names`)."""
    return {
        f"{name}_{code}": version.get(name)
        for code, version in (versions or {}).items()
        for name in names
    }
