"""Local-only development aids: the mail the site would have sent (when DEV_MAIL_VIEWER is on)."""

import re

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.outbox import ClaimedMessage, compose
from petition.models import OutboxMessage

bp = Blueprint("dev", __name__, url_prefix="/dev")
_LINK = re.compile(r"https?://\S+")
_LOOPBACK = {"127.0.0.1", "::1"}


@bp.before_request
def _local_development_only() -> None:
    # A request relayed by a proxy on this machine also comes from the loopback: the header tells.
    relayed = "X-Forwarded-For" in request.headers
    if not current_app.config["DEV_MAIL_VIEWER"] or request.remote_addr not in _LOOPBACK or relayed:
        abort(404)


def _written(row: OutboxMessage) -> Email | None:
    """The message as the deliverer writes it (its links are made anew, and work the same)."""
    try:
        return compose(ClaimedMessage.of(row))
    except LookupError:  # what it was about is gone
        return None


@bp.get("/mail")
def mail() -> str:
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50))
    messages = [(row, _written(row)) for row in rows]
    links = {row.id: _LINK.findall(email.text) for row, email in messages if email is not None}
    return render_template("dev/mail.html", messages=messages, links=links)
