"""The verifier against an honest site over real HTTP: what it reports, and how it exits."""

import http.client
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

from petition.verify import main
from tests.conftest import free_port
from tests.transparency.verify_support import SLUG, Log, add, exclude, receipt, serving

Site = tuple[str, Log]


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as served:
        yield served


def check(base: str, *args: str) -> tuple[int, str]:
    """Run the verifier in this process: its exit status and everything it printed."""
    out = StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        try:
            status = main([f"{base}/petitions/{SLUG}", *args])
        except SystemExit as exit:  # argparse's usage errors
            status = int(exit.code or 0)
    return status, out.getvalue()


def cli(base: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real command, as a target would; its output exactly as printed (no newline
    translation, so a carriage return shows)."""
    command = [sys.executable, "-m", "petition.verify", f"{base}/petitions/{SLUG}", *args]
    done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    out, err = (stream.decode("utf-8", "backslashreplace") for stream in (done.stdout, done.stderr))
    return subprocess.CompletedProcess(command, done.returncode, out, err)


def append_signatures(log: Log, start: int, count: int) -> None:
    """Append `count` signatures with receipts numbered from `start`."""
    log.leaves.extend(add(receipt(n)) for n in range(start, start + count))


def test_an_honest_log_verifies_from_the_command_line(site: Site, tmp_path: Path) -> None:
    base, log = site
    append_signatures(log, 0, 5)
    log.leaves += [exclude(1, "withdrawn"), exclude(3, "held")]
    log.sign_now()
    saved = tmp_path / "checkpoint.txt"
    done = cli(base, "--key-fingerprint", log.signer.fingerprint, "--save", str(saved))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Entries:      7, their root matches the checkpoint" in done.stdout
    assert "Adds:         5" in done.stdout
    assert "Excludes:     2 (1 withdrawn, 1 held, 0 invalidated)" in done.stdout
    assert "Counted:      3" in done.stdout
    assert "Signed at:    2026-12-06T02:31:00+00:00" in done.stdout
    assert "Result:       every check holds" in done.stdout
    assert saved.read_bytes() == log.checkpoint().encode()


def test_an_empty_log_verifies(site: Site) -> None:
    base, log = site
    status, output = check(base)
    assert status == 0, output
    assert "Checkpoint:   0 entries" in output
    assert "Counted:      0" in output
    assert "Signed at:    unknown" in output


def test_a_saved_checkpoint_still_holds_after_more_signatures_and_withdrawals(
    site: Site, tmp_path: Path
) -> None:
    base, log = site
    append_signatures(log, 0, 6)
    saved = tmp_path / "saved.txt"
    assert check(base, "--save", str(saved))[0] == 0
    append_signatures(log, 6, 5)
    log.leaves += [exclude(0, "withdrawn"), exclude(2, "invalidated")]  # later, not a rewrite
    status, output = check(base, "--checkpoint", str(saved))
    assert status == 0, output
    assert "Earlier:      6 entries, count 6 (your copy): still the start of the log" in output
    assert "Counted:      9" in output


def test_a_saved_checkpoint_of_the_same_size_or_of_the_empty_log_holds(
    site: Site, tmp_path: Path
) -> None:
    base, log = site
    empty = tmp_path / "empty.txt"
    assert check(base, "--save", str(empty))[0] == 0
    append_signatures(log, 0, 3)
    same = tmp_path / "same.txt"
    assert check(base, "--save", str(same))[0] == 0
    for saved in (empty, same):
        status, output = check(base, "--checkpoint", str(saved))
        assert status == 0, output


def test_entries_are_followed_page_by_page(site: Site, tmp_path: Path) -> None:
    base, log = site
    log.page_size = 7
    append_signatures(log, 0, 40)
    saved = tmp_path / "saved.txt"
    assert check(base, "--save", str(saved))[0] == 0
    append_signatures(log, 40, 9)
    status, output = check(base, "--checkpoint", str(saved))
    assert status == 0, output
    assert "Counted:      49" in output


def test_a_receipt_is_found_proved_and_counted(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 9)
    typed = "-".join(receipt(4).upper()[i : i + 4] for i in range(0, 32, 4))  # as people see it
    status, output = check(base, "--receipt", typed)
    assert status == 0, output
    assert "Receipt:      entry 5 of 9, proof of inclusion verified, counted" in output


def test_an_excluded_receipt_says_why_and_a_reinstated_one_counts_again(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 4)
    log.leaves.append(exclude(2, "held"))
    status, output = check(base, "--receipt", receipt(2))
    assert status == 0, output
    assert "entry 3 of 5, proof of inclusion verified, not counted (excluded: held)" in output
    log.leaves.append(add(receipt(2)))  # reinstated: a new add with the same commitment
    status, output = check(base, "--receipt", receipt(2))
    assert status == 0, output
    assert "entry 6 of 6, proof of inclusion verified, counted" in output
    assert "Counted:      4" in output


def test_a_receipt_not_in_the_log_fails_from_the_command_line(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 3)
    done = cli(base, "--receipt", receipt(77))
    assert done.returncode == 1
    assert "FAILED:       the receipt is not in the log" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_wrong_fingerprint_fails_from_the_command_line(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 3)
    done = cli(base, "--key-fingerprint", "ab" * 32)
    assert done.returncode == 1
    assert "not the one whose fingerprint you gave" in done.stdout


def test_an_unreachable_site_or_unknown_petition_cannot_be_checked(site: Site) -> None:
    base, _ = site
    status, output = check(f"http://127.0.0.1:{free_port()}")
    assert status == 2
    assert "Could not check" in output
    done = subprocess.run(
        [sys.executable, "-m", "petition.verify", f"{base}/petitions/no-such-petition"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "not found" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("url", "asked"),
    [("http://[::1]/petitions/x", ("::1", 80)), ("https://[::1]:8443/petitions/x", ("::1", 8443))],
)
def test_an_ipv6_address_is_asked_on_its_port_or_the_schemes(
    monkeypatch: pytest.MonkeyPatch, url: str, asked: tuple[str, int]
) -> None:
    seen: list[tuple[str, int]] = []

    def refused(self: http.client.HTTPConnection) -> None:
        seen.append((self.host, self.port))
        raise ConnectionRefusedError

    monkeypatch.setattr(http.client.HTTPConnection, "connect", refused)
    monkeypatch.setattr(http.client.HTTPSConnection, "connect", refused)
    out = StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        assert main([url]) == 2
    assert seen == [asked]


@pytest.mark.parametrize(
    "args",
    [
        ["ftp://example.org/petitions/x"],
        ["https://example.org/other/x"],
        ["https://example.org/petitions/x", "--receipt", "not-a-receipt"],
        ["https://example.org/petitions/x", "--key-fingerprint", "xyz"],
        ["https://example.org/petitions/x", "--checkpoint", "/nonexistent/saved.txt"],
    ],
)
def test_bad_input_is_explained_without_a_traceback(args: list[str]) -> None:
    out = StringIO()
    with redirect_stdout(out), redirect_stderr(out), pytest.raises(SystemExit) as exit:
        sys.exit(main(args))
    assert exit.value.code == 2
    assert "Traceback" not in out.getvalue()
    assert out.getvalue().strip()
