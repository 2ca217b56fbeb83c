"""The organiser's login guard for views, with the view's own signature kept for the type checker.

Flask-Login ships no type information, so its `login_required` would make every view it guards
untyped. This is the same function, declared with its real shape: it returns a view that takes
and returns what the guarded one does.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

__all__ = ["login_required"]

P = ParamSpec("P")
R = TypeVar("R")

if TYPE_CHECKING:

    def login_required(view: Callable[P, R]) -> Callable[P, R]:
        """Send a visitor who is not logged in to the login page; otherwise run the view."""

else:
    from flask_login import login_required
