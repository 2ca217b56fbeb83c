"""Error pages that say what happened in plain words, never a traceback."""

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from petition.i18n.languages import N_

# English message ids: each page translates its title and message when it is shown.
MESSAGES = {
    400: (N_("Something in that request was not right"), N_("Please go back and try again.")),
    401: (N_("Please log in"), N_("This page is for organisers who are logged in.")),
    403: (N_("Not allowed"), N_("You do not have access to this page.")),
    404: (N_("Page not found"), N_("There is nothing at this address. Check the link, or start from the home page.")),
    405: (N_("Not allowed here"), N_("This address does not accept that kind of request.")),
    409: (N_("Conflict"), N_("That could not be done in the current state. Please reload and try again.")),
    410: (N_("Gone"), N_("This is no longer available.")),
    413: (N_("Too much data"), N_("What you sent is larger than this site accepts. Please shorten it.")),
    429: (N_("Too many requests"), N_("Please wait a moment and try again.")),
    500: (N_("Something went wrong on our side"), N_("Nothing you did caused this. Please try again in a moment.")),
    503: (N_("Temporarily unavailable"), N_("The site is busy or being restarted. Please try again in a minute.")),
}  # fmt: skip


def _page(code: int, title: str | None = None, message: str | None = None) -> tuple[str, int]:
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html",
        code=code,
        title=gettext(title or default_title),
        message=gettext(message or default_message),
    ), code


def json_error(code: int, message: str) -> tuple[Response, int]:
    """An error for API clients: JSON, readable from any site like the API itself."""
    response = jsonify(error={"status": code, "message": message})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response, code


def register_error_handlers(app: Flask) -> None:
    """Every error gets one of our pages."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            N_("This form has expired"),
            N_(
                "For your security the form was too old or came without its cookie. "
                "Please go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str | Response, int]:
        if request.path.startswith("/api/"):  # also addresses no API route matched
            return json_error(error.code or 500, error.name)
        return _page(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        return _page(500)


def unavailable(error: Exception) -> tuple[str, int]:
    """The database is unreachable or busy: ask people to retry rather than show a crash."""
    return _page(503)
