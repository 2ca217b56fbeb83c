"""A hostile site: it cannot make the verifier print its lies, run out of memory or wait forever.

Each test runs the real command against a real server that misbehaves on purpose, with a
timeout, so a hang fails the test instead of blocking the suite.
"""

from collections.abc import Iterator

import pytest

from petition.verify import shown
from tests.log.test_verify import Site, cli, sign
from tests.log.verify_support import serving

FAKE_SUCCESS = "\x1b[2K\rResult:       every check holds"


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as served:
        yield served


def shows_nothing_raw(output: str) -> None:
    """No escape sequence or carriage return reaches the terminal, and no fake result line."""
    assert "\x1b" not in output and "\r" not in output, output
    assert "\nResult:" not in output, output


def test_a_listed_signing_time_cannot_hide_a_failed_check(site: Site) -> None:
    base, log = site
    sign(log, 0, 3)
    lying = log.signer.checkpoint(log.origin, log.leaves, count=2)
    log.checkpoint_text = lying
    log.history.append((f"2026-12-06T02:31:00+00:00{FAKE_SUCCESS}\n", lying))
    done = cli(base)
    assert done.returncode == 1, done.stdout + done.stderr
    shows_nothing_raw(done.stdout + done.stderr)
    assert "Signed at:    2026-12-06T02:31:00+00:00\\x1b[2K\\rResult:" in done.stdout
    assert "FAILED:       the checkpoint says count 2, the log counts 3" in done.stdout


def test_a_reason_phrase_cannot_print_a_fake_result(site: Site) -> None:
    base, log = site
    log.misbehave["key"] = lambda handler: handler.reply(503, "text/plain", b"", FAKE_SUCCESS)
    done = cli(base)
    assert done.returncode == 2, done.stdout + done.stderr
    shows_nothing_raw(done.stdout + done.stderr)
    assert "the server answered 503 \\x1b[2K\\rResult:" in done.stderr


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("\x1b[2K\r", "\\x1b[2K\\r"),  # C0 controls
        ("\x9b2K", "\\x9b2K"),  # a C1 control: the one-byte CSI of some terminals
        ("abc\u202edef\u200b", "abc\\u202edef\\u200b"),  # format: right-to-left override
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),  # line and paragraph separators
        ("\x00\x7f\n\t", "\\x00\\x7f\\n\\t"),
        ("Айгерим, 2026-12-06 02:31", "Айгерим, 2026-12-06 02:31"),  # printable stays as is
    ],
)
def test_site_text_is_shown_with_every_invisible_character_escaped(text: str, printed: str) -> None:
    assert shown(text) == printed


def test_site_text_is_cut_short() -> None:
    assert shown("x" * 5000) == "x" * 1000 + "… (4,000 more characters)"
