"""Types for the functions of Flask-Babel whose results we return, as Flask-Babel 4.0 has them.

Flask-Babel ships no type information; every name not declared here stays untyped.
"""

from datetime import date as _date
from datetime import datetime as _datetime
from decimal import Decimal
from typing import Any

from babel import Locale

def gettext(string: str, /, **variables: Any) -> str: ...
def format_date(
    date: _date | _datetime | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_datetime(
    datetime: _datetime | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_decimal(number: int | float | Decimal, format: str | None = None) -> str: ...
def get_locale() -> Locale | None: ...
def __getattr__(name: str) -> Any: ...
