"""Exports of verified signatures: CSV safe for spreadsheets, JSON, and the organiser's download."""

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from petition.exports import rows as exports
from petition.exports.rows import BOM, export_chunks, safe_cell
from petition.extensions import db
from petition.models import Petition, Signature
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing.signatures import confirm_signature, sign_petition
from tests.conftest import DATABASE_URL_VARIABLE
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail
from tests.helpers.organisers import log_in

OWNER = "owner@example.org"
OWNER_PASSWORD = "owner password, long enough"
PLAIN_COLUMNS = ["name", "email", "signed_at", "confirmed_at"]


def sign_and_confirm(petition: Petition, name: str, email: str, country: str | None = None) -> None:
    """A signature through the real double opt-in: sign, then follow the emailed link."""
    sign_petition(petition, name=name, email=email, country=country)
    text = owed_mail()[-1].text
    match = re.search(r"/confirm/([^\s?]+)", text or "")
    assert match, text
    confirm_signature(match.group(1))


def csv_text(petition: Petition) -> str:
    return "".join(export_chunks(petition, "csv"))


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


def json_records(petition: Petition) -> list[dict[str, str]]:
    return json.loads("".join(export_chunks(petition, "json")))


@pytest.fixture
def petition(make_petition, make_organiser) -> Petition:
    return make_petition(organiser=make_organiser(OWNER, OWNER_PASSWORD))


# --- the CSV ---------------------------------------------------------------------------------


def test_csv_has_a_bom_a_header_and_only_confirmed_signatures(petition: Petition) -> None:
    sign_and_confirm(petition, "Ann Smith", "ann@example.org")
    sign_petition(petition, name="Pending Person", email="pending@example.org")
    sign_and_confirm(petition, "Айгерим Нурланова", "aigerim@example.org")
    text = csv_text(petition)
    assert text.startswith(BOM + "name,email,signed_at,confirmed_at\r\n")
    header, *rows = csv_rows(text)
    assert header == PLAIN_COLUMNS
    assert [row[:2] for row in rows] == [
        ["Ann Smith", "ann@example.org"],
        ["Айгерим Нурланова", "aigerim@example.org"],
    ]
    assert "pending" not in text.lower()


def test_csv_bytes_decode_to_intact_cyrillic(petition: Petition) -> None:
    sign_and_confirm(petition, "Нұрлан Әлиев", "nurlan@example.org")
    data = csv_text(petition).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Нұрлан Әлиев" in data.decode("utf-8-sig")


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "\tTab", "\rReturn"])  # fmt: skip
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(petition: Petition, name: str) -> None:
    sign_and_confirm(petition, name, "ann@example.org")
    [row] = csv_rows(csv_text(petition))[1:]
    assert row[0] == "'" + name


def test_csv_keeps_harmless_names_as_they_are(petition: Petition) -> None:
    sign_and_confirm(petition, "Ann = Bob's friend", "ann@example.org")
    [row] = csv_rows(csv_text(petition))[1:]
    assert row[0] == "Ann = Bob's friend"


def test_times_are_utc_iso_8601_ending_in_z(petition: Petition) -> None:
    sign_and_confirm(petition, "Ann", "ann@example.org")
    almaty = timezone(timedelta(hours=5))
    signature = db.session.scalar(select(Signature))
    assert signature is not None
    signature.created_at = datetime(2025, 3, 1, 17, 4, 5, 123456, tzinfo=almaty)
    signature.confirmed_at = datetime(2025, 3, 2, 0, 30, 0, tzinfo=almaty)
    db.session.commit()
    [row] = csv_rows(csv_text(petition))[1:]
    assert row[2:] == ["2025-03-01T12:04:05Z", "2025-03-01T19:30:00Z"]
    [record] = json_records(petition)
    assert (record["signed_at"], record["confirmed_at"]) == tuple(row[2:])


def test_an_export_of_no_signatures_is_a_header_or_an_empty_list(petition: Petition) -> None:
    sign_petition(petition, name="Pending Person", email="pending@example.org")
    assert csv_text(petition) == BOM + "name,email,signed_at,confirmed_at\r\n"
    assert json_records(petition) == []


def test_an_export_larger_than_one_batch_loses_no_row(
    petition: Petition, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH_ROWS", 3)
    for n in range(7):
        sign_and_confirm(petition, f"Signer {n}", f"signer{n}@example.org")
    chunks = list(export_chunks(petition, "csv"))
    assert len(chunks) == 1 + 3  # the header, then batches of 3, 3 and 1
    names = [row[0] for row in csv_rows("".join(chunks))[1:]]
    assert names == [f"Signer {n}" for n in range(7)]
    assert [r["name"] for r in json_records(petition)] == names


# --- JSON and the country column ----------------------------------------------------------------


def test_json_export_parses_and_matches_the_csv(petition: Petition) -> None:
    sign_and_confirm(petition, "Ann Smith", "ann@example.org")
    sign_and_confirm(petition, "Айгерим", "aigerim@example.org")
    sign_petition(petition, name="Pending Person", email="pending@example.org")
    header, *rows = csv_rows(csv_text(petition))
    records = json_records(petition)
    assert records == [dict(zip(header, row, strict=True)) for row in rows]
    assert [r["name"] for r in records] == ["Ann Smith", "Айгерим"]


def test_a_petition_that_collects_country_exports_a_country_column(petition: Petition) -> None:
    petition.collects_country = True
    db.session.commit()
    sign_and_confirm(petition, "Ann", "ann@example.org", country="KZ")
    sign_and_confirm(petition, "Bob", "bob@example.org")
    header, *rows = csv_rows(csv_text(petition))
    assert header == ["name", "email", "country", "signed_at", "confirmed_at"]
    assert [row[2] for row in rows] == ["KZ", ""]
    assert [r["country"] for r in json_records(petition)] == ["KZ", ""]


def test_export_refuses_an_unknown_format(petition: Petition) -> None:
    with pytest.raises(ValueError, match="xlsx"):
        export_chunks(petition, "xlsx")


# --- safe_cell ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+7 701 000 0000", "'+7 701 000 0000"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ann", "Ann"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        ("Айгерим", "Айгерим"),
        ("'quoted", "'quoted"),
    ],
)
def test_safe_cell(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


# --- the organiser's download ----------------------------------------------------------------


def test_the_organiser_downloads_a_streamed_csv(client: FlaskClient, petition: Petition) -> None:
    sign_and_confirm(petition, "Айгерим", "aigerim@example.org")
    assert log_in(client, OWNER, OWNER_PASSWORD).status_code == 303
    response = client.get(f"/organisers/petitions/{petition.slug}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{petition.slug}-signatures.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.is_streamed
    header, row = csv_rows(response.get_data().decode("utf-8"))
    assert header == PLAIN_COLUMNS and row[:2] == ["Айгерим", "aigerim@example.org"]


def test_the_organiser_downloads_json(client: FlaskClient, petition: Petition) -> None:
    sign_and_confirm(petition, "Ann", "ann@example.org")
    assert log_in(client, OWNER, OWNER_PASSWORD).status_code == 303
    response = client.get(f"/organisers/petitions/{petition.slug}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert (
        'filename="' + petition.slug + '-signatures.json"'
        in response.headers["Content-Disposition"]
    )
    assert [r["email"] for r in json.loads(response.get_data(as_text=True))] == ["ann@example.org"]


def test_another_organiser_gets_404(
    client: FlaskClient, petition: Petition, make_organiser
) -> None:
    sign_and_confirm(petition, "Ann", "ann@example.org")
    make_organiser("other@example.org", "another long password")
    assert log_in(client, "other@example.org", "another long password").status_code == 303
    for fmt in ("csv", "json"):
        response = client.get(f"/organisers/petitions/{petition.slug}/export.{fmt}")
        assert response.status_code == 404
        assert b"ann@example.org" not in response.data


def test_a_logged_out_visitor_is_sent_to_log_in(client: FlaskClient, petition: Petition) -> None:
    path = f"/organisers/petitions/{petition.slug}/export.csv"
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/organisers/login?next=")
    assert petition.slug in response.location


@pytest.mark.parametrize("path", ["export.xls", "export.CSV", "export"])
def test_an_unknown_format_is_404(client: FlaskClient, petition: Petition, path: str) -> None:
    assert log_in(client, OWNER, OWNER_PASSWORD).status_code == 303
    assert client.get(f"/organisers/petitions/{petition.slug}/{path}").status_code == 404


def test_an_unknown_petition_is_404(client: FlaskClient, petition: Petition) -> None:
    assert log_in(client, OWNER, OWNER_PASSWORD).status_code == 303
    assert client.get("/organisers/petitions/no-such-petition/export.csv").status_code == 404


def test_an_organiser_of_two_petitions_gets_each_ones_own_signatures(
    app: Flask, client: FlaskClient, petition: Petition, make_petition
) -> None:
    stored = must(db.session.scalar(select(Petition).where(Petition.id == petition.id)))
    owner = stored.organisers[0]
    second = make_petition(title="Free the jailed lawyer", organiser=owner)
    sign_and_confirm(petition, "Ann", "ann@example.org")
    sign_and_confirm(second, "Bob", "bob@example.org")
    assert log_in(client, OWNER, OWNER_PASSWORD).status_code == 303
    body = client.get(f"/organisers/petitions/{second.slug}/export.csv").get_data(as_text=True)
    assert "bob@example.org" in body and "ann@example.org" not in body


def test_times_stay_utc_when_the_database_speaks_another_zone(make_app) -> None:
    if not os.environ.get(DATABASE_URL_VARIABLE):
        pytest.skip("only a server database has a session time zone")
    app = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c timezone=Asia/Almaty"}}
    )
    with app.app_context():
        assert db.session.execute(text("SHOW timezone")).scalar() == "Asia/Almaty"
        organiser = set_organiser_password(OWNER, OWNER_PASSWORD)
        petition = create_petition(title="Clean air", body="Now.", organiser=organiser)
        sign_and_confirm(petition, "Ann", "ann@example.org")
        signature = db.session.scalar(select(Signature))
        assert signature is not None
        signature.confirmed_at = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
        db.session.commit()
        [row] = csv_rows(csv_text(petition))[1:]
        assert row[3] == "2025-03-01T23:30:00Z"


# --- the fast CSV path -----------------------------------------------------------------------


def written(batches: Iterator[Sequence[Sequence[str]]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for batch in batches:
        writer.writerows(batch)
    return buffer.getvalue()


def test_times_formatted_by_the_database_match_the_datetime_path(make_petition) -> None:
    petition = make_petition(collects_country=True)
    sign_and_confirm(petition, "Айгерим Нурланова", "aigerim@example.org", country="KZ")
    sign_and_confirm(petition, '=HYPERLINK("x")', "formula@example.org")
    sign_and_confirm(petition, 'Ann, "the" Smith', "ann@example.org", country="GB")
    sign_and_confirm(petition, "Bob", "bob@example.org")
    first, second, third, _ = db.session.scalars(select(Signature).order_by(Signature.id))
    first.email = "+7@example.org"  # a formula start in another column
    second.confirmed_at = datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    third.confirmed_at = None
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Stored with a non-UTC offset, as another client might write it.
        db.session.execute(
            text("UPDATE signatures SET created_at = '2025-03-02 02:30:00+03' WHERE id = :id"),
            {"id": first.id},
        )
        db.session.commit()
    fast = written(exports.csv_text_batches(petition))
    assert fast == written(exports.record_batches(petition))
    rows = list(csv.reader(io.StringIO(fast, newline="")))
    assert rows[0][0] == "Айгерим Нурланова" and rows[0][1] == "'+7@example.org"
    assert rows[1][0] == '\'=HYPERLINK("x")' and rows[1][4] == "2025-03-01T23:59:59Z"
    assert rows[2][:3] == ['Ann, "the" Smith', "ann@example.org", "GB"] and rows[2][4] == ""
    if db.session.get_bind().dialect.name == "postgresql":
        assert rows[0][3] == "2025-03-01T23:30:00Z"
