"""What no form was built for: files, JSON values and days at the calendar's ends.

Each gets a clear answer (a 400 with the field's message, or a command-line error), never a 500.
"""

import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import Petition, Signature
from tests.helpers.checks import must

SIGNER = {"name": "Айгерим Нурланова", "email": "aigerim@example.org"}
PUBLIC = "https://petitions.example.org"
FILE_MESSAGE = "Please type this in: a file or other data cannot go here."
DAY_MESSAGE = "Please choose a day from 2000 to 9998."
EXTREME_DAYS = ["9999-12-31", "0001-01-01"]


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # a crash answers 500, as in production
    with app.app_context():
        yield app


def signatures() -> int:
    db.session.rollback()
    return must(db.session.scalar(select(func.count()).select_from(Signature)))


def a_file() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"Hello Your account is locked"), "name.txt"


def widget_token(client: FlaskClient, slug: str) -> str:
    page = client.get(f"/petitions/{slug}/embed").get_data(as_text=True)
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


@pytest.mark.parametrize("field", ["name", "email"])
def test_a_file_in_a_field_of_the_sign_form_is_a_field_error(
    client: FlaskClient, make_petition, field: str
) -> None:
    petition = make_petition()
    response = client.post(
        f"/petitions/{petition.slug}/sign",
        data=SIGNER | {field: a_file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert FILE_MESSAGE in response.get_data(as_text=True)
    assert signatures() == 0


@pytest.mark.parametrize("field", ["name", "email", "form_token"])
def test_a_file_in_a_field_of_the_widget_is_a_field_error(
    client: FlaskClient, make_petition, field: str
) -> None:
    petition = make_petition()
    data = SIGNER | {"form_token": widget_token(client, petition.slug)} | {field: a_file()}
    response = client.post(
        f"/petitions/{petition.slug}/embed/sign",
        data=data,
        content_type="multipart/form-data",
        headers={"Origin": PUBLIC},
    )
    assert response.status_code == 400
    if field != "form_token":  # a missing form token is told as a stale form instead
        assert FILE_MESSAGE in response.get_data(as_text=True)
    assert signatures() == 0


@pytest.mark.parametrize(
    "body", [{"name": 5, "email": ["a@example.org"]}, {"name": "A", "email": [1]}, [1, 2], "text"]
)
def test_a_json_body_of_other_values_is_refused_clearly(
    client: FlaskClient, make_petition, body: object
) -> None:
    petition = make_petition()
    response = client.post(f"/petitions/{petition.slug}/sign", json=body)
    assert response.status_code == 400
    assert signatures() == 0


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize("end", ["first", "last"])
def test_an_export_range_at_the_calendars_ends_is_a_clear_400(
    organiser_client: FlaskClient, make_petition, day: str, end: str
) -> None:
    petition = make_petition()
    for fmt in ("csv", "xlsx", "json"):
        response = organiser_client.get(
            f"/organisers/petitions/{petition.slug}/export.{fmt}", query_string={end: day}
        )
        assert response.status_code == 400, fmt
        assert DAY_MESSAGE in response.get_data(as_text=True)
    inside = organiser_client.get(
        f"/organisers/petitions/{petition.slug}/export.csv",
        query_string={"first": "2000-01-01", "last": "9998-12-31"},
    )
    assert inside.status_code == 200 and inside.headers["X-Export-Rows"] == "0"


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_a_closing_day_at_the_calendars_ends_is_a_field_error(
    organiser_client: FlaskClient, make_petition, day: str
) -> None:
    form = {"title": "Keep the park", "body": "Text.", "closes_on": day, "language": "en"}
    new = organiser_client.post("/organisers/petitions/new", data=form)
    assert new.status_code == 400
    assert DAY_MESSAGE in new.get_data(as_text=True)
    petition = make_petition()
    edit = organiser_client.post(f"/organisers/petitions/{petition.slug}/edit", data=form)
    assert edit.status_code == 400
    assert DAY_MESSAGE in edit.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(select(Petition.title)).all() == [petition.title]
    far_ahead = form | {"closes_on": "9998-12-31"}  # the last day the service takes
    assert organiser_client.post("/organisers/petitions/new", data=far_ahead).status_code == 303


@pytest.mark.parametrize(
    "args",
    [
        ["export", "stop-evictions", "--from", "0001-01-01"],
        ["export", "stop-evictions", "--to", "9999-12-31"],
    ],
)
def test_the_command_line_refuses_days_at_the_calendars_ends(
    runner: FlaskCliRunner, make_petition, args: list[str]
) -> None:
    make_petition(slug="stop-evictions")
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert "is not a day from 2000-01-01 to 9998-12-31" in result.output


def test_the_command_line_refuses_a_closing_day_at_the_calendars_end(
    runner: FlaskCliRunner, make_organiser, tmp_path
) -> None:
    make_organiser()
    body = tmp_path / "body.md"
    body.write_text("Text.", encoding="utf-8")
    result = runner.invoke(
        args=["petitions", "add", "--title", "T", "--body-file", str(body),
              "--organiser", "organiser@example.org", "--closes", "9999-12-31"]
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "is not a day from 2000-01-01 to 9998-12-31" in result.output
    assert db.session.scalars(select(Petition)).all() == []
