"""Replay the UK Parliament petitions site's record peak, at a fixed arrival rate, then multiples.

Per second at 1×: 33 confirmations, 33 signatures, 330 page views (ten per signature) and 660
polls of the JSON count (static/counter.js polls every 30 s and a page is assumed open for 60 s,
so two per view): 1,056 requests/s.
"""

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

from app_seed import bench_app, outbox_backlog, pending_tokens
from databases import fresh_database
from flask import Flask
from harness import THREADS, Deliverer, Load, Server, sign_env, wrk
from mail_parts import mail_env
from procstat import postgres_cpu_seconds
from smtp_sink import SMTPServer

SIGNATURES_PER_SECOND = 33
REQUESTS_PER_SIGNATURE = 32  # 1 confirmation, 1 signature, 10 views, 20 JSON polls
RATE = SIGNATURES_PER_SECOND * REQUESTS_PER_SIGNATURE
SECONDS = int(os.environ.get("BENCH_SURGE_SECONDS", "180"))
STEP_SECONDS = int(os.environ.get("BENCH_SURGE_STEP_SECONDS", "20"))
MULTIPLES = [
    float(m) for m in os.environ.get("BENCH_SURGE_MULTIPLES", "0.5,1,2,3,5,8,13").split(",")
]
# Connections enough for 25 ms of arrivals: wrk connects before it waits for a request's time, and
# a sync worker that accepts such a connection waits for it, so idle ones would hold workers.
ARRIVALS_PER_CONNECTION = 0.025
P99_LIMIT_MS = 200
PAGE = "/petitions/stop-forced-evictions"


@dataclass
class Replay:
    """One replay of the mix at `multiple` times the record peak."""

    setup: str
    multiple: float
    seconds: int
    load: Load
    deliverer_cpu: float
    database_cpu: float | None
    received: int = 0  # messages the SMTP server got during the replay
    backlog: int = 0  # messages still owed when it ended

    @property
    def offered(self) -> float:
        return RATE * self.multiple

    @property
    def signatures(self) -> float:
        return self.load.requests / REQUESTS_PER_SIGNATURE

    def ms_per_signature(self, cpu: float) -> float:
        """CPU ms per signature with its confirmation, views and polls."""
        return 1000 * cpu / max(self.signatures, 1)

    @property
    def held(self) -> bool:
        """Zero errors, p99 under the limit, the rate reached and at most 1% sent late."""
        load = self.load
        return (
            load.errors == 0
            and load.p99 < P99_LIMIT_MS
            and load.rps >= 0.95 * self.offered
            and load.late <= 0.01 * load.requests
        )


def _replay(
    tmp: Path,
    app: Server,
    deliverer: Deliverer | None,
    tokens: list[str],
    setup: str,
    multiple: float,
    seconds: int,
) -> Replay:
    rate = RATE * multiple
    needed = math.ceil(rate / REQUESTS_PER_SIGNATURE * seconds * 1.1) + THREADS
    path = tmp / "surge-tokens.txt"
    path.write_text("".join(token + "\n" for token in tokens[:needed]))
    del tokens[:needed]
    env = sign_env(app.url + PAGE, f"r{time.monotonic_ns()}")
    env |= {"BENCH_RATE": f"{rate:.1f}", "BENCH_TOKENS": str(path), "BENCH_PAGE": PAGE}
    connections = max(16, math.ceil(rate * ARRIVALS_PER_CONNECTION))
    before = (deliverer.cpu_seconds() if deliverer else 0.0, postgres_cpu_seconds())
    load = wrk(app.url, "surge", tmp, env, (app,), connections, seconds)
    after = (deliverer.cpu_seconds() if deliverer else 0.0, postgres_cpu_seconds())
    database = after[1] - before[1] if "PostgreSQL" in setup else None
    return Replay(setup, multiple, seconds, load, after[0] - before[0], database)


def _settle(app: Flask, limit: float = 30.0) -> None:
    """Let owed mail go out before the next step."""
    deadline = time.monotonic() + limit
    while outbox_backlog(app) and time.monotonic() < deadline:
        time.sleep(1)


@dataclass
class Surge:
    """A set-up's sustained replay at 1× and its ladder of multiples."""

    setup: str
    replays: list[Replay]

    @property
    def highest_held(self) -> float:
        held = [r.multiple for r in self.replays[1:] if r.held]
        return max(held, default=0.0)


def surge(tmp: Path, env: dict[str, str], smtp: SMTPServer, kind: str) -> Surge:
    """SQLite with mail sent by the web workers, or PostgreSQL with one deliver process."""
    in_web = kind == "sqlite"
    setup = "SQLite, mail by web workers" if in_web else "PostgreSQL, one deliver process"
    steps = [(1.0, SECONDS)] + [(m, STEP_SECONDS) for m in MULTIPLES]
    total = sum(math.ceil(RATE * m / REQUESTS_PER_SIGNATURE * s * 1.1) + THREADS for m, s in steps)
    with fresh_database(env, tmp, kind) as db_env:
        db_env = mail_env(db_env, smtp, in_web)
        data = bench_app(db_env["FLASK_SQLALCHEMY_DATABASE_URI"])
        tokens = pending_tokens(data, total, "surge")
        app = Server("wsgi:app", db_env, tmp / "gunicorn.log")
        deliverer = None if in_web else Deliverer(db_env, tmp / "deliver.log")
        replays: list[Replay] = []
        try:
            for multiple, seconds in steps:
                smtp.sink.reset()
                replay = _replay(tmp, app, deliverer, tokens, setup, multiple, seconds)
                replay.received, replay.backlog = smtp.sink.received, outbox_backlog(data)
                replays.append(replay)
                _settle(data)
                if len(replays) > 1 and not replay.held:
                    break
        finally:
            app.stop()
            if deliverer:
                deliverer.stop()
        return Surge(setup, replays)
