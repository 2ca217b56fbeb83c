"""The edge: reads and the surge replay through the shipped nginx (deploy/nginx/petition.conf).

Reads: the cached petition page and JSON count against a static file served by the same nginx
in the same run. The replay: the UK record mix (see surge.py) at BENCH_EDGE_MULTIPLE (5) for
BENCH_EDGE_SECONDS (180) on one machine (SQLite, gunicorn, one `outbox deliver` process, nginx),
with each request kind's p99 taken from nginx's own log of every request's time, and every
confirmation email counted at a real SMTP server.

Two changes to the shipped file: the POST wall (5 a second per address) is lifted, since all of
wrk's signers come from 127.0.0.1, and every request's time is logged (static files too).
"""

import math
import os
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
from app_seed import bench_app, outbox_backlog, pending_tokens
from databases import fresh_database
from flask import Flask
from harness import ROOT, THREADS, Deliverer, Load, Server, sign_env, wrk
from mail_parts import mail_env
from procstat import tree_cpu_seconds
from smtp_sink import SMTPServer
from surge import ARRIVALS_PER_CONNECTION, PAGE, RATE, REQUESTS_PER_SIGNATURE

sys.path.insert(0, str(ROOT))
from tests.helpers.nginx import Nginx

MULTIPLE = float(os.environ.get("BENCH_EDGE_MULTIPLE", "5"))
SECONDS = int(os.environ.get("BENCH_EDGE_SECONDS", "180"))
P99_LIMIT_MS = 100
READ_RATIO_TARGET = 0.8
# The replay's request kinds, from the address nginx logged.
_KINDS = (
    ("confirm", re.compile(r"^POST /confirm/")),
    ("sign", re.compile(r"^POST .*/sign$")),
    ("JSON count", re.compile(r"^GET .*\.json$")),
    ("page", re.compile(r"^GET /petitions/")),
)


@dataclass
class Kind:
    """One request kind's times (ms) and statuses, as nginx logged them."""

    times: list[float] = field(default_factory=list)
    failed: Counter[str] = field(default_factory=Counter)  # by status
    from_cache: int = 0  # answered by nginx's copy: fresh, or stale while another updates it
    cut: int = 0  # wrk hung up (499): the requests in flight when the run ended

    @property
    def p99(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)] if ordered else 0

    @property
    def p50(self) -> float:
        ordered = sorted(self.times)
        return ordered[len(ordered) // 2] if ordered else 0.0


@dataclass
class EdgeReplay:
    """The replay through nginx: wrk's view, nginx's per kind, and the mail."""

    multiple: float
    seconds: int
    load: Load
    kinds: dict[str, Kind]
    signed: int
    received: int
    duplicates: int
    backlog: int
    cpu: dict[str, float]

    @property
    def offered(self) -> float:
        return RATE * self.multiple

    @property
    def answered_signs(self) -> int:
        """Signatures the app answered; those cut by the run's end may or may not have signed."""
        sign = self.kinds.get("sign")
        return len(sign.times) if sign else 0

    @property
    def held(self) -> bool:
        """Rate reached, no errors, every kind's p99 under the limit, each mail exactly once."""
        return (
            self.load.errors == 0
            and self.load.rps >= 0.95 * self.offered
            and all(not k.failed and k.p99 <= P99_LIMIT_MS for k in self.kinds.values())
            and self.answered_signs <= self.received <= self.signed
            and self.duplicates == 0
            and self.backlog == 0
        )


@dataclass
class Edge:
    reads: list[tuple[str, Load]]
    replay: EdgeReplay | None


def _kinds(log: Path) -> dict[str, Kind]:
    kinds: dict[str, Kind] = defaultdict(Kind)
    for line in log.read_text().splitlines():
        method, uri, status, seconds, cache = line.split(" ")
        name = next((n for n, pattern in _KINDS if pattern.match(f"{method} {uri}")), None)
        if name is None:
            continue
        kind = kinds[name]
        if status == "499":
            kind.cut += 1
            continue
        kind.times.append(float(seconds) * 1000)
        if int(status) >= 400:
            kind.failed[status] += 1
        kind.from_cache += cache in ("HIT", "UPDATING", "STALE")
    return dict(kinds)


def _static_address(front: Nginx) -> str:
    """The stylesheet's fingerprinted address; the page and the count are in nginx's cache after.

    A first read of an empty cache waits for the app, and nginx looks at its lock only every
    half second: warmed, the rows measure the cache, as a surge meets it after its first second.
    """
    requests.get(f"{front.url}{PAGE}.json", timeout=10)
    page = requests.get(f"{front.url}{PAGE}?lang=en", timeout=10).text
    found = re.search(r'href="(/static/site\.css\?v=[0-9a-f]+)"', page)
    assert found, "the page names its stylesheet"
    return front.url + found.group(1)


def edge(tmp: Path, env: dict[str, str], smtp: SMTPServer) -> Edge:
    """Start the one-machine set-up behind nginx; measure its reads, then replay the surge."""
    folder = tmp / "nginx"
    folder.mkdir()
    timing = folder / "timing.log"
    changes = {
        "limit_req zone=petition_posts burst=20 nodelay;": "",
        "add_header X-Cache-Status $upstream_cache_status always;": (
            "add_header X-Cache-Status $upstream_cache_status always;\n"
            f"        access_log {timing} timing buffer=256k flush=1s;"
        ),
        # The static file is logged alike, so that the read rows compare like with like.
        "        access_log off;": f"        access_log {timing} timing buffer=256k flush=1s;",
    }
    front = Nginx(folder, changes)
    with fresh_database(env, tmp, "sqlite") as db_env:
        db_env = mail_env(db_env, smtp, in_web=False) | {
            "FLASK_TRUSTED_PROXY_HOPS": "1",
            "FLASK_PUBLIC_URL": front.url,
        }
        data = bench_app(db_env["FLASK_SQLALCHEMY_DATABASE_URI"])
        needed = math.ceil(RATE * MULTIPLE / REQUESTS_PER_SIGNATURE * SECONDS * 1.1) + THREADS
        tokens = pending_tokens(data, needed, "edge")
        app = Server("wsgi:app", db_env, tmp / "gunicorn-edge.log")
        deliverer = Deliverer(db_env, tmp / "deliver-edge.log")
        front.start(int(app.url.rsplit(":", 1)[1]))
        try:
            reads: list[tuple[str, Load]] = [
                ("static file (nginx)", wrk(_static_address(front), "get", tmp)),
                ("petition page (cached)", wrk(f"{front.url}{PAGE}?lang=en", "get", tmp)),
                ("JSON count (cached)", wrk(f"{front.url}{PAGE}.json", "get", tmp)),
            ]
            replay = _replay(tmp, front, app, deliverer, tokens, smtp, data, timing)
        finally:
            front.stop()
            app.stop()
            deliverer.stop()
            errors = (folder / "error.log").read_text().splitlines()
            if errors:
                print(f"nginx logged {len(errors)} line(s), the last: {errors[-3:]}")
    return Edge(reads, replay)


def _replay(
    tmp: Path,
    front: Nginx,
    app: Server,
    deliverer: Deliverer,
    tokens: list[str],
    smtp: SMTPServer,
    data: Flask,
    timing: Path,
) -> EdgeReplay:
    path = tmp / "edge-tokens.txt"
    path.write_text("".join(token + "\n" for token in tokens))
    rate = RATE * MULTIPLE
    env = sign_env(front.url + PAGE, f"e{time.monotonic_ns()}")
    env |= {"BENCH_RATE": f"{rate:.1f}", "BENCH_TOKENS": str(path), "BENCH_PAGE": PAGE}
    connections = max(16, math.ceil(rate * ARRIVALS_PER_CONNECTION))
    nginx_pid = front.process.pid if front.process else 0
    parts = {"gunicorn": app.cpu_seconds, "deliverer": deliverer.cpu_seconds}
    parts["nginx"] = lambda: tree_cpu_seconds(nginx_pid)
    timing.write_text("")
    smtp.sink.reset()
    before = {name: read() for name, read in parts.items()}
    load = wrk(front.url, "surge", tmp, env, (), connections, SECONDS)
    cpu = {name: read() - before[name] for name, read in parts.items()}
    deadline = time.monotonic() + 120  # let owed mail go out, then count it
    while outbox_backlog(data) and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(2)  # nginx flushes its log each second
    # Only the replay's signers are owed one confirmation each; the organisers' notices (a goal
    # reached, a milestone) are other messages to one address.
    signers = {to: n for to, n in smtp.sink.recipients.items() if to.startswith("surge")}
    twice = sorted(to for to, times in signers.items() if times > 1)
    if twice:  # say why, while the logs still exist
        log = (tmp / "deliver-edge.log").read_text(errors="replace").splitlines()
        print(f"mail received twice by {twice[:5]}; the deliverer's last warnings:")
        print("\n".join([line for line in log if "WARNING" in line or "ERROR" in line][-15:]))
    return EdgeReplay(
        multiple=MULTIPLE,
        seconds=SECONDS,
        load=load,
        kinds=_kinds(timing),
        signed=load.signed,
        received=len(signers),
        duplicates=sum(signers.values()) - len(signers),
        backlog=outbox_backlog(data),
        cpu=cpu,
    )
