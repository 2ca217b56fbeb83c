"""Where a request's time goes: `python bench/profile.py page|json|sign|confirm|export` (needs pyinstrument).

Runs the app in process on a scratch SQLite file through Flask's test client, so the profile shows
the app's own work without gunicorn or the network.
"""

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import seed
from pyinstrument import Profiler
from sqlalchemy import select

from petition import create_app
from petition.demo import load_demo
from petition.exports.rows import csv_chunks
from petition.extensions import db
from petition.models import Signature
from petition.petitions.publishing import petition_by_slug
from petition.signing.links import confirmation_token

ROUNDS = 1000
PAGE = "/petitions/stop-forced-evictions"


def main(case: str) -> None:
    database = Path(tempfile.mkdtemp(prefix="petition-profile-")) / "profile.sqlite3"
    app = create_app(
        {
            "SECRET_KEY": "profile-secret-key-of-at-least-32-bytes",
            "CLIENT_HASH_KEY": "profile-client-hash",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "OUTBOX_DELIVER_IN_WEB": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        load_demo()
    client = app.test_client()
    calls: list[Callable[[], object]]
    if case in ("page", "json"):
        url = PAGE + (".json" if case == "json" else "?lang=en")
        calls = [lambda: client.get(url)] * ROUNDS
    elif case == "sign":
        calls = [
            lambda n=n: client.post(
                PAGE + "/sign", data={"name": "P", "email": f"p{n}@example.org"}
            )
            for n in range(ROUNDS)
        ]
    elif case == "confirm":
        for n in range(ROUNDS):
            client.post(PAGE + "/sign", data={"name": "P", "email": f"p{n}@example.org"})
        with app.app_context():
            tokens = [confirmation_token(s) for s in db.session.scalars(select(Signature))]
        calls = [lambda t=t: client.post(f"/confirm/{t}") for t in tokens]
    elif case == "export":
        petition_id = seed.add_petition(database, "profile-export")
        seed.add_signatures(database, petition_id, 100 * ROUNDS, "confirmed")

        def export() -> None:
            with app.app_context():
                for _ in csv_chunks(petition_by_slug("profile-export")):
                    pass

        calls = [export]
    else:
        raise SystemExit(__doc__)
    profiler = Profiler(interval=0.0005)
    start = time.perf_counter()
    with profiler:
        for call in calls:
            call()
    print(f"{case}: {len(calls) / (time.perf_counter() - start):,.0f} calls/s under the profiler")
    print(profiler.output_text(color=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
