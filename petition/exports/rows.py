"""Verified signatures streamed as CSV or JSON, in constant memory and safe to open in a spreadsheet."""

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Select, func, select

from petition.exports.sql_cells import DIALECTS, FORMULA_STARTS, spreadsheet_safe, utc_iso_text
from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus
from petition.petitions.publishing import closing_time

FORMATS = ("csv", "json")
BATCH_ROWS = 2000
BOM = "\ufeff"
ONE_DAY = timedelta(days=1)


def safe_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula by prefixing an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _utc_iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""


@dataclass(frozen=True)
class Period:
    """The signing days (UTC, both ends included) an export covers; None is open-ended."""

    first: date | None = None
    last: date | None = None


ALL_DATES = Period()
# Set by the command line to move its progress bar: called with the number of rows just read.
ROWS_DONE: ContextVar[Callable[[int], None] | None] = ContextVar("rows_done", default=None)
# A row as the database yields it: name, email, country, signed_at, confirmed_at.
Row = tuple[str, str, str | None, datetime, datetime | None]
# A query of any columns: the filters below apply whatever a caller selects.
AnySelect = Select[*tuple[Any, ...]]


def _verified(query: AnySelect, petition: Petition, period: Period) -> AnySelect:
    query = query.where(
        Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED
    )
    if period.first is not None:
        query = query.where(Signature.created_at >= closing_time(period.first) - ONE_DAY)
    if period.last is not None:
        query = query.where(Signature.created_at < closing_time(period.last))
    return query


def count_verified(petition: Petition, period: Period = ALL_DATES) -> int:
    """How many rows an export of this period will have."""
    return db.session.scalar(_verified(select(func.count()), petition, period)) or 0


def verified_rows(petition: Petition, period: Period = ALL_DATES) -> Iterator[Row]:
    """Verified signatures of the period as database rows, in signing order, streamed."""
    query = select(
        Signature.name,
        Signature.email,
        Signature.country,
        Signature.created_at,
        Signature.confirmed_at,
    )
    rows = db.session.execute(
        _verified(query, petition, period)
        .order_by(Signature.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    report = ROWS_DONE.get()
    done = 0
    for row in rows:
        yield row
        done += 1
        if report is not None and done % BATCH_ROWS == 0:
            report(BATCH_ROWS)
    if report is not None:
        report(done % BATCH_ROWS)


def columns(petition: Petition) -> list[str]:
    """The export's columns; country only where the petition collects it."""
    base = ["name", "email", "country", "signed_at", "confirmed_at"]
    return base if petition.collects_country else [c for c in base if c != "country"]


def verified_records(petition: Petition, period: Period = ALL_DATES) -> Iterator[dict[str, str]]:
    """Each verified signature as a record of strings, in the order people signed, streamed."""
    wanted = columns(petition)
    for name, email, country, signed_at, confirmed_at in verified_rows(petition, period):
        record = {
            "name": name,
            "email": email,
            "country": country or "",
            "signed_at": _utc_iso(signed_at),
            "confirmed_at": _utc_iso(confirmed_at),
        }
        yield {key: record[key] for key in wanted}


def _batched(records: Iterator[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    batch: list[dict[str, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def csv_text_batches(
    petition: Petition, period: Period = ALL_DATES
) -> Iterator[Sequence[Sequence[str]]]:
    """Batches of CSV rows whose cells the database has already written as safe text, streamed.

    A million-row export spends most of its time per row in Python; here no datetime, dict or
    list is built per row, so the export runs near the speed of a bare database loop.
    """
    table = Signature.__table__.c  # table columns: a Core query, without the ORM's row loading
    cells = {
        "name": spreadsheet_safe(table.name),
        "email": spreadsheet_safe(table.email),
        "country": spreadsheet_safe(table.country),
        "signed_at": utc_iso_text(table.created_at),
        "confirmed_at": utc_iso_text(table.confirmed_at),
    }
    query = select(*(cells[column] for column in columns(petition)))
    connection = db.session.connection()
    streamed = connection.dialect.name != "sqlite"  # SQLite's cursor reads lazily anyway
    result = connection.execute(
        _verified(query, petition, period)
        .order_by(Signature.id)
        .execution_options(stream_results=streamed, yield_per=BATCH_ROWS if streamed else None)
    )
    report = ROWS_DONE.get()
    try:
        for batch in _raw_batches(result) if not streamed else result.partitions():
            yield batch
            if report is not None:
                report(len(batch))
    finally:
        result.close()


def _raw_batches(
    result: CursorResult[*tuple[Any, ...]],
) -> Iterator[Sequence[Sequence[str]]]:
    # Every cell is already text: the driver's own tuples skip building a Row per signature.
    # Only for an unbuffered result, whose driver cursor has handed no row to SQLAlchemy yet.
    while batch := result.cursor.fetchmany(BATCH_ROWS):
        yield batch


def record_batches(petition: Petition, period: Period = ALL_DATES) -> Iterator[list[list[str]]]:
    """The same batches as csv_text_batches, made in Python from datetimes: any database."""
    for batch in _batched(verified_records(petition, period)):
        yield [[safe_cell(value) for value in record.values()] for record in batch]


def csv_chunks(
    petition: Petition, period: Period = ALL_DATES, headers: Sequence[str] | None = None
) -> Iterator[str]:
    """The CSV export in pieces: a BOM so Excel reads UTF-8, a header (field names), then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers if headers is not None else columns(petition))
    yield BOM + buffer.getvalue()
    in_sql = db.session.get_bind().dialect.name in DIALECTS
    batches = csv_text_batches if in_sql else record_batches
    for batch in batches(petition, period):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue()


def json_chunks(petition: Petition, period: Period = ALL_DATES) -> Iterator[str]:
    """The JSON export in pieces: one array of signature objects."""
    yield "["
    first = True
    for batch in _batched(verified_records(petition, period)):
        text = ",\n".join(json.dumps(record, ensure_ascii=False) for record in batch)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"


def export_chunks(
    petition: Petition,
    fmt: str,
    period: Period = ALL_DATES,
    headers: Sequence[str] | None = None,
) -> Iterator[str]:
    """The export in the given text format ("csv" or "json"; JSON has keys, not headers)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    return csv_chunks(petition, period, headers) if fmt == "csv" else json_chunks(petition, period)
