"""A tiny petition log of the tests' own, served over real HTTP, for checking the verifier.

The Merkle functions here follow RFC 9162 §2.1 word for word (recursive MTH, PATH and
SUBPROOF), deliberately unlike the verifier's iterative ones, so the two check each other.
"""

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

TIME = "2026-12-06T02:31Z"
SLUG = "save-the-river"


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) as RFC 9162 §2.1.1 defines it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = largest_power_of_two_below(len(leaves))
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), the inclusion proof of leaf m (RFC 9162 §2.1.3.1)."""
    if len(leaves) <= 1:
        return []
    k = largest_power_of_two_below(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): the first m leaves are a prefix of these."""
    return subproof(m, leaves, True)


def leaf_bytes(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment_of(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def add(receipt: str, time: str = TIME) -> bytes:
    """An add leaf for this (32-character) receipt."""
    return leaf_bytes({"commitment": commitment_of(receipt), "kind": "add", "time": time})


def exclude(refers_to: int, reason: str = "withdrawn", time: str = TIME) -> bytes:
    return leaf_bytes({"kind": "exclude", "reason": reason, "refers_to": refers_to, "time": time})


def receipt(n: int) -> str:
    """A distinct valid receipt per number: 32 base32 characters."""
    return base64.b32encode(hashlib.sha256(str(n).encode()).digest()[:20]).decode().lower()


def counted(leaves: list[bytes]) -> int:
    """The counted total, as an honest site would sign it; leaves it cannot read are skipped.

    No validation: that is the verifier's job, and tests feed it broken leaves on purpose.
    """
    entries = []
    for leaf in leaves:
        try:
            entry = json.loads(leaf)
        except (ValueError, RecursionError):
            continue
        if isinstance(entry, dict) and entry.get("kind") in ("add", "exclude"):
            entries.append(entry)
    cancelled = {entry["refers_to"] for entry in entries if entry["kind"] == "exclude"}
    return sum(entry["kind"] == "add" for entry in entries) - len(cancelled)


class Signer:
    """An Ed25519 note key named after the site's host."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.private = Ed25519PrivateKey.generate()
        self.public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.id = hashlib.sha256(name.encode() + b"\n\x01" + self.public).digest()[:4]

    @property
    def verifier_key(self) -> str:
        encoded = base64.b64encode(b"\x01" + self.public).decode()
        return f"{self.name}+{self.id.hex()}+{encoded}"

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.public).hexdigest()

    def note(self, body: str) -> str:
        """The signed note: the body, a blank line, one signature line."""
        signature = self.private.sign(body.encode())
        return f"{body}\n\u2014 {self.name} {base64.b64encode(self.id + signature).decode()}\n"

    def checkpoint(self, origin: str, leaves: list[bytes], count: int | None = None) -> str:
        """A checkpoint over these leaves; `count` lets a test make the count line lie."""
        root = base64.b64encode(mth(leaves)).decode()
        total = counted(leaves) if count is None else count
        return self.note(f"{origin}\n{len(leaves)}\n{root}\ncount {total}\n")


@dataclass
class Log:
    """What the test site serves for one petition; tests change it to play a dishonest site."""

    signer: Signer
    slug: str = SLUG
    leaves: list[bytes] = field(default_factory=list)
    checkpoint_text: str | None = None  # None: sign one over the leaves on every request
    key_text: str | None = None  # None: the signer's verifier key
    page_size: int = 10_000
    history: list[tuple[str, str]] = field(default_factory=list)  # (created_at, text), oldest first
    # Route ("key", "checkpoint", "entries", ...) -> what answers it instead, for a hostile site.
    misbehave: dict[str, Callable[["Handler"], object]] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"{self.signer.name}/petitions/{self.slug}"

    def checkpoint(self) -> str:
        if self.checkpoint_text is not None:
            return self.checkpoint_text
        return self.signer.checkpoint(self.origin, self.leaves)

    def sign_now(self, created_at: str = "2026-12-06T02:31:00+00:00") -> str:
        """Sign the current leaves as the latest checkpoint, kept in the listing."""
        text = self.signer.checkpoint(self.origin, self.leaves)
        self.checkpoint_text = text
        self.history.append((created_at, text))
        return text


class BadRequest(Exception):
    pass


def integers(query: dict[str, list[str]], *names: str) -> list[int]:
    try:
        return [int(query[name][0]) for name in names]
    except (KeyError, ValueError):
        raise BadRequest(f"{', '.join(names)} must be integers") from None


def answer(log: Log, route: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
    """The status, content type and body the spec says the site serves for this request."""
    leaves, size = log.leaves, len(log.leaves)
    if route == "checkpoint":
        return 200, "text/plain; charset=utf-8", log.checkpoint().encode()
    if route == "checkpoints":
        items = [
            {"size": int(text.split("\n")[1]), "count": 0, "created_at": at, "text": text}
            for at, text in reversed(log.history)
        ]
        return 200, "application/json", json.dumps({"checkpoints": items[:100]}).encode()
    if route == "entries":
        start, end = integers(query, "start", "end")
        if not 0 <= start < end <= size:
            raise BadRequest("0 <= start < end <= size")
        stop = min(end, start + log.page_size)
        entries = [
            {"index": i, "leaf": base64.b64encode(leaves[i]).decode()} for i in range(start, stop)
        ]
        body = {"size": size, "entries": entries, "next": stop if stop < end else None}
        return 200, "application/json", json.dumps(body).encode()
    if route == "proof":
        index, n = integers(query, "index", "size")
        if not 0 <= index < n <= size:
            raise BadRequest("0 <= index < size <= log size")
        hashes = [base64.b64encode(h).decode() for h in path(index, leaves[:n])]
        leaf_hash = base64.b64encode(mth(leaves[index : index + 1])).decode()
        body = {"index": index, "size": n, "leaf_hash": leaf_hash, "path": hashes}
        return 200, "application/json", json.dumps(body).encode()
    if route == "consistency":
        m, n = integers(query, "from", "to")
        if not 0 < m <= n <= size:
            raise BadRequest("0 < from <= to <= size")
        hashes = [base64.b64encode(h).decode() for h in proof(m, leaves[:n])]
        return 200, "application/json", json.dumps({"from": m, "to": n, "path": hashes}).encode()
    return 404, "text/plain", b"not found"


class Handler(BaseHTTPRequestHandler):
    log: Log  # set on a subclass per server

    @property
    def route(self) -> str | None:
        """Which of the site's answers this request asks for: "key", "entries", ... or None."""
        path = urlsplit(self.path).path
        prefix = f"/petitions/{self.log.slug}/log/"
        if path == "/log/key":
            return "key"
        return path[len(prefix) :] if path.startswith(prefix) else None

    def do_GET(self) -> None:
        hostile = self.log.misbehave.get(self.route or "")
        if hostile is not None:
            hostile(self)
        else:
            self.answer_honestly()

    def answer_honestly(self) -> None:
        route = self.route
        if route == "key":
            key = self.log.key_text or self.log.signer.verifier_key
            status, kind, body = 200, "text/plain; charset=utf-8", f"{key}\n".encode()
        elif route is not None:
            try:
                query = parse_qs(urlsplit(self.path).query)
                status, kind, body = answer(self.log, route, query)
            except BadRequest as error:
                status, kind = 400, "application/json"
                body = json.dumps({"error": str(error)}).encode()
        else:
            status, kind, body = 404, "application/json", b'{"error": "not found"}'
        self.reply(status, kind, body)

    def reply(self, status: int, kind: str, body: bytes, reason: str | None = None) -> None:
        """A whole answer; `reason` replaces the status line's usual phrase."""
        self.send_response(status, reason)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


@contextmanager
def serving() -> Iterator[tuple[str, Log]]:
    """A site on a free loopback port: its base URL and the (honest, empty) log it serves."""
    handler: type[Handler] = type("BoundHandler", (Handler,), {})  # one log per server
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    host = f"127.0.0.1:{server.server_address[1]}"
    log = Log(Signer(host))
    handler.log = log
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
