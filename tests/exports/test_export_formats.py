"""Excel and date-range exports, the export log, the command line's export and the delivery pack."""

import io
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, PetitionEvent, Signature, SignatureStatus
from petition.petitions.history import event_detail
from tests.conftest import PASSWORD
from tests.helpers.checks import must

PEOPLE = [
    ("Айгерим Нурланова", "aigerim@example.org", "KZ", datetime(2026, 1, 5, 10, tzinfo=UTC)),
    ("=HYPERLINK(\"http://evil\")", "evil@example.org", "RU", datetime(2026, 1, 6, 23, 59, tzinfo=UTC)),
    ("Ann Smith", "ann@example.org", None, datetime(2026, 1, 7, 0, 0, tzinfo=UTC)),
]  # fmt: skip


@pytest.fixture
def petition(make_petition) -> Petition:
    """Three verified signers on three days, and one pending signer who must never appear."""
    petition = make_petition(title="Свободу адвокату", collects_country=True)
    for name, email, country, when in PEOPLE:
        db.session.add(
            Signature(
                petition_id=petition.id, name=name, email=email, email_canonical=email,
                country=country, status=SignatureStatus.CONFIRMED, created_at=when,
                confirmed_at=when,
            )
        )  # fmt: skip
    db.session.add(
        Signature(
            petition_id=petition.id, name="Pending Person", email="p@example.org",
            email_canonical="p@example.org", created_at=datetime(2026, 1, 6, tzinfo=UTC),
        )
    )  # fmt: skip
    petition.signature_count = len(PEOPLE)
    db.session.commit()
    return petition


@pytest.fixture
def organiser_client(client: FlaskClient, petition: Petition) -> FlaskClient:
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    return client


def sheet_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in workbook["Signatures"].iter_rows(values_only=True)]


def test_xlsx_opens_back_with_every_value_typed(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    response = organiser_client.get(f"/organisers/petitions/{petition.slug}/export.xlsx")
    assert response.status_code == 200
    assert must(response.mimetype).endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith('-signatures.xlsx"')
    header, *rows = sheet_rows(response.data)
    assert header == ("Name", "Email", "Country", "Signed (UTC)", "Confirmed (UTC)")
    assert [row[:3] for row in rows] == [(n, e, c) for n, e, c, _ in PEOPLE]
    assert rows[0][3] == datetime(2026, 1, 5, 10)
    workbook = load_workbook(io.BytesIO(response.data))
    cell = workbook["Signatures"]["A3"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK"), (
        "a name is never a formula"
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("first=2026-01-06", ["=HYPERLINK", "Ann"]),
        ("last=2026-01-06", ["Айгерим", "=HYPERLINK"]),
        ("first=2026-01-06&last=2026-01-06", ["=HYPERLINK"]),
        ("first=2026-02-01", []),
        ("first=&last=", ["Айгерим", "=HYPERLINK", "Ann"]),
    ],
)
def test_a_date_range_covers_whole_utc_days_in_every_format(
    organiser_client: FlaskClient, petition: Petition, query: str, names: list[str]
) -> None:
    base = f"/organisers/petitions/{petition.slug}/export"
    xlsx = [row[0] for row in sheet_rows(organiser_client.get(f"{base}.xlsx?{query}").data)[1:]]
    json = [r["name"] for r in organiser_client.get(f"{base}.json?{query}").get_json()]
    csv_lines = organiser_client.get(f"{base}.csv?{query}").get_data(as_text=True).splitlines()[1:]
    csv_names = [line.split(",")[0].lstrip("'\"") for line in csv_lines]
    for found in (xlsx, json, csv_names):
        assert [name[:3] for name in found] == [name.lstrip("=")[:3] for name in names] or [
            name[:3] for name in found
        ] == [name[:3] for name in names]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("first=2026-13-01", "Not a valid date value."),
        ("first=2026-02-01&last=2026-01-01", "The end of the range comes before its start."),
    ],
)
def test_a_bad_date_range_is_a_clear_400(
    organiser_client: FlaskClient, petition: Petition, query: str, message: str
) -> None:
    response = organiser_client.get(f"/organisers/petitions/{petition.slug}/export.csv?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_each_export_is_logged_and_shown_on_the_page(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    base = f"/organisers/petitions/{petition.slug}/export"
    organiser_client.get(f"{base}.xlsx").close()  # even a download cut short is logged
    organiser_client.get(f"{base}.csv?first=2026-01-06").get_data()
    log = db.session.scalars(
        select(PetitionEvent).where(PetitionEvent.action == "export").order_by(PetitionEvent.id)
    ).all()
    assert [(event_detail(event), event.rows) for event in log] == [
        ("XLSX, all dates", 3), ("CSV, 2026-01-06 to today", 2)
    ]  # fmt: skip
    assert [event.values for event in log] == [
        {"format": "xlsx", "source": "browser", "first": None, "last": None},
        {"format": "csv", "source": "browser", "first": "2026-01-06", "last": None},
    ]
    assert all(event.organiser_id is not None for event in log)
    page = organiser_client.get(f"/organisers/petitions/{petition.slug}/").get_data(as_text=True)
    export_log = page.split('id="export-log"')[1].split("</table>")[0]
    assert "organiser@example.org" in export_log and "XLSX, all dates" in export_log


def test_the_command_line_exports_xlsx_for_a_period_and_logs_it(
    runner: FlaskCliRunner, petition: Petition, tmp_path: Path
) -> None:
    output = tmp_path / "out.xlsx"
    result = runner.invoke(
        args=[
            "export",
            petition.slug,
            "--format",
            "xlsx",
            "--from",
            "2026-01-06",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    assert [row[0][:3] for row in sheet_rows(output.read_bytes())[1:]] == ["=HY", "Ann"]
    assert "2 verified signatures." in result.stderr
    assert "Exporting" not in result.stderr, "no progress bar when stderr is not a terminal"
    event = db.session.scalar(select(PetitionEvent).where(PetitionEvent.action == "export"))
    assert event is not None and event.organiser_id is None and event.rows == 2
    assert event.values["source"] == "command line"
    assert event_detail(event) == "XLSX, command line, 2026-01-06 to today"
    backwards = runner.invoke(
        args=["export", petition.slug, "--from", "2026-02-01", "--to", "2026-01-01"]
    )
    assert backwards.exit_code == 1 and "--to comes before --from" in backwards.output


def test_the_delivery_pack_lists_names_and_countries_without_addresses(
    organiser_client: FlaskClient, petition: Petition
) -> None:
    response = organiser_client.get(f"/organisers/petitions/{petition.slug}/delivery-pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Свободу адвокату" in text
    assert "Айгерим Нурланова" in text and "Kazakhstan" in text and "Ann Smith" in text
    assert "3 verified signatures" in text and "The city administration" in text
    assert "stop" in text and "evicting families" in text  # the petition's own text
    assert "@" not in text, "no email address may reach the printed pack"
    assert "Pending Person" not in text
    assert f"Page 1 of {len(reader.pages)}" in text


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Delivery pack (PDF)"),
        ("ru", "Пакет для вручения (PDF)"),
        ("kk", "Тапсыру пакеті (PDF)"),
    ],
)
def test_each_delivery_pack_is_logged_with_its_names_like_an_export(
    organiser_client: FlaskClient, petition: Petition, language: str, shown: str
) -> None:
    response = organiser_client.get(f"/organisers/petitions/{petition.slug}/delivery-pack.pdf")
    assert response.status_code == 200
    db.session.rollback()
    log = db.session.scalars(select(PetitionEvent).where(PetitionEvent.action == "export")).all()
    assert [(event_detail(event), event.rows) for event in log] == [("Delivery pack (PDF)", 3)]
    assert log[0].organiser_id is not None
    page = organiser_client.get(f"/organisers/petitions/{petition.slug}/?lang={language}").get_data(
        as_text=True
    )
    export_log = page.split('id="export-log"')[1].split("</table>")[0]
    assert "organiser@example.org" in export_log and shown in export_log


def test_the_delivery_pack_says_clearly_when_its_font_is_missing(
    make_app, make_organiser, make_petition
) -> None:
    app = make_app(DELIVERY_PACK_FONT="/nonexistent/font.ttf")
    with app.app_context():
        make_organiser()
        petition = make_petition()
        client = app.test_client()
        client.post(
            "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        response = client.get(f"/organisers/petitions/{petition.slug}/delivery-pack.pdf")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.get_data(as_text=True)
    with app.app_context():  # no names left, so nothing to log
        assert (
            db.session.scalars(select(PetitionEvent).where(PetitionEvent.action == "export")).all()
            == []
        )


def test_the_command_line_shows_a_progress_bar_on_a_terminal_only(
    petition: Petition, database_url: str, tmp_path: Path
) -> None:
    env = os.environ | {
        "FLASK_SECRET_KEY": "a test secret for the child process",
        "FLASK_CLIENT_HASH_KEY": "a client hash key for the child process",
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_OUTBOX_DELIVER_IN_WEB": "false",
    }
    command = [sys.executable, "-m", "flask", "--app", "petition", "export", petition.slug]
    output = tmp_path / "out.csv"
    primary, secondary = pty.openpty()
    try:
        on_terminal = subprocess.run(
            [*command, "--output", str(output)], stderr=secondary, env=env, timeout=60, check=True
        )
        os.close(secondary)
        seen = b""
        while True:
            try:
                piece = os.read(primary, 4096)
            except OSError:  # the terminal's other end is closed: everything has been read
                break
            if not piece:
                break
            seen += piece
    finally:
        os.close(primary)
    assert on_terminal.returncode == 0
    assert b"Exporting CSV" in seen and b"100%" in seen
    piped = subprocess.run(
        [*command, "--output", str(output)], capture_output=True, env=env, timeout=60, check=True
    )
    assert b"Exporting" not in piped.stderr and b"3 verified signatures." in piped.stderr
    assert output.read_text(encoding="utf-8-sig").count("\n") == 4
