"""Export benchmark: rows per second and peak memory of CSV, XLSX and JSON exports.

Run on demand, never in the suite:

    .venv/bin/python bench/export_formats.py --rows 1000000

It fills a database (a throwaway SQLite file unless --database-url names another) with that many
verified signatures, then runs each export in a fresh process, through the command line's code
path and through an organiser's HTTP download, writing to a temporary file. Peak memory is the
child's peak resident set size (VmHWM, Linux), reported beside the same figure taken just before
the export started, so the difference is what the export itself cost.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORGANISER = "bench@example.org"
PASSWORD = "bench password, long enough"
SLUG = "bench-petition"
CHUNK = 50_000


def _app(database_url: str):  # a Flask app; imported lazily to keep startup clean
    from petition import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "OUTBOX_DELIVER_IN_WEB": False,
        }
    )


def seed(database_url: str, rows: int) -> None:
    """A petition with `rows` verified signatures in Latin and Cyrillic, over 100 days."""
    from sqlalchemy import insert

    from petition.extensions import db
    from petition.models import Signature
    from petition.organisers.accounts import set_organiser_password
    from petition.petitions.publishing import create_petition

    app = _app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        organiser = set_organiser_password(ORGANISER, PASSWORD)
        petition = create_petition(
            title="Bench", body="Bench.", organiser=organiser, slug=SLUG, collects_country=True
        )
        start = datetime(2026, 1, 1, tzinfo=UTC)
        names = ["Айгерим Нурланова", "Ann Smith", "Ержан Ахметов", "Marie Dupont"]
        for first in range(0, rows, CHUNK):
            batch = []
            for n in range(first, min(rows, first + CHUNK)):
                when = start + timedelta(seconds=n * 8)
                batch.append(
                    {
                        "petition_id": petition.id,
                        "name": f"{names[n % 4]} {n}",
                        "email": f"signer{n}@example.org",
                        "email_canonical": f"signer{n}@example.org",
                        "country": ("KZ", "RU", "DE", None)[n % 4],
                        "status": "confirmed",
                        "created_at": when,
                        "confirmed_at": when + timedelta(minutes=5),
                        "messages_sent": 1,
                    }
                )
            db.session.execute(insert(Signature), batch)
            db.session.commit()
        petition.signature_count = rows
        db.session.commit()


def _max_rss_mb() -> float:
    """This process's peak resident memory (VmHWM).

    Not getrusage's ru_maxrss: on Linux that survives exec, so a child started by a parent that
    held a million rows would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def measure(database_url: str, fmt: str, path: str) -> dict[str, float | int | str]:
    """Run one export in this process and report its speed and memory."""
    app = _app(database_url)
    import openpyxl  # noqa: F401 (loaded before the baseline, as a web worker would have it)

    with tempfile.TemporaryFile() as out, app.app_context():
        from petition.exports.runs import plan_export, run_export
        from petition.petitions.publishing import petition_by_slug

        petition = petition_by_slug(SLUG)
        client = app.test_client()
        if path == "http":
            client.post("/organisers/login", data={"email": ORGANISER, "password": PASSWORD})
        baseline = _max_rss_mb()
        started = time.perf_counter()
        if path == "cli":
            plan = plan_export(petition, fmt)
            rows = plan.rows
            for chunk in run_export(plan, organiser=None):
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
        else:
            response = client.get(f"/organisers/petitions/{SLUG}/export.{fmt}", buffered=False)
            assert response.status_code == 200, response.status_code
            rows = int(response.headers["X-Export-Rows"])
            for chunk in response.response:
                out.write(chunk)
            response.close()
        seconds = time.perf_counter() - started
        size = out.tell()
    return {
        "format": fmt,
        "path": path,
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "file_mb": round(size / 2**20, 1),
        "rss_before_mb": round(baseline, 1),
        "rss_peak_mb": round(_max_rss_mb(), 1),
    }


def main() -> None:
    """Seed once, then measure each format and path in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--formats", default="csv,xlsx,json")
    parser.add_argument("--paths", default="cli,http")
    parser.add_argument("--measure", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        if args.measure:
            print(json.dumps(measure(url, *args.measure)))
            return
        started = time.perf_counter()
        seed(url, args.rows)
        print(f"seeded {args.rows:,} verified signatures in {time.perf_counter() - started:.0f} s")
        print(f"{'format':6} {'path':4} {'rows/s':>9} {'seconds':>8} {'file MB':>8} "
              f"{'RSS before':>11} {'RSS peak':>9}")  # fmt: skip
        for fmt in args.formats.split(","):
            for path in args.paths.split(","):
                child = subprocess.run(
                    [sys.executable, __file__, "--database-url", url, "--measure", fmt, path],
                    capture_output=True, text=True, check=True, env=os.environ | {"PYTHONPATH": str(ROOT)},
                )  # fmt: skip
                r = json.loads(child.stdout.strip().splitlines()[-1])
                print(f"{r['format']:6} {r['path']:4} {r['rows_per_second']:>9,} {r['seconds']:>8} "
                      f"{r['file_mb']:>8} {r['rss_before_mb']:>10} M {r['rss_peak_mb']:>7} M")  # fmt: skip


if __name__ == "__main__":
    main()
