"""Verified signatures streamed as CSV or JSON, in constant memory and safe to open in a spreadsheet."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus

FORMATS = ("csv", "json")
BATCH_ROWS = 2000
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula by prefixing an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _utc_iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""


def columns(petition: Petition) -> list[str]:
    """The export's columns; country only where the petition collects it."""
    base = ["name", "email", "country", "signed_at", "confirmed_at"]
    return base if petition.collects_country else [c for c in base if c != "country"]


def verified_records(petition: Petition) -> Iterator[dict[str, str]]:
    """Each verified signature as a record of strings, in the order people signed, streamed."""
    wanted = columns(petition)
    rows = db.session.execute(
        select(
            Signature.name,
            Signature.email,
            Signature.country,
            Signature.created_at,
            Signature.confirmed_at,
        )
        .where(Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED)
        .order_by(Signature.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    for name, email, country, signed_at, confirmed_at in rows:
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


def csv_chunks(petition: Petition) -> Iterator[str]:
    """The CSV export in pieces: a BOM so Excel reads UTF-8, a header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns(petition))
    yield BOM + buffer.getvalue()
    for batch in _batched(verified_records(petition)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([safe_cell(value) for value in record.values()] for record in batch)
        yield buffer.getvalue()


def json_chunks(petition: Petition) -> Iterator[str]:
    """The JSON export in pieces: one array of signature objects."""
    yield "["
    first = True
    for batch in _batched(verified_records(petition)):
        text = ",\n".join(json.dumps(record, ensure_ascii=False) for record in batch)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"


def export_chunks(petition: Petition, fmt: str) -> Iterator[str]:
    """The export in the given format ("csv" or "json")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    return csv_chunks(petition) if fmt == "csv" else json_chunks(petition)
