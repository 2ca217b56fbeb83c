"""Export cells computed by the database, so a large CSV never builds a datetime per row."""

from typing import Any

from sqlalchemy import String, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

# The engines whose SQL can write a UTC time as ISO 8601 text; others take the datetime path.
DIALECTS = ("sqlite", "postgresql")
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class utc_iso_text(FunctionElement[str]):  # reads as the SQL function it renders
    """A stored UTC time as ISO 8601 text to the second, ending in Z ("" for no time)."""

    type = String()
    inherit_cache = True


@compiles(utc_iso_text, "sqlite")
def _sqlite_utc_iso(element: utc_iso_text, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC times as text "YYYY-MM-DD HH:MM:SS.ffffff"; cutting it up is twice as
    # fast as strftime, and drops the fraction as isoformat(timespec="seconds") does.
    (moment,) = element.clauses
    text = func.substr(moment, 1, 10) + literal("T") + func.substr(moment, 12, 8) + literal("Z")
    return compiler.process(func.coalesce(text, ""), **kw)


@compiles(utc_iso_text, "postgresql")
def _postgresql_utc_iso(element: utc_iso_text, compiler: SQLCompiler, **kw: Any) -> str:
    # AT TIME ZONE turns the instant into UTC wall time whatever the session's zone is.
    (moment,) = element.clauses
    text = func.to_char(
        moment.op("AT TIME ZONE")(literal("UTC", String())), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
    )
    return compiler.process(func.coalesce(text, ""), **kw)


def spreadsheet_safe(column: ColumnElement[str | None]) -> ColumnElement[str]:
    """The column as text ("" for none), with an apostrophe before a formula's first character."""
    value = func.coalesce(column, "")
    return case((func.substr(value, 1, 1).in_(FORMULA_STARTS), literal("'") + value), else_=value)
