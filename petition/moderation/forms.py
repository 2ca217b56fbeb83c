"""The organisers' bulk invalidation form: criteria, a reason, and limits a person understands."""

from datetime import UTC, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from petition.moderation.invalidations import Criteria
from petition.web.forms import Form, at_most


def _no_nul(text: str | None) -> str | None:
    if text and "\x00" in text:
        raise ValueError(gettext("Please remove the control characters from the reason."))
    return text


class InvalidationForm(Form):
    """Which signatures to mark fraudulent, and why."""

    domain = StringField(
        _l("Email domain"),
        validators=[
            Optional(),
            at_most(254),
        ],
    )
    network = StringField(
        _l("Client network (label from the table)"),
        validators=[
            Optional(),
            Regexp(r"^[0-9a-f]{8,32}$", message=_l("Copy the network's label from the table.")),
        ],
    )
    name_pattern = StringField(
        _l("Name pattern"),
        validators=[
            Optional(),
            at_most(200),
        ],
    )
    since = DateTimeLocalField(_l("Signed from (UTC)"), validators=[Optional()])
    until = DateTimeLocalField(_l("Signed before (UTC)"), validators=[Optional()])
    reason = TextAreaField(
        _l("Why"),
        validators=[
            DataRequired(_l("Please say why, for the record.")),
            Length(max=500, message=_l("Please keep the reason to 500 characters.")),
        ],
        # Line breaks are welcome in a reason; a NUL byte is refused (the database would).
        filters=[_no_nul],
    )

    def criteria(self) -> Criteria:
        """The criteria as the domain layer takes them; times are read as UTC."""

        def utc(moment: datetime | None) -> datetime | None:
            return moment.replace(tzinfo=UTC) if moment else None

        return Criteria(
            domain=(self.domain.data or "").strip() or None,
            network=(self.network.data or "").strip() or None,
            name_pattern=(self.name_pattern.data or "").strip() or None,
            since=utc(self.since.data),
            until=utc(self.until.data),
        )


class ReinstateForm(Form):
    """Why held signatures are given back; for all held for one reason, which reason."""

    reason = StringField(
        _l("Why"),
        validators=[
            DataRequired(_l("Please say why you reinstate it, for the record.")),
            Length(max=200, message=_l("Please keep the reason to 200 characters.")),
        ],
    )
    flag_reason = StringField(
        _l("Held for"),
        validators=[
            Optional(),
            Length(max=40, message=_l("Choose a reason from the list.")),
        ],
    )
