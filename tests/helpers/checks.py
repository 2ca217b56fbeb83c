"""What a test takes for granted, said out loud so that the type checker knows it too."""

from pathlib import Path
from typing import Any, TypeVar

from werkzeug.test import TestResponse

from petition.web.static_files import Fingerprints

T = TypeVar("T")


def must(value: T | None) -> T:
    """The value, which the test expects to be there (a match, a row, a header)."""
    assert value is not None
    return value


def json_of(response: TestResponse) -> Any:
    """The JSON body of an answer, which the test expects to have one."""
    return must(response.json)


_STATIC = Fingerprints(Path(__file__).resolve().parents[2] / "static")


def fingerprint(filename: str) -> str:
    """The fingerprint the pages put in a static file's address (`?v=…`)."""
    return must(_STATIC.of(filename))
