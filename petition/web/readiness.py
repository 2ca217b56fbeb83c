"""Whether this process can serve: the check behind /healthz."""

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from petition.extensions import db


def database_is_up() -> bool:
    """Whether the database answers a trivial query now."""
    try:
        db.session.execute(select(1))
    except (DBAPIError, PoolTimeoutError):
        db.session.rollback()
        return False
    return True
