"""Files of targets as spreadsheets save them: Excel's Russian CSV, tabs, UTF-16, every bad row."""

import csv
import io
import os
import re
import time
from collections.abc import Callable
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.extensions import db
from petition.letters.target_files import COLUMNS, MAX_PROBLEMS, OPTIONAL_COLUMNS
from petition.models import LetterTarget, Organiser, Petition
from petition.petitions.versions import save_petition_text
from tests.conftest import PASSWORD
from tests.helpers.checks import must
from tests.letters.support import upload, write_action

MakePetition = Callable[..., Petition]
HEADER = "name,email,postal_address,phone,country"

# What Excel in a Russian locale writes for "CSV (разделители — запятые)": Windows-1251, semicolons,
# CRLF, and a cell with a line break inside quotes (so row 3 of the sheet is lines 3 and 4).
EXCEL_RU = (
    "name;email;postal_address;phone;country;salutation\r\n"
    "Посольство Казахстана в России;embassy.ru@example.org;Москва, Чистопрудный бульвар, 3А;"
    "8 495 627-18-12;RU;Уважаемый господин посол,\r\n"
    'Верховный суд Республики Казахстан;;"010000, Астана,\r\nул. Д. Кунаева, 39";;;\r\n'
    "Генеральная прокуратура;prokuratura@example.org;;;KZ;\r\n"
).encode("cp1251")


def _targets() -> int:
    return db.session.scalar(select(func.count()).select_from(LetterTarget)) or 0


def _names() -> list[str]:
    return list(db.session.scalars(select(LetterTarget.name).order_by(LetterTarget.id)))


def _problems(page: str) -> list[str]:
    """The faulty rows the page lists, as it words them."""
    listed = re.search(r'<ul id="csv-problems">(.*?)</ul>', page, flags=re.S)
    assert listed, page[-3000:]
    return [unescape(item).strip() for item in re.findall(r"<li>(.*?)</li>", listed.group(1))]


@pytest.fixture
def letter(organiser_client: FlaskClient, make_petition: MakePetition) -> tuple[str, int]:
    slug = make_petition().slug
    return slug, write_action(organiser_client, slug)


def test_excels_russian_csv_is_read_with_its_encoding_separator_and_line_breaks(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter
    assert upload(organiser_client, slug, action_id, EXCEL_RU).status_code == 303
    assert _names() == [
        "Посольство Казахстана в России",
        "Верховный суд Республики Казахстан",
        "Генеральная прокуратура",
    ]
    court = db.session.scalar(select(LetterTarget).where(LetterTarget.country.is_(None)))
    assert court is not None and court.postal_address == "010000, Астана,\nул. Д. Кунаева, 39"
    embassy = db.session.scalar(select(LetterTarget).where(LetterTarget.country == "RU"))
    assert embassy is not None and embassy.salutation == "Уважаемый господин посол,"


@pytest.mark.parametrize(
    "data",
    [
        ("name\temail\tpostal_address\tphone\tcountry\n"
         "Суд\tcourt@example.org\t\"Астана,\tул. Кунаева\"\t\t\n").encode(),
        "\ufeffname;email;postal_address;phone;country\r\nСуд;court@example.org;Астана;;\r\n".encode(),
        # Excel's "Unicode text": UTF-16 with a byte order mark, tab-separated.
        "name\temail\tpostal_address\tphone\tcountry\r\nСуд\tcourt@example.org\tАстана\t\t\r\n"
        .encode("utf-16"),
        # Columns a spreadsheet added once they were formatted: empty, so harmless.
        f"{HEADER},,\nСуд,court@example.org,Астана,,,,\n".encode(),
    ],
    ids=["tabs", "utf8-bom-semicolons", "utf16-tabs", "empty-extra-columns"],
)  # fmt: skip
def test_tabs_semicolons_and_byte_order_marks_are_read(
    organiser_client: FlaskClient, letter: tuple[str, int], data: bytes
) -> None:
    slug, action_id = letter
    assert upload(organiser_client, slug, action_id, data).status_code == 303
    stored = db.session.scalar(select(LetterTarget))
    assert stored is not None and (stored.name, stored.email) == ("Суд", "court@example.org")
    assert stored.postal_address in {"Астана", "Астана,\tул. Кунаева"}


def test_every_bad_row_is_named_as_the_spreadsheet_numbers_it_and_nothing_is_imported(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter
    # Row 2 spans two lines of text; rows 3, 5 and 6 are bad; row 4 is good.
    data = (
        "name;email;postal_address;phone;country\r\n"
        'Посольство;embassy@example.org;"Москва,\r\nЧистопрудный бульвар, 3А";;RU\r\n'
        "Суд;not-an-address;;;\r\n"
        "Прокуратура;prokuratura@example.org;;;KZ\r\n"
        ";;Астана;;XX\r\n"
        "МИД;;;\r\n"
    ).encode("cp1251")
    response = upload(organiser_client, slug, action_id, data)
    assert response.status_code == 400
    page = unescape(response.text)
    assert "Nothing was imported; fix these rows and upload the file again." in page
    problems = _problems(response.text)
    assert problems[0].startswith("Row 3, column “email”: “not-an-address” is not an email")
    assert problems[1:] == [
        "Row 5, column “name”: Every target needs a name.",
        "Row 5, column “country”: “XX” is not a known two-letter country code.",
        "Row 6: 4 columns instead of 5.",
    ]
    # The file field is described by the list, so a screen reader hears it at the field.
    field = re.search(r"<input[^>]*type=\"file\"[^>]*>", response.text)
    assert field and 'aria-describedby="csv-problems csv-hint"' in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert _targets() == 0


def test_past_fifty_bad_rows_the_rest_are_counted(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter
    data = (HEADER + "\n" + "A,bad,,,\n" * (MAX_PROBLEMS + 10)).encode()
    response = upload(organiser_client, slug, action_id, data)
    problems = _problems(response.text)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].startswith("Row 2, column “email”")
    assert problems[-2].startswith(f"Row {MAX_PROBLEMS + 1}, column “email”")
    assert problems[-1] == "…and 10 more problems."
    assert _targets() == 0


def test_a_row_past_the_readers_limit_is_named_with_the_rows_before_it(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter
    data = f"{HEADER}\nA,bad,,,\nB,,{'x' * 200_000},,\nC,,,,\n".encode()
    response = upload(organiser_client, slug, action_id, data)
    assert response.status_code == 400
    problems = _problems(response.text)
    assert problems[0].startswith("Row 2, column “email”")
    assert problems[1:] == ["Row 3: This is not a CSV row."]
    assert _targets() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "could not be read as text"),
        (b"\xff\xd8\xff\xe0" + b"\x98\x00\x81" * 1000, "could not be read as text"),
        (HEADER.encode() + b"\n\x00\x00,,,,\n", "not a text file"),
        (b"", "The file is empty."),
        (b"\r\n\r\n", "The file is empty."),
        (b"name|email|postal_address|phone|country\nA||||\n", "Give the first row these names"),
    ],
    ids=["png", "jpeg", "nul", "empty", "blank", "pipes"],
)
def test_a_file_that_is_not_a_spreadsheets_csv_is_refused_with_how_to_save_one(
    organiser_client: FlaskClient, letter: tuple[str, int], data: bytes, message: str
) -> None:
    slug, action_id = letter
    response = upload(organiser_client, slug, action_id, data)
    assert response.status_code == 400
    assert message in unescape(response.text)
    assert 'id="csv-problems"' not in response.text
    assert _targets() == 0


def test_the_refusal_of_an_unreadable_file_says_how_to_save_it_in_russian(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter
    response = organiser_client.post(
        f"/organisers/petitions/{slug}/letters/{action_id}/targets/import?lang=ru",
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40), "t.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "CSV UTF-8" in unescape(response.text)


def test_the_example_file_has_the_importers_columns_and_rows_in_the_petitions_languages(
    organiser_client: FlaskClient, make_petition: MakePetition
) -> None:
    petition = make_petition()
    save_petition_text(
        petition, must(db.session.scalar(select(Organiser))), language="ru", title="Т", body="Т."
    )
    action_id = write_action(organiser_client, petition.slug)
    base = f"/organisers/petitions/{petition.slug}/letters/{action_id}"
    assert 'href="' + base + '/targets/example.csv"' in organiser_client.get(base).text
    example = organiser_client.get(f"{base}/targets/example.csv")
    assert example.status_code == 200 and example.mimetype == "text/csv"
    assert "attachment" in example.headers["Content-Disposition"]
    assert example.data.startswith(b"\xef\xbb\xbf")  # so that Excel reads the Cyrillic as UTF-8
    rows = list(csv.reader(io.StringIO(example.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [*COLUMNS, *OPTIONAL_COLUMNS]
    names = [row[0] for row in rows[1:]]
    assert "Embassy of Kazakhstan in Germany" in names  # English, the petition's own
    assert "Посольство Казахстана в России" in names  # Russian, its version's
    assert upload(organiser_client, petition.slug, action_id, example.data).status_code == 303
    assert _names() == names


def test_in_russian_the_example_is_separated_as_russian_excel_expects_and_still_imports(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter
    example = organiser_client.get(
        f"/organisers/petitions/{slug}/letters/{action_id}/targets/example.csv?lang=ru"
    )
    header = example.data.decode("utf-8-sig").splitlines()[0]
    assert header == ";".join((*COLUMNS, *OPTIONAL_COLUMNS))
    assert upload(organiser_client, slug, action_id, example.data).status_code == 303
    assert _targets() == 2


def test_the_example_is_not_for_other_organisers(
    app: Flask, letter: tuple[str, int], make_organiser: Callable[..., object]
) -> None:
    slug, action_id = letter
    path = f"/organisers/petitions/{slug}/letters/{action_id}/targets/example.csv"
    # Strangers are sent to the login by the walk over every organiser URL.
    make_organiser("other@example.org")
    other = app.test_client()
    other.post("/organisers/login", data={"email": "other@example.org", "password": PASSWORD})
    assert other.get(path).status_code == 404


def _hostile() -> dict[str, bytes]:
    """Files of nearly the largest size taken, built to make a reader work hard."""
    size = 999_000
    return {
        "random": os.urandom(size),
        "one-lead-byte": b"\xd0" * size,
        "cp1251-and-one-undefined": ("Посольство;" * (size // 11)).encode("cp1251")[:-1] + b"\x98",
        "open-quote": b'"' + b"a" * size,
        "one-long-header": b";" * size,
        "many-columns": (HEADER + "\n" + "a," * (size // 2 - 30)).encode(),
        "blank-rows": (HEADER + "\n" + "\n" * (size - 50)).encode(),
        "bad-rows": (HEADER + "\n" + ",bad,,,XX\n" * (size // 10 - 10)).encode(),
        "utf16-noise": b"\xff\xfe" + os.urandom(size),
    }


@pytest.mark.serial
def test_a_hostile_megabyte_costs_no_more_than_a_small_file(
    organiser_client: FlaskClient, letter: tuple[str, int]
) -> None:
    slug, action_id = letter

    def best_of_three(data: bytes) -> float:
        took = []
        for _ in range(3):
            start = time.perf_counter()
            response = upload(organiser_client, slug, action_id, data)
            took.append(time.perf_counter() - start)
            assert response.status_code == 400, response.text[-500:]
        return min(took)

    # A small file that is refused too, so both ask for the same page.
    baseline = best_of_three(f"{HEADER}\nA,bad,,,\n".encode())
    for name, data in _hostile().items():
        extra = best_of_three(data) - baseline
        # Reading a megabyte is work; seconds of it would be a door for anyone with an account.
        assert extra < 0.5 + 4 * baseline, f"{name}: {extra * 1000:.0f} ms more than a small file"
    assert _targets() == 0
