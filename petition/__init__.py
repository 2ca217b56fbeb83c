"""The petition service: sign, confirm by email, count, export.

The package itself imports nothing: `python -m petition.verify` must run where only Python and
`cryptography` are installed, and importing a package runs its `__init__` first. The app factory
lives in `petition.factory`; `create_app` is handed out from here on first use, so that
`flask --app petition` and `from petition import create_app` keep working.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from petition.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from petition.factory import create_app

        return create_app
    raise AttributeError(f"module 'petition' has no attribute {name!r}")
