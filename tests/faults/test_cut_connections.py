"""A connection the database server ends between the pool's ping and a request's query: the view
runs once more on a fresh connection where that is harmless (reads, signing, confirming), so the
visitor sees the page, not a 503; elsewhere the 503 stays, and a second cut is not retried."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

from petition.extensions import db
from petition.models import Petition
from petition.petitions.public_copies import forget_public_copies
from tests.helpers.organisers import log_in
from tests.helpers.signing import count_of, mailed_confirm_path, sign, signature_of


class Cutter:
    """Ends the app's own server connection right before its next `cuts` queries run."""

    def __init__(self, database_url: str) -> None:
        self.admin = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self.cuts = 0
        self.done = 0

    def before_query(self, connection: Any, *_args: Any) -> None:
        if self.cuts <= 0:
            return
        self.cuts -= 1
        pid = connection.connection.dbapi_connection.info.backend_pid
        with self.admin.connect() as admin:  # waits until the server has ended it
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)}, 5000)")
        self.done += 1


@pytest.fixture
def cutter(app: Flask, database_url: str) -> Iterator[Cutter]:
    if not database_url.startswith("postgresql"):
        pytest.skip("cuts server connections; runs when the suite runs on PostgreSQL")
    cutter = Cutter(database_url)
    event.listen(db.engine, "before_cursor_execute", cutter.before_query)
    yield cutter
    event.remove(db.engine, "before_cursor_execute", cutter.before_query)
    cutter.admin.dispose()


def fresh(client: FlaskClient) -> FlaskClient:
    """The client, with this process's copies of petitions forgotten so pages read the database."""
    db.session.remove()
    forget_public_copies()
    return client


@pytest.mark.postgres
def test_a_page_read_over_a_cut_connection_is_read_again(
    client: FlaskClient, make_petition: Callable[..., Petition], cutter: Cutter
) -> None:
    slug = make_petition().slug
    cutter.cuts = 1
    response = fresh(client).get(f"/petitions/{slug}?lang=en")
    assert cutter.done == 1 and response.status_code == 200
    assert "Stop the forced evictions" in response.get_data(as_text=True)


@pytest.mark.postgres
def test_signing_and_confirming_over_a_cut_connection_are_done_once(
    client: FlaskClient, make_petition: Callable[..., Petition], cutter: Cutter
) -> None:
    slug = make_petition().slug
    cutter.cuts = 1
    assert sign(fresh(client), slug).status_code == 303
    assert cutter.done == 1 and signature_of("ann@example.org").status == "pending"
    path = mailed_confirm_path()
    cutter.cuts = 1
    assert fresh(client).post(path).status_code == 303
    assert cutter.done == 2 and count_of(slug) == 1


@pytest.mark.postgres
def test_a_post_not_marked_safe_to_run_twice_still_answers_503(
    client: FlaskClient, make_organiser: Callable[..., Any], cutter: Cutter
) -> None:
    make_organiser()
    cutter.cuts = 1
    assert log_in(fresh(client)).status_code == 503
    assert cutter.done == 1


@pytest.mark.postgres
def test_a_view_is_run_once_more_only_once(
    client: FlaskClient, make_petition: Callable[..., Petition], cutter: Cutter
) -> None:
    slug = make_petition().slug
    cutter.cuts = 2
    assert fresh(client).get(f"/petitions/{slug}?lang=en").status_code == 503
    assert cutter.done == 2
