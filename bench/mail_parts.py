"""Signing while mail goes out, and how fast the outbox is delivered: both to a real SMTP server."""

import os
import time
from dataclasses import dataclass
from pathlib import Path

from app_seed import bench_app, outbox_backlog, owe_mail
from databases import fresh_database
from harness import Deliverer, Load, Server, sign_env, wrk
from smtp_sink import SMTPServer

OUTBOX_MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "20000"))
PAGE = "/petitions/stop-forced-evictions"


def mail_env(env: dict[str, str], smtp: SMTPServer, in_web: bool) -> dict[str, str]:
    """Servers that send to the bench's SMTP server, from the web workers or not."""
    return env | {
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp.port),
        "FLASK_OUTBOX_DELIVER_IN_WEB": "true" if in_web else "false",
    }


@dataclass
class SignRun:
    """One sign set-up: the load, the mail that reached the server and the mail still owed."""

    name: str
    load: Load
    received: int
    backlog: int
    deliverer_cpu: float | None  # seconds used by the dedicated deliverer during the load

    @property
    def deliverer_ms(self) -> float | None:
        if self.deliverer_cpu is None:
            return None
        return 1000 * self.deliverer_cpu / max(self.received, 1)


def sign_setups(tmp: Path, env: dict[str, str], smtp: SMTPServer) -> list[SignRun]:
    """(a) mail delivered by the web workers; (b) by one `outbox deliver` process."""
    runs = []
    for name, in_web in (("sign, mail by web workers", True), ("sign, one deliver process", False)):
        with fresh_database(env, tmp, "sqlite") as db_env:
            db_env = mail_env(db_env, smtp, in_web)
            app = Server("wsgi:app", db_env, tmp / "gunicorn.log")
            deliverer = None if in_web else Deliverer(db_env, tmp / "deliver.log")
            try:
                smtp.sink.reset()
                before = deliverer.cpu_seconds() if deliverer else 0.0
                load = wrk(app.url, "sign", tmp, sign_env(app.url + PAGE, "s"), servers=(app,))
                used = deliverer.cpu_seconds() - before if deliverer else None
                received = smtp.sink.received
                backlog = outbox_backlog(bench_app(db_env["FLASK_SQLALCHEMY_DATABASE_URI"]))
            finally:
                app.stop()
                if deliverer:
                    deliverer.stop()
        runs.append(SignRun(name, load, received, backlog, used))
    return runs


@dataclass
class DeliveryRun:
    """Draining a seeded outbox with one or more `outbox deliver --once` processes."""

    name: str
    processes: int
    owed: int
    received: int
    duplicates: int
    seconds: float  # first to last message the SMTP server received
    cpu: float  # seconds, the processes' start-up included
    backlog: int

    @property
    def rate(self) -> float:
        return self.received / max(self.seconds, 1e-9)

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(self.received, 1)

    @property
    def exactly_once(self) -> bool:
        return self.received == self.owed and self.duplicates == 0


def drain(
    tmp: Path, env: dict[str, str], smtp: SMTPServer, processes: int, tag: str
) -> DeliveryRun:
    """Owe OUTBOX_MESSAGES confirmation emails through the app, then time their delivery."""
    uri = env["FLASK_SQLALCHEMY_DATABASE_URI"]
    app = bench_app(uri)
    owe_mail(app, OUTBOX_MESSAGES, tag)
    owed = outbox_backlog(app)
    smtp.sink.reset()
    deliverers = [
        Deliverer(mail_env(env, smtp, False), tmp / "deliver.log", once=True)
        for _ in range(processes)
    ]
    cpu = sum(deliverer.wait() for deliverer in deliverers)
    sink = smtp.sink
    seconds = (sink.last_at or 0.0) - (sink.first_at or 0.0)
    kind = "PostgreSQL" if uri.startswith("postgresql") else "SQLite"
    return DeliveryRun(
        f"{kind}, {processes} process{'es' if processes > 1 else ''}",
        processes,
        owed,
        sink.received,
        sink.duplicates,
        seconds,
        cpu,
        outbox_backlog(app),
    )


def delivery(tmp: Path, env: dict[str, str], smtp: SMTPServer, postgres: bool) -> list[DeliveryRun]:
    """One process on SQLite; on PostgreSQL one, then two at once on as many messages."""
    with fresh_database(env, tmp, "sqlite") as db_env:
        runs = [drain(tmp, db_env, smtp, 1, "d1")]
    if postgres:
        with fresh_database(env, tmp, "postgres") as db_env:
            runs.append(drain(tmp, db_env, smtp, 1, "p1"))
            time.sleep(1)
            runs.append(drain(tmp, db_env, smtp, 2, "p2"))
    return runs
