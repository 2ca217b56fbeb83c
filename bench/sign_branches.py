"""Does any answer to the sign form come back faster than the others? `python bench/sign_branches.py`

A faster answer for an address that hit its message cap (or for a client over its limit) tells a
stranger something about that address. Times each way a submission can go, in process on a
scratch SQLite file through Flask's test client, and prints medians and their ratio to a new
signature's, all measured in the same run. Mail is queued, not sent.
"""

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from petition import create_app
from petition.demo import load_demo
from petition.extensions import db

ROUNDS = 300
PAGE = "/petitions/stop-forced-evictions/sign"


def _app() -> Flask:
    database = Path(tempfile.mkdtemp(prefix="petition-branches-")) / "bench.sqlite3"
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-of-at-least-32-bytes",
            "CLIENT_HASH_KEY": "bench-client-hash",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "OUTBOX_DELIVER_IN_WEB": False,
            "WTF_CSRF_ENABLED": False,
            # Every client signs once, but for the one that is meant to be over its limit.
            "SIGN_RATE_LIMIT": "5 per day",
            "SIGN_MAIL_LIMIT": "100000000 per day",
        }
    )
    with app.app_context():
        db.create_all()
        load_demo()
    return app


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _sign(client: FlaskClient, email: str, client_address: str) -> Callable[[], object]:
    form = {"name": "Bench Signer", "email": email}
    return lambda: client.post(PAGE, data=form, environ_base={"REMOTE_ADDR": client_address})


def main() -> None:
    app = _app()
    client = app.test_client()
    # Each new signature comes from a client of its own, so no limit is reached.
    new = [
        _sign(client, f"new{n}@example.org", f"10.1.{n // 250}.{n % 250}") for n in range(ROUNDS)
    ]
    times = {"new signature": [_timed(call) for call in new]}
    # The same addresses again: each has had one message, so the next is a reminder...
    times["reminder"] = [
        _timed(_sign(client, f"new{n}@example.org", f"10.2.{n // 250}.{n % 250}"))
        for n in range(ROUNDS)
    ]
    # ...until the cap: every further submission is answered without mail.
    for n in range(ROUNDS):
        for k in range(app.config["MAX_MESSAGES_PER_SIGNATURE"]):
            _sign(client, f"new{n}@example.org", f"10.{10 + k}.{n // 250}.{n % 250}")()
    times["capped address"] = [
        _timed(_sign(client, f"new{n}@example.org", f"10.4.{n // 250}.{n % 250}"))
        for n in range(ROUNDS)
    ]
    over = "10.5.0.1"
    for n in range(5):  # spends the client's signatures for the day
        _sign(client, f"first{n}@example.org", over)()
    times["client over its limit"] = [
        _timed(_sign(client, f"over{n}@example.org", over)) for n in range(ROUNDS)
    ]
    base = statistics.median(times["new signature"])
    print(f"{'submission':<24}{'median ms':>10}{'ratio':>8}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<24}{median * 1000:>10.2f}{median / base:>8.2f}")


if __name__ == "__main__":
    main()
