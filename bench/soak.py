"""The soak: the service as operators run it at scale, under steady signing, through a schedule of
faults, then checked against what must hold. `make soak`; never part of `make test`.

PostgreSQL (a fresh database at BENCH_POSTGRES_URL's server), two gunicorn instances of three
workers behind a client that fails over between them as a load balancer would, two `outbox
deliver` processes, Redis for the rate limits (SOAK_REDIS_PORT, default 6379, through a switch
that can cut it) and an SMTP relay that can be stopped, slowed or made to refuse.

Signers arrive at SOAK_RATE a second (default 5) for SOAK_MINUTES (default 10), each from an
address of their own: open the petition, sign, and four in five confirm from their email. Every
SLOT seconds a fault begins (the schedule below, round and round; SOAK_FAULTS=redis,smtp keeps
the faults whose names contain those words, SOAK_SLOT sets the seconds between two). At the end the faults are
healed, owed mail drains, and the invariants are checked over the recorded history: a table per
fault (requests during it, failed attempts, recovery time, violations) and one of invariants.
The exit status is 1 when an invariant does not hold.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests
from app_seed import PAGE_SLUG, SECRET, bench_app
from databases import POSTGRES, fresh_database, postgres_available
from harness import ROOT
from soak_parts import DeliverProcess, Received, Relay, Switch, WebInstance
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Signature, SignatureStatus

MINUTES = float(os.environ.get("SOAK_MINUTES", "10"))
RATE = float(os.environ.get("SOAK_RATE", "5"))
REDIS_PORT = int(os.environ.get("SOAK_REDIS_PORT", "6379"))
REDIS_DB = 7
SLOT = float(os.environ.get("SOAK_SLOT", "55"))  # seconds from one fault's start to the next's
WARM_UP = 30.0
CLAIM_SECONDS = 10.0  # 2 × (2 × MAIL_TIMEOUT + 1) with MAIL_TIMEOUT=2: what the deliverers hold
DRAIN_SECONDS = 240.0
FORM_TOKEN_FIELD = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
ADDRESS_MARK = "soak-signer-"  # in every signer's address, so logs can be searched for them


@dataclass
class Attempt:
    """One HTTP request a signer made."""

    kind: str  # "sign" or "confirm"
    address: str  # the signer's
    instance: str
    started: float
    ended: float
    outcome: str  # the status code, or "refused" / "timeout" / "reset"

    @property
    def failed(self) -> bool:
        return not self.outcome.isdigit() or int(self.outcome) >= 500


@dataclass
class Fault:
    name: str
    seconds: float
    begin: Callable[["Soak"], None]
    end: Callable[["Soak"], None]
    deliverer_killed: bool = False
    started: float = 0.0
    ended: float = 0.0


@dataclass
class History:
    attempts: list[Attempt] = field(default_factory=list)
    accepted: dict[str, float] = field(default_factory=dict)  # address -> when the signer saw it
    refused: dict[str, str] = field(default_factory=dict)  # address -> last outcome
    confirmed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)


class Soak:
    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.relay = Relay()
        self.redis = Switch(REDIS_PORT)
        self.env = env | {
            "FLASK_MAIL_SERVER": "127.0.0.1",
            "FLASK_MAIL_PORT": str(self.relay.port),
            "FLASK_MAIL_TIMEOUT": "2",
            "FLASK_OUTBOX_CLAIM_SECONDS": "5",
            "FLASK_OUTBOX_MAX_BACKOFF": "5",
            "FLASK_OUTBOX_POLL_SECONDS": "0.5",
            "FLASK_OUTBOX_DELIVER_IN_WEB": "false",
            "FLASK_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{self.redis.port}/{REDIS_DB}",
            "FLASK_TRUSTED_PROXY_HOPS": "1",
        }
        self.web = [WebInstance(f"web{n}", self.env, 3, tmp / f"web{n}.log") for n in (1, 2)]
        public = self.web[0].url
        for instance in self.web:
            instance.env = self.env | {"FLASK_PUBLIC_URL": public}
        self.env["FLASK_PUBLIC_URL"] = public
        self.deliverers = [
            DeliverProcess(f"deliver{n}", self.env, tmp / f"deliver{n}.log") for n in (1, 2)
        ]
        self.history = History()
        self.pool = ThreadPoolExecutor(max_workers=64)
        self.mailed: set[str] = set()  # signers whose first email the soak has read
        self.confirm_seen = 0
        self.began = time.monotonic()
        self.signers = 0
        self._turn = 0

    # The signers.

    def _request(self, kind: str, address: str, call: Callable[[str], requests.Response]) -> str:
        """One attempt, trying the instances in turn as a load balancer that retries would;
        the final outcome as a status code or the kind of failure."""
        outcome = "refused"
        self._turn += 1
        first = self._turn
        for attempt in range(6):
            instance = self.web[(first + attempt) % 2]
            started = time.monotonic()
            try:
                outcome = str(call(instance.url).status_code)
            except requests.ConnectionError as error:
                outcome = "reset" if "reset" in str(error).lower() else "refused"
            except requests.Timeout:
                outcome = "timeout"
            ended = time.monotonic()
            self.history.record(Attempt(kind, address, instance.name, started, ended, outcome))
            if outcome.isdigit() and int(outcome) < 500:
                return outcome
            time.sleep(1.0)  # the signer presses again
        return outcome

    def sign(self, number: int) -> None:
        address = f"{ADDRESS_MARK}{number}@example.org"
        session = requests.Session()
        session.headers["X-Forwarded-For"] = (
            f"10.{number // 62500 % 250}.{number // 250 % 250}.{number % 250}"
        )
        name = f"Айгерим Soak {number}" if number % 3 else f"Signer Soak {number}"

        def post(base: str) -> requests.Response:
            page = session.get(f"{base}/petitions/{PAGE_SLUG}", timeout=15)
            if page.status_code != 200:
                return page
            token = FORM_TOKEN_FIELD.search(page.text)
            assert token is not None, "no form token on the page"
            data = {"form_token": token.group(1), "name": name, "email": address}
            return session.post(
                f"{base}/petitions/{PAGE_SLUG}/sign", data=data, allow_redirects=False, timeout=15
            )

        outcome = self._request("sign", address, post)
        with self.history.lock:
            if outcome == "303":
                self.history.accepted[address] = time.monotonic()
            else:
                self.history.refused[address] = outcome

    def confirm(self, address: str, link: str) -> None:
        path = link.split("/confirm/", 1)[1]
        outcome = self._request(
            "confirm",
            address,
            lambda base: requests.post(f"{base}/confirm/{path}", allow_redirects=False, timeout=15),
        )
        if outcome.isdigit() and int(outcome) < 400:
            with self.history.lock:
                self.history.confirmed.add(address)

    def drive(self, until: float) -> None:
        """Start signers at RATE a second until `until`; confirm four in five mails as they come."""
        start, mailed = time.monotonic(), self.mailed
        while time.monotonic() < until:
            while self.signers < (time.monotonic() - start) * RATE:
                self.pool.submit(self.sign, self.signers)
                self.signers += 1
            self._confirm_new(mailed)
            time.sleep(0.05)

    def _confirm_new(self, mailed: set[str]) -> None:
        new = self.relay.since(self.confirm_seen)
        self.confirm_seen += len(new)
        for message in new:
            if message.recipient in mailed or message.link is None:
                continue
            mailed.add(message.recipient)
            number = int(message.recipient.removeprefix(ADDRESS_MARK).split("@")[0])
            if number % 5:
                self.pool.submit(self.confirm, message.recipient, message.link)

    # The set-up.

    def start(self) -> None:
        redis.Redis(port=REDIS_PORT, db=REDIS_DB).flushdb()
        for instance in self.web:
            instance.start()
        for deliverer in self.deliverers:
            deliverer.start()

    def stop(self) -> None:
        for deliverer in self.deliverers:
            deliverer.stop()
        for instance in self.web:
            instance.stop()
        self.relay.down()
        self.redis.down()
        self.pool.shutdown(wait=False, cancel_futures=True)


# The faults, each begun and ended by the soak.


def _kill_worker(soak: Soak) -> None:
    os.kill(soak.web[0].worker_pids()[0], signal.SIGKILL)


def _kill_master(soak: Soak) -> None:
    soak.web[1].kill_master()


def _restart_instance(soak: Soak) -> None:
    soak.web[1].stop()  # the orphaned workers, as the service manager ends them
    soak.web[1].start()


def _kill_deliverer_mid_send(soak: Soak) -> None:
    """With the relay slow, a deliverer with mail owed is always in a send: kill it there."""
    soak.relay.mode = "slow"
    time.sleep(3)
    soak.deliverers[0].kill()
    soak.relay.mode = "ok"


def _pause_deliverer(soak: Soak) -> None:
    soak.deliverers[1].signal(signal.SIGSTOP)


def _terminate_connections(soak: Soak) -> None:
    database = soak.env["FLASK_SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )


def _relay(mode: str) -> Callable[[Soak], None]:
    def switch(soak: Soak) -> None:
        soak.relay.mode = mode

    return switch


def _nothing(soak: Soak) -> None:
    pass


def schedule() -> list[Fault]:
    """One round of the faults; the soak runs as many rounds, or part of one, as fit."""
    return [
        Fault("kill -9 of a web worker", 0, _kill_worker, _nothing),
        Fault("SMTP relay down", 40, lambda s: s.relay.down(), lambda s: s.relay.up()),
        Fault(
            "kill -9 of a deliverer mid-send",
            3,
            _kill_deliverer_mid_send,
            lambda s: s.deliverers[0].start(),
            deliverer_killed=True,
        ),
        Fault("SMTP answers 451 to everyone", 40, _relay("451"), _relay("ok")),
        Fault("kill -9 of a gunicorn master", 5, _kill_master, _restart_instance),
        Fault(
            f"SIGSTOP of a deliverer ({CLAIM_SECONDS + 10:.0f} s, past its claim)",
            CLAIM_SECONDS + 10,
            _pause_deliverer,
            lambda s: s.deliverers[1].signal(signal.SIGCONT),
        ),
        Fault("SMTP slow (1 s per message)", 40, _relay("slow"), _relay("ok")),
        Fault("PostgreSQL connections terminated", 0, _terminate_connections, _nothing),
        Fault("SMTP answers 550 to everyone", 10, _relay("550"), _relay("ok")),
        Fault("Redis unreachable", 30, lambda s: s.redis.down(), lambda s: s.redis.up()),
    ]


def chosen_faults() -> list[Fault]:
    """The schedule, or the faults whose names contain SOAK_FAULTS (words split by commas)."""
    words = [w.strip().lower() for w in os.environ.get("SOAK_FAULTS", "").split(",") if w.strip()]
    faults = [f for f in schedule() if not words or any(w in f.name.lower() for w in words)]
    if not faults:
        raise SystemExit(f"no fault matches SOAK_FAULTS={os.environ['SOAK_FAULTS']!r}")
    return faults


def run_faults(soak: Soak, until: float) -> list[Fault]:
    done: list[Fault] = []
    time.sleep(WARM_UP)
    while time.monotonic() + SLOT <= until:
        fault = chosen_faults()[len(done) % len(chosen_faults())]
        slot_end = time.monotonic() + SLOT
        fault.started = time.monotonic()
        print(f"{fault.started - soak.began:6.0f} s  {fault.name}", flush=True)
        fault.begin(soak)
        time.sleep(fault.seconds)
        fault.end(soak)
        fault.ended = time.monotonic()
        done.append(fault)
        time.sleep(max(0.0, slot_end - time.monotonic()))
    return done


# The checks.


@dataclass
class Check:
    name: str
    expected: str
    observed: str
    holds: bool


def _command(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run a command; its exit status and the last line it wrote."""
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, lines[-1] if lines else ""


def drain(soak: Soak) -> None:
    """Wait until every accepted signer has mail and nothing is owed."""
    deadline = time.monotonic() + DRAIN_SECONDS
    app = bench_app(soak.env["FLASK_SQLALCHEMY_DATABASE_URI"])
    while time.monotonic() < deadline:
        soak._confirm_new(soak.mailed)
        with app.app_context():
            pending = db.session.scalar(
                select(func.count()).where(OutboxMessage.state == OutboxState.PENDING)
            )
        received = {message.recipient for message in soak.relay.since(0)}
        if not pending and set(soak.history.accepted) <= received:
            break
        time.sleep(1)
    soak.pool.shutdown(wait=True)  # confirmations in flight end
    time.sleep(6)  # the public count's shared copies last 5 s


def signers_mail(soak: Soak) -> list[Received]:
    """The emails to signers; the organiser's (the goal's quarters passed) are no confirmations."""
    return [message for message in soak.relay.since(0) if ADDRESS_MARK in message.recipient]


def submissions(history: History) -> Counter[str]:
    """How many of each signer's sign attempts may have reached the app: every one that got an
    answer, was cut off or timed out; a repeated submission is owed its own email."""
    return Counter(
        a.address for a in history.attempts if a.kind == "sign" and a.outcome != "refused"
    )


def unexplained_copies(soak: Soak) -> Counter[str]:
    """Emails beyond one per submission that may have reached the app, by recipient."""
    mails = Counter(m.recipient for m in signers_mail(soak))
    sent = submissions(soak.history)
    return Counter(
        {address: n - max(sent[address], 1) for address, n in mails.items() if n > sent[address]}
    )


def evidence(soak: Soak) -> list[str]:
    """What an operator looks at first: each 5xx answer and each unexplained duplicate."""
    lines = [
        f"- {a.started - soak.began:.1f} s: {a.kind} on {a.instance} answered {a.outcome} "
        f"after {a.ended - a.started:.1f} s"
        for a in soak.history.attempts
        if a.outcome.isdigit() and int(a.outcome) >= 500
    ]
    for address in unexplained_copies(soak):
        copies = [m.at - soak.began for m in signers_mail(soak) if m.recipient == address]
        lines.append(
            f"- a duplicate to signer {address.removeprefix(ADDRESS_MARK).split('@')[0]}: copies "
            f"received at {', '.join(f'{t:.1f}' for t in copies)} s"
        )
    return lines


def check(soak: Soak, faults: list[Fault]) -> list[Check]:
    history = soak.history
    env = soak.env
    app = bench_app(env["FLASK_SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        rows = db.session.execute(select(Signature.email, Signature.status)).all()
        outbox = Counter(db.session.scalars(select(OutboxMessage.state)))
        errors = [e for e in db.session.scalars(select(OutboxMessage.last_error)) if e]
    stored = Counter(email for email, _status in rows)
    confirmed_rows = {email for email, status in rows if status == SignatureStatus.CONFIRMED}
    mails = Counter(m.recipient for m in signers_mail(soak))
    accepted = set(history.accepted)
    kills = sum(fault.deliverer_killed for fault in faults)
    duplicates = sum(unexplained_copies(soak).values())
    repeats = sum(count - 1 for count in mails.values()) - duplicates
    lost = sorted(accepted - set(mails))
    server_errors = sum(a.outcome.isdigit() and int(a.outcome) >= 500 for a in history.attempts)
    public = requests.get(f"{soak.web[0].url}/petitions/{PAGE_SLUG}.json", timeout=15).json()
    recount, recount_says = _command(
        env, sys.executable, "-m", "flask", "--app", "petition", "petitions", "recount", "--check"
    )
    _command(env, sys.executable, "-m", "flask", "--app", "petition", "petitions", "checkpoint")
    verify, verify_says = _command(
        env, sys.executable, "-m", "petition.verify", f"{soak.web[0].url}/petitions/{PAGE_SLUG}"
    )
    leaked = [
        line
        for log in soak.tmp.glob("*.log")
        for line in log.read_text(errors="replace").splitlines()
        if ADDRESS_MARK in line or "Айгерим" in line
    ]
    return [
        Check("HTTP 5xx answers", "0", str(server_errors), server_errors == 0),
        Check(
            "accepted signatures stored exactly once",
            f"{len(accepted)}",
            f"{sum(stored[a] == 1 for a in accepted)}",
            all(stored[a] == 1 for a in accepted),
        ),
        Check(
            "signatures stored that no signer was told of",
            "0 beyond retried attempts",
            f"{len(set(stored) - accepted)} ({len(history.refused)} signers saw a failure)",
            set(stored) - accepted <= set(history.refused),
        ),
        Check("accepted signers who never got their email", "0", str(len(lost)), not lost),
        Check(
            "duplicate confirmation emails",
            f"≤ {kills} (one per killed deliverer)",
            f"{duplicates} (and {repeats} for a signer's own repeated submission)",
            duplicates <= kills,
        ),
        Check(
            "confirmations counted exactly once",
            f"{len(history.confirmed)} confirmed by signers",
            f"{len(confirmed_rows & history.confirmed)} stored confirmed, {len(confirmed_rows - history.confirmed)} not clicked",
            history.confirmed <= confirmed_rows and confirmed_rows <= history.confirmed,
        ),
        Check(
            "public count = confirmed rows",
            str(len(confirmed_rows)),
            str(public.get("signature_count")),
            public.get("signature_count") == len(confirmed_rows),
        ),
        Check(
            "`petitions recount --check`", "exit 0", f"exit {recount}: {recount_says}", recount == 0
        ),
        Check(
            "`python -m petition.verify`", "exit 0", f"exit {verify}: {verify_says}", verify == 0
        ),
        Check(
            "outbox after the drain",
            "all sent",
            ", ".join(f"{state}: {n}" for state, n in sorted(outbox.items())),
            set(outbox) <= {OutboxState.SENT},
        ),
        Check(
            "addresses in outbox.last_error",
            "0",
            str(sum("@" in e for e in errors)),
            not any("@" in e for e in errors),
        ),
        Check("log lines naming a signer", "0", str(len(leaked)), not leaked),
    ]


def fault_rows(soak: Soak, faults: list[Fault]) -> list[list[str]]:
    history = soak.history
    received = sorted(signers_mail(soak), key=lambda m: m.at)
    allowed = submissions(history)
    seen: Counter[str] = Counter()
    duplicate_times = []
    for message in received:
        seen[message.recipient] += 1
        if seen[message.recipient] > max(allowed[message.recipient], 1):
            duplicate_times.append(message.at)
    first_mail: dict[str, float] = {}
    for message in received:
        first_mail.setdefault(message.recipient, message.at)
    rows = []
    for n, fault in enumerate(faults):
        window_end = faults[n + 1].started if n + 1 < len(faults) else float("inf")
        # An instant fault (a kill) is judged over the few seconds its effects take, and every
        # request in flight when it began is judged with it.
        closes = min(max(fault.ended + 1, fault.started + 5), window_end)
        during = [a for a in history.attempts if a.started < closes and a.ended >= fault.started]
        failed = [a for a in during if a.failed]
        served = [a.ended for a in history.attempts if a.started >= fault.ended and not a.failed]
        owed = [
            first_mail.get(address, float("inf"))
            for address, at in history.accepted.items()
            if at <= fault.ended and first_mail.get(address, float("inf")) > fault.ended
        ]
        recovered = max([min(served, default=float("inf")), *owed]) - fault.ended
        duplicates = sum(fault.started <= t < window_end for t in duplicate_times)
        five_hundreds = sum(a.outcome.startswith("5") for a in during)
        rows.append(
            [
                f"{fault.started - soak.began:.0f}",
                fault.name,
                f"{fault.seconds:.0f}",
                str(len(during)),
                f"{len(failed)} ({', '.join(f'{k} {v}' for k, v in Counter(a.outcome for a in failed).items()) or '-'})",
                "never" if recovered == float("inf") else f"{max(recovered, 0):.1f}",
                f"{duplicates} duplicate(s), {five_hundreds} 5xx",
            ]
        )
    return rows


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def soak_in(tmp: Path) -> tuple[Soak, list[Fault], list[Check], list[list[str]]]:
    """Run the soak with its database, logs and processes in `tmp`."""
    env = os.environ | {
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_CLIENT_HASH_KEY": SECRET + "-client-hash",
        "FLASK_LOG_SIGNING_KEY": "c29hayBsb2cga2V5LCB0aGlydHktdHdvIGJ5dGVzISE=",
    }
    with fresh_database(env, tmp, "postgres") as db_env:
        soak = Soak(tmp, db_env)
        try:
            soak.start()
            soak.began = time.monotonic()
            until = soak.began + MINUTES * 60
            driver = threading.Thread(target=soak.drive, args=(until,))
            driver.start()
            faults = run_faults(soak, until)
            driver.join()
            soak.relay.mode = "ok"
            soak.relay.up()
            soak.redis.up()
            print(f"{time.monotonic() - soak.began:6.0f} s  signing stops; draining", flush=True)
            drain(soak)
            return soak, faults, check(soak, faults), fault_rows(soak, faults)
        finally:
            soak.stop()


def main() -> int:
    if not postgres_available():
        print(f"the soak needs PostgreSQL at {POSTGRES} (BENCH_POSTGRES_URL)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="petition-soak-"))
    soak, faults, checks, rows = soak_in(tmp)
    history = soak.history
    print(
        f"\nSoak of {MINUTES:g} minutes on PostgreSQL, {time.strftime('%Y-%m-%d')}: "
        f"{soak.signers} signers at {RATE:g}/s ({len(history.accepted)} accepted), "
        f"{len(history.confirmed)} confirmations, {len(history.attempts)} HTTP attempts, "
        f"{len(signers_mail(soak))} emails to signers received, {len(faults)} faults.\n"
    )
    header = ["at (s)", "fault", "lasted (s)", "requests during", "failed attempts",
              "recovery (s)", "violations"]  # fmt: skip
    print(table(header, rows))
    print()
    print(
        table(
            ["invariant", "expected", "observed", "holds"],
            [[c.name, c.expected, c.observed, "yes" if c.holds else "NO"] for c in checks],
        )
    )
    held = all(c.holds for c in checks)
    if found := evidence(soak):
        print("\nWhat to look at (seconds from the start):\n" + "\n".join(found))
    if held:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"\nThe processes' logs are kept in {tmp}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
