"""A request whose database connection the server cut midway runs its view once more.

PostgreSQL ends connections when it restarts, fails over, or an operator terminates them.
`pool_pre_ping` catches a connection cut while it sat in the pool; a cut between that ping and
the request's query reached the visitor as a 503 page (the soak found one per cut). Where running
the view twice is harmless, it now runs once more on a fresh connection: every GET and HEAD, and
the POSTs marked `@runs_twice_safely` (signing, whose second run is a repeat of the first;
confirming). Before-request hooks do not run again.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError

from petition.transactions import release_session

View = TypeVar("View", bound=Callable[..., object])
_SAFE = "petition_runs_twice_safely"


def runs_twice_safely(view: View) -> View:
    """Mark a POST view that may run twice: its second run finds the first's work done."""
    setattr(view, _SAFE, True)
    return view


def _may_run_twice() -> bool:
    if request.method in ("GET", "HEAD"):
        return True
    endpoint = request.url_rule.endpoint if request.url_rule else None
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, _SAFE, False))


class PetitionFlask(Flask):
    """Flask, with a view run once more when the database cut its connection midway."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            return super().dispatch_request()
        except DBAPIError as error:
            if not (error.connection_invalidated and _may_run_twice()):
                raise
            self.logger.warning(
                "the database ended the connection of %s %s midway; running it once more",
                request.method,
                request.url_rule.rule if request.url_rule else "?",
            )
            release_session(None)
            return super().dispatch_request()
