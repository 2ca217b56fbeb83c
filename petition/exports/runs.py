"""An export as organisers run it: any format, a date range, and a line in the petition's log."""

from collections.abc import Iterator
from dataclasses import dataclass

from petition.exports.headers import header_row
from petition.exports.rows import ALL_DATES, Period, count_verified, export_chunks
from petition.models import EventAction, Organiser, Petition
from petition.petitions.history import BROWSER, COMMAND_LINE, DELIVERY_PACK, record_event
from petition.transactions import write_transaction

ALL_FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportPlan:
    """What an export will write: its format, period, number of rows and header row."""

    petition: Petition
    fmt: str
    period: Period
    rows: int
    headers: tuple[str, ...]

    @property
    def filename(self) -> str:
        """A download name that says which petition and which days."""
        days = ""
        if self.period != ALL_DATES:
            days = f"-{self.period.first or 'start'}-to-{self.period.last or 'now'}"
        return f"{self.petition.slug}-signatures{days}.{self.fmt}"


def plan_export(
    petition: Petition,
    fmt: str,
    period: Period = ALL_DATES,
    header_language: str | None = None,
) -> ExportPlan:
    """Check the format, count the rows and word the headers (None: English) of an export."""
    if fmt not in ALL_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    headers = header_row(petition, fmt, header_language)
    return ExportPlan(petition, fmt, period, count_verified(petition, period), headers)


def run_export(plan: ExportPlan, organiser: Organiser | None) -> Iterator[str | bytes]:
    """Log who exports how many rows, then return the export's pieces.

    Logged before the first byte leaves: a download cut short has still handed over data.
    """
    log_export(plan, organiser)
    if plan.fmt == "xlsx":
        # Imported here: the spreadsheet library is slow to load, and most exports are CSV.
        from petition.exports.spreadsheets import xlsx_chunks

        return xlsx_chunks(plan.petition, plan.period, plan.headers)
    return export_chunks(plan.petition, plan.fmt, plan.period, plan.headers)


def log_export(plan: ExportPlan, organiser: Organiser | None) -> None:
    """Record a finished export in the petition's log (organiser None: from the command line)."""
    first, last = plan.period.first, plan.period.last
    with write_transaction() as session:
        record_event(
            session,
            plan.petition,
            organiser,
            EventAction.EXPORT,
            rows=plan.rows,
            format=plan.fmt,
            source=BROWSER if organiser is not None else COMMAND_LINE,
            first=first.isoformat() if first else None,
            last=last.isoformat() if last else None,
        )


def log_delivery_pack(petition: Petition, organiser: Organiser) -> None:
    """Record in the export log that an organiser took the delivery pack: every verified name."""
    rows = count_verified(petition)
    with write_transaction() as session:
        record_event(
            session,
            petition,
            organiser,
            EventAction.EXPORT,
            rows=rows,
            format=DELIVERY_PACK,
            source=BROWSER,
        )
