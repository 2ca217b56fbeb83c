"""Acting as an organiser through the test client."""

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD


def log_in(
    client: FlaskClient,
    email: str = "organiser@example.org",
    password: str = PASSWORD,
    **request: Any,
) -> TestResponse:
    """Post the organiser login form; the answer (303 to the dashboard when it succeeds)."""
    return client.post("/organisers/login", data={"email": email, "password": password}, **request)
