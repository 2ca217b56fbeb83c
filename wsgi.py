"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from petition import create_app
from petition.mail.background import deliverer_for

app = create_app()

if app.config["OUTBOX_DELIVER_IN_WEB"]:
    # Mail owed from before a restart goes out without waiting for the first request.
    deliverer_for(app).ensure_started()
