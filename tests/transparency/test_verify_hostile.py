"""A hostile site: it cannot make the verifier print its lies, run out of memory or wait forever.

A real server on loopback misbehaves on purpose. Each finding runs the real command, with a
timeout, so a hang fails the test instead of blocking the suite; the long table of answers of
the wrong shape runs the verifier in this process, which is quicker and fails just as loudly.
"""

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from urllib.parse import parse_qs, urlsplit

import pytest

from petition import verify
from petition.verify import shown
from tests.transparency.test_verify import Site, append_signatures, check, cli
from tests.transparency.verify_support import SLUG, Handler, Log, answer, mth, receipt, serving

ZERO = base64.b64encode(bytes(32))  # a hash of the right length
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
    append_signatures(log, 0, 3)
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


def cannot_check(status: int, output: str, because: str) -> None:
    """Exit 2 with a one-line reason, no traceback, and nothing raw."""
    assert status == 2, output
    assert "Traceback" not in output, output
    assert because in output.split("Could not check: ", 1)[1], output
    shows_nothing_raw(output)


def cannot_check_from_the_command_line(base: str, *args: str, because: str) -> None:
    done = cli(base, *args)
    cannot_check(done.returncode, done.stdout + done.stderr, because)


def answers(body: bytes) -> Callable[[Handler], None]:
    """A route that always answers 200 with this JSON body."""
    return lambda handler: handler.reply(200, "application/json", body)


def test_a_listing_with_a_number_for_a_list_cannot_be_checked(site: Site) -> None:
    base, log = site
    log.misbehave["checkpoints"] = answers(b'{"checkpoints": 5}')
    cannot_check_from_the_command_line(base, because="not a list of checkpoints")


@pytest.mark.parametrize(
    ("route", "body", "because"),
    [
        ("checkpoints", b'{"checkpoints": 5}', "not a list of checkpoints"),
        ("checkpoints", b'{"checkpoints": [5]}', "not a list of checkpoints"),
        ("checkpoints", b"<html>Welcome</html>", "did not answer JSON"),
        ("entries", b'{"size": 2, "entries": 5, "next": null}', "entries are not a list"),
        ("entries", b'{"size": "2", "entries": [], "next": null}', "size is not a number"),
        ("entries", b'{"size": 2, "entries": [7], "next": null}', "not an object"),
        ("entries", b'{"size": 2, "entries": [{"index": 0, "leaf": 5}]}', "no base64 leaf"),
        ("entries", b'{"size": 2, "entries": [{"index": 0, "leaf": "!"}]}', "not valid base64"),
        ("entries", b'{"size": 2, "entries": [{"index": "0", "leaf": ""}]}', "index"),
        ("entries", b'{"size": 2}', "entries are not a list"),
        ("entries", b'{"size": 2, "entries": [{"index": 1' + b"0" * 5000 + b"}]}", "JSON"),
        ("entries", b'{"size": 1' + b"0" * 30 + b', "entries": []}', "JSON"),
        ("proof", b'{"index": 1, "size": 2, "leaf_hash": 5, "path": []}', "leaf hash"),
        (
            "proof",
            b'{"index": 1, "size": 2, "leaf_hash": "' + ZERO + b'", "path": 5}',
            "base64 hashes",
        ),
        ("proof", b'{"index": [1], "size": 2, "leaf_hash": "", "path": []}', "index"),
    ],
)
def test_an_answer_of_the_wrong_shape_cannot_be_checked(
    site: Site, route: str, body: bytes, because: str
) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    log.sign_now()
    log.misbehave[route] = answers(body)
    cannot_check(*check(base, "--receipt", receipt(1)), because)


@pytest.mark.parametrize("digits", [5_000, 25])
def test_a_checkpoint_size_of_thousands_of_digits_cannot_be_checked(
    site: Site, digits: int
) -> None:
    base, log = site
    root = base64.b64encode(mth([])).decode()
    log.checkpoint_text = log.signer.note(f"{log.origin}\n{'9' * digits}\n{root}\ncount 0\n")
    cannot_check_from_the_command_line(base, because=f"{digits:,} digits")


def test_an_unexpected_error_is_neither_a_traceback_nor_a_failed_check(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, log = site

    def unforeseen(*args: object) -> None:
        raise TypeError("unforeseen \x1b[2K")

    monkeypatch.setattr(verify, "checkpoint_time", unforeseen)
    cannot_check(*check(base), "TypeError: unforeseen \\x1b[2K")


def endless(handler: Handler) -> None:
    """An answer with no length whose body never ends, until the client hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    with suppress(OSError):
        while True:
            handler.wfile.write(b"[0," * 32_768)


@pytest.mark.parametrize("route", ["key", "entries"])
def test_an_endless_answer_stops_at_the_response_limit(site: Site, route: str) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    log.misbehave[route] = endless
    cannot_check_from_the_command_line(base, because="over 16,777,216 bytes (--max-response-bytes)")


def test_an_answer_announcing_a_terabyte_is_refused_before_it_is_read(site: Site) -> None:
    base, log = site
    head = b"HTTP/1.0 200 OK\r\nContent-Length: 1000000000000\r\n\r\n"
    log.misbehave["key"] = lambda handler: handler.wfile.write(head)
    cannot_check_from_the_command_line(
        base, "--max-response-bytes", "1000", because="over 1,000 bytes (--max-response-bytes)"
    )


def test_many_large_entries_stop_at_the_total_limit(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 400)
    log.sign_now()
    log.page_size = 20
    pages: list[str] = []

    def padded(handler: Handler) -> None:
        """Each page's entries carry 50 kB more than they should: a megabyte a page."""
        pages.append(handler.path)
        status, kind, body = answer(log, "entries", parse_qs(urlsplit(handler.path).query))
        page = json.loads(body)
        for entry in page["entries"]:
            entry["padding"] = "x" * 50_000
        handler.reply(status, kind, json.dumps(page).encode())

    log.misbehave["entries"] = padded
    cannot_check_from_the_command_line(
        base,
        "--max-total-bytes",
        "5000000",
        because="more than 5,000,000 bytes in all (--max-total-bytes)",
    )
    assert 4 <= len(pages) <= 6  # of 20


def dribbles(head: bytes) -> Callable[[Handler], None]:
    """An answer that sends `head` at once, then one byte a second for a minute."""

    def answer(handler: Handler) -> None:
        with suppress(OSError):
            handler.wfile.write(head)
            for _ in range(60):
                handler.wfile.write(b"a")
                time.sleep(1)

    return answer


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.0 200 OK\r\nX-Slow: ",  # one header line, never finished
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n",  # a body with no end
    ],
    ids=["header", "body"],
)
@pytest.mark.serial
def test_a_site_that_sends_a_byte_a_second_is_cut_off_at_the_deadline(
    site: Site, head: bytes
) -> None:
    base, log = site
    log.misbehave["key"] = dribbles(head)
    started = time.monotonic()
    done = cli(base, "--deadline", "2", timeout=30)
    assert time.monotonic() - started < 10  # the interpreter's start, and the two seconds
    cannot_check(done.returncode, done.stdout + done.stderr, "longer than 2 s (--deadline)")


def redirects(location: str) -> Callable[[Handler], None]:
    """An answer that sends the client elsewhere."""

    def answer(handler: Handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


@pytest.mark.parametrize("elsewhere", ["another port", "another host", "another scheme"])
def test_a_redirect_off_the_sites_origin_is_not_followed(site: Site, elsewhere: str) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    with serving() as (other, other_log):
        asked: list[str] = []
        other_log.misbehave["checkpoint"] = lambda handler: asked.append(handler.path)
        port = urlsplit(other).port if elsewhere == "another port" else urlsplit(base).port
        host = "localhost" if elsewhere == "another host" else "127.0.0.1"
        scheme = "https" if elsewhere == "another scheme" else "http"
        target = f"{scheme}://{host}:{port}/petitions/{SLUG}/log/checkpoint?\x1b[2K"
        log.misbehave["checkpoint"] = redirects(target)
        cannot_check_from_the_command_line(base, because="off the site's own origin")
    assert asked == []


def test_a_redirect_within_the_site_is_followed(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 2)

    def moved(handler: Handler) -> None:
        if "moved" in handler.path:
            handler.answer_honestly()
        else:
            redirects(f"{handler.path}{'&' if '?' in handler.path else '?'}moved")(handler)

    log.misbehave["checkpoint"] = log.misbehave["entries"] = moved
    done = cli(base)
    assert done.returncode == 0, done.stdout + done.stderr


def test_redirects_within_the_site_end_after_a_few(site: Site) -> None:
    base, log = site
    log.misbehave["key"] = redirects("/log/key")
    cannot_check_from_the_command_line(base, because="redirected more than 5 times")


def counting(log: Log, route: str) -> list[str]:
    """The paths asked of this route, which is still answered honestly."""
    asked: list[str] = []

    def answer(handler: Handler) -> None:
        asked.append(handler.path)
        handler.answer_honestly()

    log.misbehave[route] = answer
    return asked


@pytest.mark.parametrize(("claimed", "args"), [(10**15, []), (5, ["--max-entries", "4"])])
def test_a_log_claiming_more_entries_than_the_limit_is_refused_before_any_download(
    site: Site, claimed: int, args: list[str]
) -> None:
    base, log = site
    root = base64.b64encode(mth([])).decode()
    log.checkpoint_text = log.signer.note(f"{log.origin}\n{claimed}\n{root}\ncount 0\n")
    asked = counting(log, "entries")
    most = 4 if args else 25_000_000
    cannot_check_from_the_command_line(
        base, *args, because=f"claims more than {most:,} entries (--max-entries)"
    )
    assert asked == []


def test_entries_of_a_megabyte_fail_at_the_first_without_the_rest_being_fetched(
    site: Site,
) -> None:
    base, log = site
    log.leaves = [b'{"kind":"add","padding":"' + b"x" * 1_000_000 + b'"}'] * 200  # one object
    log.page_size = 10
    root = base64.b64encode(bytes(32)).decode()  # never reached: the first leaf fails
    log.checkpoint_text = log.signer.note(f"{log.origin}\n200\n{root}\ncount 200\n")
    asked = counting(log, "entries")
    done = cli(base)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED:       entry 0 (add) has keys ['kind', 'padding']" in done.stdout
    assert len(asked) == 1  # of 20 pages, 200 MB
