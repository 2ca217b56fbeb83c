"""Check a petition's auditable count from outside: `python -m petition.verify URL`.

An independent implementation of the log formats (RFC 9162 Merkle trees, C2SP signed-note
checkpoints with Ed25519): it imports nothing else from this package, so a bug on the server
side is not shared by the check. Standard library plus `cryptography`, so anyone can run it.

The site it checks is trusted for nothing, not even to stop talking. Every answer is read in
bounded chunks and refused past --max-response-bytes (default 16 MiB), the whole run past
--max-total-bytes (4 GiB) or --deadline (600 s, however slowly the site sends); a log claiming
more than --max-entries (25 million) is refused before any entry is fetched, and the entries are
checked as they arrive, not kept. Redirects are followed only within the site's origin, and
whatever of the site's is printed has its control characters escaped.

Exit status: 0 everything holds; 1 something does not (printed): what the site signed or sent
contradicts itself; 2 it could not be checked (network, unreadable file, bad arguments, a limit
reached, an answer of the wrong shape such as a number where a list belongs).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import http.client
import io
import json
import re
import socket
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EMPTY_ROOT = hashlib.sha256(b"").digest()
REASONS = ("withdrawn", "held", "invalidated")
TIMEOUT_SECONDS = 30  # for any one read; --deadline bounds the whole run
CHUNK = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_DIGITS = 18  # no size, index or count of a log has more; and int() of 5,000 digits fails
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DECIMAL = re.compile(r"0|[1-9][0-9]*")
MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z")
HEX64 = re.compile(r"[0-9a-f]{64}")
RECEIPT = re.compile(r"[a-z2-7]{32}")
ADD_KEYS = frozenset({"commitment", "kind", "time"})
EXCLUDE_KEYS = frozenset({"kind", "reason", "refers_to", "time"})


class VerificationError(Exception):
    """Something the log, its checkpoint or its proofs claim does not hold."""


class FetchError(Exception):
    """The site could not be asked, or gave no usable answer: nothing was checked."""


class NotFoundError(FetchError):
    """The site has no such page."""


def shown(text: object, limit: int = 1_000) -> str:
    """Text from the site made safe for a terminal: control and invisible characters escaped.

    A site chooses its reason phrases, listed times and names: raw, an escape sequence could
    erase a FAILED line and print a fake result. Every character that is not printable (control,
    format, line and paragraph separators, unassigned) is written as `repr` would (`\\x1b`,
    `\\r`, `\\u202e`), and the text is cut at `limit` characters so one value cannot flood the
    screen.
    """
    text = str(text)
    cut = text[:limit]
    safe = "".join(char if char.isprintable() else repr(char)[1:-1] for char in cut)
    return safe if len(cut) == len(text) else f"{safe}… ({len(text) - limit:,} more characters)"


# -- RFC 9162 hashing and proofs ------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 ‖ leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The right edge of a Merkle tree growing leaf by leaf: its root from O(log n) hashes.

    A tree of n leaves is, by RFC 9162's split at the largest power of two, a row of perfect
    subtrees, one for each bit set in n, largest first; only their roots are kept.
    """

    def __init__(self) -> None:
        self.size = 0
        self.nodes: list[bytes] = []  # the perfect subtrees' roots, largest first

    def append(self, hashed_leaf: bytes) -> None:
        node, self.size = hashed_leaf, self.size + 1
        completed = self.size
        while not completed & 1:  # each trailing zero of the new size joins two equal subtrees
            node = node_hash(self.nodes.pop(), node)
            completed >>= 1
        self.nodes.append(node)

    def root(self) -> bytes:
        """The tree hash: the subtrees' roots folded from the right."""
        if not self.nodes:
            return EMPTY_ROOT
        root = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            root = node_hash(node, root)
        return root


def root_of(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash over these leaf hashes."""
    tree = Frontier()
    for hashed_leaf in hashes:
        tree.append(hashed_leaf)
    return tree.root()


def verify_inclusion(
    index: int, size: int, hashed_leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """Whether `path` proves leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.2)."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, hashed_leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """Whether `path` proves the tree of `first` leaves a prefix of `second` (RFC 9162 §2.1.4.2)."""
    if first <= 0 or first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    if first & (first - 1) == 0:  # an exact power of two: its root is a node of the larger tree
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


# -- Keys and checkpoints (C2SP signed notes) ------------------------------------------------


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte id of an Ed25519 note key: SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]


def fingerprint(public_key: bytes) -> str:
    """What a delivery pack prints to pin the key: hex SHA-256 of the raw public key."""
    return hashlib.sha256(public_key).hexdigest()


def b64decode(text: str, what: str) -> bytes:
    """Standard padded base64, refused unless it is exactly the canonical encoding."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != text:
        raise VerificationError(f"{what} is not canonical base64")
    return raw


@dataclass(frozen=True)
class VerifierKey:
    """A site's published checkpoint key."""

    name: str
    id: bytes
    public_key: bytes


def parse_verifier_key(text: str) -> VerifierKey:
    """`<name>+<8 hex of key id>+<base64(0x01 ‖ key)>`, with the id recomputed and compared."""
    parts = text.split("+", 2)  # names never hold "+"; base64 may
    if len(parts) != 3 or not parts[0] or re.fullmatch(r"[0-9a-f]{8}", parts[1]) is None:
        raise VerificationError("the verifier key is not in the form name+keyid+key")
    name, hex_id, encoded = parts
    if any(char.isspace() for char in name):
        raise VerificationError("the verifier key's name contains white space")
    raw = b64decode(encoded, "the verifier key")
    if len(raw) != 33 or raw[0] != 0x01:
        raise VerificationError("the verifier key is not an Ed25519 key (type 0x01, 32 bytes)")
    public_key = raw[1:]
    if key_id(name, public_key).hex() != hex_id:
        raise VerificationError("the verifier key's id does not match its name and key")
    return VerifierKey(name, bytes.fromhex(hex_id), public_key)


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head: the log's size and root, and the count it claims."""

    origin: str
    size: int
    root: bytes
    count: int
    text: str


def parse_checkpoint(text: str, key: VerifierKey, origin: str) -> Checkpoint:
    """Parse a checkpoint strictly and check its Ed25519 signature by `key`."""
    lines = text.split("\n")
    if len(lines) != 7 or lines[4] != "" or lines[6] != "":
        raise VerificationError(
            "the checkpoint is not four lines, a blank line and one signature line"
        )
    if "\r" in text:
        raise VerificationError("the checkpoint has carriage returns")
    got_origin, size_line, root_line, count_line, _, signature_line, _ = lines
    if got_origin != origin:
        raise VerificationError(f"the checkpoint is for {got_origin!r}, not {origin!r}")
    if DECIMAL.fullmatch(size_line) is None:
        raise VerificationError("the checkpoint's size line is not a decimal number")
    root = b64decode(root_line, "the checkpoint's root")
    if len(root) != 32:
        raise VerificationError("the checkpoint's root is not 32 bytes")
    if not count_line.startswith("count ") or DECIMAL.fullmatch(count_line[6:]) is None:
        raise VerificationError("the checkpoint's fourth line is not 'count <number>'")
    signature_parts = signature_line.split(" ")
    if len(signature_parts) != 3 or signature_parts[0] != "\u2014":
        raise VerificationError("the checkpoint's signature line is not '— <name> <signature>'")
    name, encoded = signature_parts[1], signature_parts[2]
    if name != key.name:
        raise VerificationError(f"the checkpoint is signed by {name!r}, not by {key.name!r}")
    signature = b64decode(encoded, "the checkpoint's signature")
    if len(signature) != 68 or signature[:4] != key.id:
        raise VerificationError("the checkpoint's signature is not by the site's key (key id)")
    body = "".join(line + "\n" for line in lines[:4]).encode()
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature[4:], body)
    except InvalidSignature:
        raise VerificationError("the checkpoint's signature does not verify") from None
    if len(size_line) > MAX_DIGITS:
        raise FetchError(
            f"the checkpoint's size has {len(size_line):,} digits: "
            "more entries than this verifier can check"
        )
    size, counted = int(size_line), count_line[6:]
    if len(counted) > len(size_line) or int(counted) > size:  # more digits, none leading: larger
        raise VerificationError("the checkpoint counts more signatures than the log has entries")
    return Checkpoint(got_origin, size, root, int(counted), text)


# -- The entries and what they count ---------------------------------------------------------


def number(digits: str) -> int:
    """A JSON integer, refused past MAX_DIGITS digits before Python spends time converting it."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer of {len(digits):,} digits")
    return int(digits)


DECODER = json.JSONDecoder(parse_int=number)  # one, not one per leaf


def loads(text: bytes) -> object:
    """JSON as the site sends it (UTF-8), whose integers are never longer than a log's sizes."""
    return DECODER.decode(text.decode("utf-8"))


def canonical(value: object) -> bytes:
    """The one byte form of a leaf (the spec's canonical JSON)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def is_minute(text: str) -> bool:
    """A real UTC minute written %Y-%m-%dT%H:%MZ, with every digit in place."""
    if MINUTE.fullmatch(text) is None:
        return False
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%MZ")
    except ValueError:
        return False
    return True


EXCLUDE, ADD, CANCELLED = 0, 1, 2  # what an entry is, kept in one byte each


@dataclass
class Tally:
    """What the leaves read so far count and hash to, without keeping the leaves.

    A later exclude needs only whether an earlier entry is an add and still counts (a byte per
    entry), the root only the tree's frontier, and a receipt only its latest add's index and hash.
    """

    commitment: str | None = None  # the receipt's, to find its latest add
    marks: frozenset[int] = frozenset()  # sizes whose count and root a saved checkpoint asks for
    tree: Frontier = field(default_factory=Frontier)
    states: bytearray = field(default_factory=bytearray)  # EXCLUDE, ADD or CANCELLED, per entry
    adds: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    at: dict[int, tuple[int, bytes]] = field(default_factory=dict)  # mark -> (counted, root)
    match: int | None = None  # the latest add carrying the receipt's commitment
    match_hash: bytes = b""
    match_reason: str | None = None  # why that add stopped counting, if it did
    minute: str = ""  # the last time checked: leaves in a row mostly share their minute

    def __post_init__(self) -> None:
        if 0 in self.marks:
            self.at[0] = (0, EMPTY_ROOT)

    @property
    def size(self) -> int:
        return len(self.states)

    @property
    def counted(self) -> int:
        return self.adds - sum(self.excluded.values())

    def read(self, leaf: bytes) -> None:
        """Parse the next leaf strictly and count it; a malformed leaf or an invalid exclude fails."""
        index = self.size
        try:
            entry = loads(leaf)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise VerificationError(f"entry {index} is not JSON") from None
        if not isinstance(entry, dict):
            raise VerificationError(f"entry {index} is not a JSON object")
        kind = entry.get("kind")
        if kind == "add":
            if entry.keys() != ADD_KEYS:
                raise VerificationError(f"entry {index} (add) has keys {sorted(entry)}")
            value = entry["commitment"]
            if not isinstance(value, str) or HEX64.fullmatch(value) is None:
                raise VerificationError(f"entry {index} (add) has no 64-hex-digit commitment")
        elif kind == "exclude":
            if entry.keys() != EXCLUDE_KEYS:
                raise VerificationError(f"entry {index} (exclude) has keys {sorted(entry)}")
            reason, target = entry["reason"], entry["refers_to"]
            if reason not in REASONS:
                raise VerificationError(f"entry {index} (exclude) has an unknown reason {reason!r}")
            if type(target) is not int or not 0 <= target < index or self.states[target] == EXCLUDE:
                raise VerificationError(
                    f"entry {index} excludes {target!r}, which is no earlier add"
                )
            if self.states[target] == CANCELLED:
                raise VerificationError(f"entry {index} excludes add {target} a second time")
        else:
            raise VerificationError(f"entry {index} has an unknown kind {kind!r}")
        time = entry["time"]
        if not isinstance(time, str) or time != self.minute and not is_minute(time):
            raise VerificationError(f"entry {index} has a time not written YYYY-MM-DDTHH:MMZ")
        self.minute = time
        if canonical(entry) != leaf:
            raise VerificationError(f"entry {index} is not canonical JSON")
        self.count(entry, leaf_hash(leaf))

    def count(self, entry: dict[str, Any], hashed_leaf: bytes) -> None:
        """Take a checked entry into the count and the tree."""
        index = self.size
        self.tree.append(hashed_leaf)
        if entry["kind"] == "add":
            self.states.append(ADD)
            self.adds += 1
            if entry["commitment"] == self.commitment:
                self.match, self.match_hash, self.match_reason = index, hashed_leaf, None
        else:
            target, reason = entry["refers_to"], entry["reason"]
            self.states.append(EXCLUDE)
            self.states[target] = CANCELLED
            self.excluded[reason] += 1
            if target == self.match:
                self.match_reason = reason
        if self.size in self.marks:
            self.at[self.size] = (self.counted, self.tree.root())


# -- Talking to the site ---------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How much a site may make the verifier download, and for how long, before it gives up."""

    response_bytes: int = 16 * 2**20  # a page of 10,000 entries is about 1.6 MB
    total_bytes: int = 4 * 2**30  # about 25 million entries, at some 160 bytes each
    seconds: float = 600.0
    entries: int = 25_000_000  # a byte each in memory; the largest petitions have had millions


DEFAULTS = Limits()


class Budget:
    """What a run has left of its limits: bytes it may still receive, and time to its deadline."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.bytes_left = limits.total_bytes
        self.deadline = time.monotonic() + limits.seconds

    @contextmanager
    def waiting(self) -> Iterator[float]:
        """Around one connect, read or write: how long it may wait, the per-read timeout or less
        near the deadline; and if that wait runs out, which of the two it was."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.overrun()
        wait = min(TIMEOUT_SECONDS, left)
        try:
            yield wait
        except TimeoutError:
            if wait < TIMEOUT_SECONDS:
                raise self.overrun() from None
            raise

    def overrun(self) -> FetchError:
        return FetchError(f"the check took longer than {self.limits.seconds:g} s (--deadline)")

    def spend(self, received: int) -> None:
        """Count bytes received from the site against the whole run's limit."""
        self.bytes_left -= received
        if self.bytes_left < 0:
            raise FetchError(
                f"the site sent more than {self.limits.total_bytes:,} bytes in all "
                "(--max-total-bytes)"
            )


class MeteredReads(io.RawIOBase):
    """A socket's reads, each waiting at most what the budget allows and counted against it."""

    def __init__(self, sock: socket.socket, budget: Budget) -> None:
        super().__init__()
        self.sock, self.budget = sock, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self.budget.waiting() as wait:
            self.sock.settimeout(wait)
            received = self.sock.recv_into(buffer)
        self.budget.spend(received)
        return received


class MeteredSocket:
    """A connected socket as http.client uses it, every read and write within the budget.

    http.client reads a status line or a header a line at a time, and a line can take any number
    of reads: a site sending one byte a second would never meet a per-read timeout. So every
    single read is metered, including those inside http.client, and it is metered above TLS,
    which reads the socket itself.
    """

    def __init__(self, sock: socket.socket, budget: Budget) -> None:
        self.sock, self.budget = sock, budget

    def sendall(self, data: bytes) -> None:
        with self.budget.waiting() as wait:
            self.sock.settimeout(wait)
            self.sock.sendall(data)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(MeteredReads(self.sock, self.budget))

    def close(self) -> None:
        """Nothing: http.client closes before the body is read; the client closes the socket."""


def origin(url: str) -> tuple[str, str, int | None]:
    """A URL's scheme, host and port, as the same-origin rule compares them."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # not a port number
        port = None
    return parts.scheme, parts.hostname or "", port


class Client:
    """Asks one site for pages, over a connection each, within the run's limits."""

    def __init__(self, site: Site, limits: Limits) -> None:
        self.site = site
        self.origin = origin(site.root_url)
        self.budget = Budget(limits)

    def get(self, url: str) -> bytes:
        """The body of a GET; a failure to get it is a FetchError, a refusal (400) a failed check.

        Redirects are followed a few times within the site's origin, never off it: what another
        host or port says is not what this site published.
        """
        for _ in range(MAX_REDIRECTS + 1):
            try:
                status, reason, location, body = self.exchange(url)
            except (http.client.HTTPException, OSError, ValueError) as error:
                raise FetchError(f"{url}: {str(error) or type(error).__name__}") from None
            if status not in REDIRECTS or location is None:
                break
            target = urllib.parse.urljoin(url, location)
            if origin(target) != self.origin:
                raise FetchError(f"{url} redirects to {target}, off the site's own origin")
            url = target
        else:
            raise FetchError(f"{url}: redirected more than {MAX_REDIRECTS} times")
        if status == 200:
            return body
        if status == 400:  # we only ask for what the signed checkpoint says exists
            raise VerificationError(f"{url}: the site refused it ({status})")
        if status == 404:
            raise NotFoundError(f"{url}: not found (no such public petition, or no log here)")
        raise FetchError(f"{url}: the server answered {status} {reason}")

    def exchange(self, url: str) -> tuple[int, str, str | None, bytes]:
        """One request on a connection of its own: status, reason, Location, and a 200's body."""
        parts = urllib.parse.urlsplit(url)
        secure = parts.scheme == "https"
        kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        port = parts.port or DEFAULT_PORTS[parts.scheme]  # given, or "::1" reads as port 1
        with self.budget.waiting() as wait:  # a TLS handshake, too, within one wait
            connection = kind(parts.hostname or "", port, timeout=wait)
            connection.connect()
        sock = connection.sock
        try:
            connection.sock = MeteredSocket(sock, self.budget)
            target = urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
            connection.request("GET", target, headers={"User-Agent": "petition-verify"})
            response = connection.getresponse()
            body = self.body(url, response) if response.status == 200 else b""
            return response.status, response.reason, response.getheader("Location"), body
        finally:
            connection.close()
            sock.close()

    def body(self, url: str, response: http.client.HTTPResponse) -> bytes:
        """The whole body, read a bounded chunk at a time and refused past the response limit."""
        limit = self.budget.limits.response_bytes
        too_long = FetchError(f"{url}: the answer is over {limit:,} bytes (--max-response-bytes)")
        if response.length is not None and response.length > limit:
            raise too_long
        body = bytearray()
        while chunk := response.read1(CHUNK):
            body += chunk
            if len(body) > limit:
                raise too_long
        if response.length:
            raise FetchError(f"{url}: the answer ended {response.length:,} bytes early")
        return bytes(body)

    def text(self, url: str) -> str:
        try:
            return self.get(url).decode("utf-8")
        except UnicodeDecodeError:
            raise VerificationError(f"{url} is not UTF-8 text") from None

    def json(self, url: str) -> dict[str, Any]:
        """A JSON object; anything else is an answer of the wrong shape (cannot check)."""
        try:
            value = loads(self.get(url))
        except (ValueError, RecursionError):
            raise FetchError(f"{url} did not answer JSON") from None
        if not isinstance(value, dict):
            raise FetchError(f"{url} did not answer a JSON object")
        return value


def decoded(value: object, what: str) -> bytes:
    """Base64 inside a JSON answer; anything else is an answer of the wrong shape."""
    if not isinstance(value, str):
        raise FetchError(f"{what} is not base64 text")
    try:
        return b64decode(value, what)
    except VerificationError as error:
        raise FetchError(str(error)) from None


def hashes_from(value: object, what: str) -> list[bytes]:
    """A JSON list of base64 32-byte hashes."""
    if not isinstance(value, list):
        raise FetchError(f"{what} is not a list of base64 hashes")
    hashes = [decoded(item, what) for item in value]
    if any(len(item) != 32 for item in hashes):
        raise FetchError(f"{what} holds a hash that is not 32 bytes")
    return hashes


def read_entries(client: Client, size: int, tally: Tally) -> None:
    """Entries 0..size-1, page by page, each index exactly where it should be, each leaf read
    into the tally as it arrives and then dropped."""
    while tally.size < size:
        start = tally.size
        page = client.json(f"{client.site.petition_url}/log/entries?start={start}&end={size}")
        current, entries = page.get("size"), page.get("entries")
        if type(current) is not int:
            raise FetchError(f"the page of entries from {start}: its size is not a number")
        if not isinstance(entries, list):
            raise FetchError(f"the page of entries from {start}: its entries are not a list")
        if current < size:
            raise VerificationError(
                f"the log now has {current} entries, fewer than its checkpoint's {size}"
            )
        if not entries:
            raise VerificationError(f"the site sent no entries from {start}")
        if len(entries) > size - start:
            raise VerificationError(f"the site sent entries past {size}, the end asked for")
        for entry in entries:
            if not isinstance(entry, dict) or type(entry.get("index")) is not int:
                raise FetchError(
                    f"the page from {start} holds an entry that is not an object with an index"
                )
            index = entry["index"]
            if index != tally.size:
                raise VerificationError(f"expected entry {tally.size}, the site sent {index}")
            if not isinstance(entry.get("leaf"), str):
                raise FetchError(f"entry {index} has no base64 leaf")
            tally.read(decoded(entry["leaf"], f"entry {index}"))
        if tally.size < size and page.get("next") != tally.size:
            raise VerificationError(
                f"the page from {start} does not say the next starts at {tally.size}"
            )


# -- The check, as a command -----------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where a petition's log lives, read from the petition's public address."""

    root_url: str  # scheme://host
    petition_url: str  # scheme://host/petitions/<slug>
    host: str
    slug: str


def parse_petition_url(url: str) -> Site:
    """`https://host/petitions/<slug>`; anything else is a usage error (ValueError)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("give the petition's address, https://host/petitions/<slug>")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("the petition's address must have no user, query or fragment")
    match = re.fullmatch(r"/petitions/([^/]+)/?", parts.path)
    if match is None or SLUG.fullmatch(match.group(1)) is None:
        raise ValueError("the address must end in /petitions/<slug>")
    root = f"{parts.scheme}://{parts.netloc}"
    slug = match.group(1)
    return Site(root, f"{root}/petitions/{slug}", parts.netloc, slug)


def normalise_receipt(typed: str) -> str:
    """A receipt as people type it (any case, spaces, dashes) in its 32-character form."""
    receipt = typed.lower().replace(" ", "").replace("-", "")
    if RECEIPT.fullmatch(receipt) is None:
        raise ValueError("a receipt is 32 letters a-z and digits 2-7 (dashes and spaces allowed)")
    return receipt


def normalise_fingerprint(typed: str) -> str:
    pinned = typed.lower().replace(" ", "").replace(":", "")
    if HEX64.fullmatch(pinned) is None:
        raise ValueError("a key fingerprint is 64 hexadecimal digits")
    return pinned


def checkpoint_time(client: Client, checkpoint: Checkpoint) -> str | None:
    """When the site says it signed this checkpoint, if it lists it (not verified)."""
    try:
        listing = client.json(f"{client.site.petition_url}/log/checkpoints")
    except NotFoundError:
        return None
    items = listing.get("checkpoints")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FetchError("the site's listing of checkpoints is not a list of checkpoints")
    for item in items:
        if item.get("text") == checkpoint.text:
            created = item.get("created_at")
            if not isinstance(created, str):
                raise FetchError("the site's listing of checkpoints has a time that is no text")
            return created
    return None


def check_saved(client: Client, saved: Checkpoint, current: Checkpoint, tally: Tally) -> None:
    """A checkpoint kept earlier: the log then must be the start of the log now, counted alike."""
    if saved.size > current.size:
        raise VerificationError(
            f"the saved checkpoint has {saved.size} entries, more than the {current.size} now"
        )
    counted, root = tally.at[saved.size]
    if root != saved.root:
        raise VerificationError(
            f"the first {saved.size:,} entries now do not match the saved checkpoint: "
            "entries counted then were changed, removed or reordered"
        )
    if saved.size > 0:
        proof = client.json(
            f"{client.site.petition_url}/log/consistency?from={saved.size}&to={current.size}"
        )
        path = hashes_from(proof.get("path"), "the consistency proof")
        if not verify_consistency(saved.size, current.size, saved.root, current.root, path):
            raise VerificationError("the site's consistency proof does not verify")
    if counted != saved.count:
        raise VerificationError(
            f"the saved checkpoint says count {saved.count:,}, "
            f"its {saved.size:,} entries count {counted:,}"
        )


def check_receipt(client: Client, checkpoint: Checkpoint, tally: Tally) -> str:
    """Prove the latest add of this receipt is in the log, and say whether it counts."""
    if tally.match is None:
        raise VerificationError("the receipt is not in the log")
    index = tally.match
    url = f"{client.site.petition_url}/log/proof?index={index}&size={checkpoint.size}"
    proof = client.json(url)
    if type(proof.get("index")) is not int or type(proof.get("size")) is not int:
        raise FetchError("the site's inclusion proof has no index and size")
    [leaf] = hashes_from([proof.get("leaf_hash")], "the proof's leaf hash")
    path = hashes_from(proof.get("path"), "the inclusion proof")
    if proof["index"] != index or proof["size"] != checkpoint.size:
        raise VerificationError("the site's inclusion proof is for another entry or size")
    if leaf != tally.match_hash:
        raise VerificationError("the site's inclusion proof is for another leaf")
    if not verify_inclusion(index, checkpoint.size, leaf, path, checkpoint.root):
        raise VerificationError("the site's inclusion proof does not verify")
    reason = tally.match_reason
    state = "counted" if reason is None else f"not counted (excluded: {reason})"
    return f"entry {index + 1:,} of {checkpoint.size:,}, proof of inclusion verified, {state}"


def _entries(size: int) -> str:
    return f"{size:,} {'entry' if size == 1 else 'entries'}"


def run(
    client: Client,
    pinned: str | None,
    saved_text: str | None,
    receipt: str | None,
    save: str | None,
) -> None:
    """Every check, printing what holds as it goes; raises at the first thing that does not."""
    site = client.site
    key = parse_verifier_key(client.text(f"{site.root_url}/log/key").removesuffix("\n"))
    if key.name.lower() != site.host.lower():
        raise VerificationError(f"the site's key is named {key.name!r}, not after {site.host!r}")
    print(f"Key:          {shown(key.name)}, fingerprint {fingerprint(key.public_key)}")
    if pinned is not None and fingerprint(key.public_key) != pinned:
        raise VerificationError("the site's key is not the one whose fingerprint you gave")
    origin = f"{key.name}/petitions/{site.slug}"
    checkpoint = parse_checkpoint(client.text(f"{site.petition_url}/log/checkpoint"), key, origin)
    print(
        f"Checkpoint:   {_entries(checkpoint.size)}, root {base64.b64encode(checkpoint.root).decode()}, signature verified"
    )
    most = client.budget.limits.entries
    if checkpoint.size > most:
        raise FetchError(f"the log claims more than {most:,} entries (--max-entries)")
    listed = checkpoint_time(client, checkpoint)
    print(f"Signed at:    {'unknown' if listed is None else shown(listed)} (as the site lists it)")
    saved = None
    if saved_text is not None:
        try:
            saved = parse_checkpoint(saved_text, key, origin)
        except VerificationError as error:
            raise VerificationError(f"saved checkpoint: {error}") from None
    commitment = hashlib.sha256(receipt.encode()).hexdigest() if receipt else None
    counts = Tally(commitment, frozenset({saved.size}) if saved else frozenset())
    read_entries(client, checkpoint.size, counts)
    if counts.tree.root() != checkpoint.root:
        raise VerificationError("the entries the site sent do not hash to the checkpoint's root")
    print(f"Entries:      {counts.size:,}, their root matches the checkpoint")
    print(f"Adds:         {counts.adds:,}")
    reasons = ", ".join(f"{counts.excluded[reason]:,} {reason}" for reason in REASONS)
    print(f"Excludes:     {sum(counts.excluded.values()):,} ({reasons})")
    print(f"Counted:      {counts.counted:,}")
    if counts.counted != checkpoint.count:
        raise VerificationError(
            f"the checkpoint says count {checkpoint.count:,}, the log counts {counts.counted:,}"
        )
    print("Count line:   matches the log")
    if saved is not None:
        check_saved(client, saved, checkpoint, counts)
        print(
            f"Earlier:      {saved.size:,} entries, count {saved.count:,} (your copy): "
            "still the start of the log, counted alike"
        )
    if receipt is not None:
        print(f"Receipt:      {check_receipt(client, checkpoint, counts)}")
    if save is not None:
        try:
            with open(save, "w", encoding="utf-8", newline="") as file:
                file.write(checkpoint.text)
        except OSError as error:
            raise FetchError(f"could not save the checkpoint: {error}") from None
        print(f"Saved to:     {shown(save)}")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m petition.verify",
        description="Check a petition's auditable count: its signed checkpoint, every entry "
        "of its log, and the count. Exit 0: all holds; 1: something does not; 2: could not check.",
    )
    parser.add_argument("url", help="the petition's address, https://host/petitions/<slug>")
    parser.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="a checkpoint saved earlier: check nothing counted then has changed",
    )
    parser.add_argument(
        "--receipt", metavar="R", help="a signer's receipt: check it is in the log and counted"
    )
    parser.add_argument(
        "--key-fingerprint",
        metavar="HEX",
        help="the key's fingerprint, as printed in the delivery pack",
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="write the verified checkpoint here, for a later --checkpoint",
    )
    limits = parser.add_argument_group(
        "limits", "a site that sends more, or takes longer, cannot be checked (exit 2)"
    )
    limits.add_argument(
        "--max-response-bytes",
        type=amount,
        default=DEFAULTS.response_bytes,
        metavar="N",
        help=f"the most one answer may hold (default {DEFAULTS.response_bytes:,})",
    )
    limits.add_argument(
        "--max-total-bytes",
        type=amount,
        default=DEFAULTS.total_bytes,
        metavar="N",
        help=f"the most the whole check may download (default {DEFAULTS.total_bytes:,})",
    )
    limits.add_argument(
        "--max-entries",
        type=amount,
        default=DEFAULTS.entries,
        metavar="N",
        help=f"refuse a log that claims more entries (default {DEFAULTS.entries:,})",
    )
    limits.add_argument(
        "--deadline",
        type=seconds,
        default=DEFAULTS.seconds,
        metavar="SECONDS",
        help=f"give up after this long, however the site answers (default {DEFAULTS.seconds:g})",
    )
    return parser


def amount(text: str) -> int:
    """A limit of bytes or entries, as given on the command line: a whole number above zero."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number above zero")
    return value


def seconds(text: str) -> float:
    """A time limit, as given on the command line: seconds above zero."""
    value = float(text)
    if not value > 0:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds above zero")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check from the command line; the exit status says how it went."""
    parser = arguments()
    args = parser.parse_args(argv)
    try:
        site = parse_petition_url(args.url)
        pinned = normalise_fingerprint(args.key_fingerprint) if args.key_fingerprint else None
        receipt = normalise_receipt(args.receipt) if args.receipt is not None else None
    except ValueError as error:
        parser.error(str(error))
    saved_text = None
    if args.checkpoint is not None:
        try:
            with open(args.checkpoint, "rb") as file:
                saved_text = file.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"Could not read the saved checkpoint: {shown(error)}", file=sys.stderr)
            return 2
    limits = Limits(
        response_bytes=args.max_response_bytes,
        total_bytes=args.max_total_bytes,
        seconds=args.deadline,
        entries=args.max_entries,
    )
    print(f"Petition:     {shown(site.petition_url)}")
    try:
        run(Client(site, limits), pinned, saved_text, receipt, args.save)
    except FetchError as error:
        print(f"Could not check: {shown(error)}", file=sys.stderr)
        return 2
    except VerificationError as error:
        print(f"FAILED:       {shown(error)}")
        return 1
    except KeyboardInterrupt:
        print("Stopped before every check was done.", file=sys.stderr)
        return 2
    except Exception as error:  # a site can send anything: never a traceback, never "failed"
        print(f"Could not check: {type(error).__name__}: {shown(error)}", file=sys.stderr)
        return 2
    print("Result:       every check holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
