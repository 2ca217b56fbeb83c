"""Files of targets as spreadsheets save them: the encoding and the separator found, every faulty
row named as the spreadsheet numbers it, and an example file to start from."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from charset_normalizer import from_bytes
from flask_babel import gettext

from petition.i18n.languages import format_number
from petition.letters.targets import TargetData, TargetError, target_problems

MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 1000
MAX_PROBLEMS = 50  # named on the page; the rest are counted
COLUMNS = ("name", "email", "postal_address", "phone", "country")
# Columns a file may leave out (files written before they existed still import).
OPTIONAL_COLUMNS = ("salutation",)
# Comma (most locales), semicolon (Excel where the decimal mark is a comma, as in Russian and
# Kazakh), tab (Excel's "Unicode text").
DELIMITERS = (",", ";", "\t")
_MAX_HEADER = 64  # cells of a first row looked at one by one; a header of targets has fewer
# What spreadsheets save besides UTF-8: "CSV" in a Cyrillic Windows locale, and Excel's "Unicode
# text" (UTF-16 with a byte order mark). Only these are asked about: left to choose among all
# encodings, the detector takes a short Cyrillic file for Vietnamese or Polish.
_OTHER_ENCODINGS = ["cp1251", "utf_16"]


@dataclass(frozen=True)
class RowProblem:
    """What is wrong in one row of a file, where a spreadsheet shows it."""

    row: int  # as the spreadsheet numbers it: the header is row 1, however many lines a cell has
    column: str | None  # as the file's header names it; None: the row as a whole
    problem: str


class TargetFileError(TargetError):
    """A file of targets with faulty rows: the first MAX_PROBLEMS, and how many more there are."""

    def __init__(self, problems: list[RowProblem], more: int) -> None:
        super().__init__(gettext("Nothing was imported; fix these rows and upload the file again."))
        self.problems = problems
        self.more = more


def parse_targets_csv(data: bytes) -> list[TargetData]:
    """Every row of a file of targets, checked: all of them, or a TargetError naming the faults."""
    text = _text(data)
    delimiter, header = _header(text)
    records, broken_at = _records(text, delimiter)
    targets: list[TargetData] = []
    problems: list[RowProblem] = []
    for row, record in records:
        problems.extend(_row_problems(row, header, record, targets))
    if broken_at is not None:
        problems.append(RowProblem(broken_at, None, gettext("This is not a CSV row.")))
    if problems:
        raise TargetFileError(problems[:MAX_PROBLEMS], len(problems) - MAX_PROBLEMS)
    if not targets:
        raise TargetError(gettext("The file has a header but no targets."))
    return targets


def _records(text: str, delimiter: str) -> tuple[list[tuple[int, list[str]]], int | None]:
    """The rows under the header that have something in them, each with its number; and the
    row where the file stops being CSV, if it does. Counted before any is checked."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    row = 1  # a record's place in the file, from 1: the row a spreadsheet shows it in
    try:
        next(reader)
        for row, record in enumerate(reader, start=2):
            if row > MAX_CSV_ROWS * 10:  # empty rows cost reading too
                raise TargetError(
                    gettext(
                        "The file has more than %(max)s rows, counting empty ones. "
                        "Please delete the empty rows or split the file.",
                        max=format_number(MAX_CSV_ROWS * 10),
                    )
                )
            if not any(record) or not "".join(record).strip():
                continue  # a blank row, as spreadsheets leave at the end
            if len(records) == MAX_CSV_ROWS:
                raise TargetError(
                    gettext(
                        "The file has more than %(max)s targets. Please split it.",
                        max=format_number(MAX_CSV_ROWS),
                    )
                )
            records.append((row, record))
    except csv.Error:  # a cell past the reader's limit: what follows cannot be trusted
        return records, row + 1
    return records, None


def _row_problems(
    row: int, header: list[str], record: list[str], targets: list[TargetData]
) -> list[RowProblem]:
    """The row's faults; none, and its target joins `targets`."""
    if len(record) < len(header) or "".join(record[len(header) :]).strip():
        return [
            RowProblem(
                row,
                None,
                gettext(
                    "%(count)s columns instead of %(expected)s.",
                    count=format_number(len(record)),
                    expected=format_number(len(header)),
                ),
            )
        ]
    # Cells past the header's are empty: spreadsheets write them for a column once formatted.
    target, faults = target_problems(**dict(zip(header, record, strict=False)))
    if not faults:
        targets.append(target)
    return [RowProblem(row, fault.column, str(fault)) for fault in faults]


def _text(data: bytes) -> str:
    """The file as text: UTF-8 (with or without a byte order mark), else as the detector finds."""
    if len(data) > MAX_CSV_BYTES:
        raise TargetError(
            gettext(
                "The file is larger than %(max)s MB. Please split it.",
                max=format_number(MAX_CSV_BYTES // 1_000_000),
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The detector reads samples of the file and one decoding of it: linear in its size.
        match = from_bytes(data, cp_isolation=_OTHER_ENCODINGS).best()
        if match is None:
            raise TargetError(
                gettext(
                    "The file could not be read as text. In your spreadsheet choose “Save as”, "
                    "then the type “CSV UTF-8”, and upload that file."
                )
            ) from None
        text = str(match).removeprefix("\ufeff")
    if "\x00" in text:
        raise TargetError(gettext("The file is not a text file."))
    return text


def _header(text: str) -> tuple[str, list[str]]:
    """The separator that splits the first row into the expected columns, and those columns."""
    if not text.strip():
        raise TargetError(gettext("The file is empty."))
    tried: list[list[str]] = []
    for delimiter in DELIMITERS:
        names = _first_row(text, delimiter)
        if _expected(names):
            return delimiter, names
        tried.append(names)
    found = max(tried, key=len)  # the separator that splits it most is the file's own
    raise TargetError(
        gettext(
            "Row 1: the columns must be %(expected)s, and may include %(optional)s; this file "
            "has %(found)s. Give the first row these names, as the example file has them.",
            expected=", ".join(COLUMNS),
            optional=", ".join(OPTIONAL_COLUMNS),
            found=", ".join(found[:20])[:300] or "—",
        )
    )


def _first_row(text: str, delimiter: str) -> list[str]:
    """The first row's cells, as column names, split at `delimiter` (read once, to its end)."""
    try:
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:  # a header cell past the reader's limit
        return []
    names = [cell.strip().lower() for cell in cells[:_MAX_HEADER]]
    if "".join(cells[_MAX_HEADER:]).strip():
        return names  # more columns than a file of targets has: not its header
    while names and not names[-1]:
        names.pop()  # empty cells a spreadsheet wrote for formatted columns
    return names


def _expected(names: list[str]) -> bool:
    """Whether these are the columns a file of targets has: each once, the optional ones maybe."""
    return sorted(set(names) - set(OPTIONAL_COLUMNS)) == sorted(COLUMNS) and len(set(names)) == len(
        names
    )


# Rows to show organisers what a file holds, in the petition's languages: content in a language,
# not words of the site, so they are written here, one set per language the site speaks. Phone
# numbers do not start with "+", which a spreadsheet would take for a formula.
_EXAMPLES: dict[str, list[tuple[str, str, str, str, str, str]]] = {
    "en": [
        ("Embassy of Kazakhstan in Germany", "embassy.de@example.org",
         "Nordendstraße 14-17\n13156 Berlin", "030 47007 110", "DE", "Dear Ambassador,"),
        ("Supreme Court of Kazakhstan", "", "39 D. Kunaev Street\n010000 Astana", "", "", ""),
    ],
    "ru": [
        ("Посольство Казахстана в России", "embassy.ru@example.org",
         "Москва, Чистопрудный бульвар, 3А", "8 495 627-18-12", "RU", "Уважаемый господин посол,"),
        ("Верховный суд Республики Казахстан", "supreme@example.org",
         "010000, Астана,\nул. Д. Кунаева, 39", "", "", ""),
    ],
    "kk": [
        ("Қазақстан Республикасы Сыртқы істер министрлігі", "mfa@example.org",
         "Астана, Мәңгілік Ел даңғылы, 8", "", "KZ", "Құрметті министр,"),
        ("Қазақстан Республикасының Жоғарғы Соты", "",
         "010000, Астана,\nД. Қонаев көшесі, 39", "", "", ""),
    ],
}  # fmt: skip


def example_delimiter(language: str) -> str:
    """The separator the organiser's spreadsheet expects: a semicolon where a comma marks decimals."""
    return ";" if language in {"ru", "kk"} else ","


def example_csv(languages: Iterable[str], delimiter: str = ",") -> bytes:
    """A file of targets the importer takes, with example rows in these languages (else English).

    UTF-8 with a byte order mark, so that a spreadsheet opens the Cyrillic as it is written."""
    rows = [row for code in dict.fromkeys(languages) for row in _EXAMPLES.get(code, [])]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow((*COLUMNS, *OPTIONAL_COLUMNS))
    writer.writerows(rows or _EXAMPLES["en"])
    return out.getvalue().encode("utf-8-sig")
