"""Local-only development aids: the mail the site would have sent (when DEV_MAIL_VIEWER is on)."""

import re

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from petition.extensions import db
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


@bp.get("/mail")
def mail() -> str:
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
    ).all()
    links = {message.id: _LINK.findall(message.body_text) for message in messages}
    return render_template("dev/mail.html", messages=messages, links=links)
