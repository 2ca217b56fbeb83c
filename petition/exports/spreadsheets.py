"""Verified signatures as an Excel workbook, written row by row so memory stays flat."""

import tempfile
from collections.abc import Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from petition.exports.headers import ENGLISH_TITLES
from petition.exports.rows import ALL_DATES, Period, columns, verified_rows
from petition.models import Petition

CHUNK_BYTES = 64 * 1024


def _text(sheet: WriteOnlyWorksheet, value: str) -> Cell | str | None:
    if not value:
        return None  # an empty cell, as Excel itself stores one
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value  # plain values take openpyxl's fast path
    # Typed as text, so a name like "=HYPERLINK(…)" is shown as written and never run as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_workbook(
    petition: Petition,
    target: object,
    period: Period = ALL_DATES,
    headers: Sequence[str] | None = None,
) -> None:
    """Write the workbook to a path or binary file; rows go to disk as they are read.

    Headers default to the English titles; the sheet's name stays "Signatures" for scripts.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Signatures")
    wanted = columns(petition)
    sheet.append(list(headers) if headers is not None else [ENGLISH_TITLES[c] for c in wanted])
    with_country = "country" in wanted
    for name, email, country, signed_at, confirmed_at in verified_rows(petition, period):
        row: list[object] = [_text(sheet, name), _text(sheet, email)]
        if with_country:
            row.append(country or None)
        # Excel has no time zones: the header says UTC and the values are real dates.
        row.append(signed_at.replace(tzinfo=None))
        row.append(confirmed_at.replace(tzinfo=None) if confirmed_at else None)
        sheet.append(row)
    workbook.save(target)


def xlsx_chunks(
    petition: Petition, period: Period = ALL_DATES, headers: Sequence[str] | None = None
) -> Iterator[bytes]:
    """The workbook in pieces, built in a temporary file first (an xlsx is a zip with an index)."""
    with tempfile.TemporaryFile(prefix="petition-export-") as file:
        write_workbook(petition, file, period, headers)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
