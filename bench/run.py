"""`make bench`: what the service costs, from one request to a surge, beside a bare Flask hello.

`python bench/run.py [load] [sign] [delivery] [surge] [export] [edge]` runs those parts alone; no
part named runs them all. Environment: BENCH_SECONDS (closed-loop runs, 10), BENCH_OUTBOX_MESSAGES
(20000), BENCH_SURGE_SECONDS (the sustained replay, 180), BENCH_SURGE_STEP_SECONDS (each multiple,
20), BENCH_SURGE_MULTIPLES (0.5,1,2,3,5,8,13), BENCH_EXPORT_ROWS (1000000), BENCH_EDGE_MULTIPLE
(the replay through nginx, 5), BENCH_EDGE_SECONDS (180), BENCH_POSTGRES_URL
(postgresql://postgres@127.0.0.1:5432/postgres; its database is created and dropped per part).

Ratios within one run are what count: absolute figures move with whatever else the machine does.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import seed
from app_seed import SECRET
from databases import postgres_available
from edge import edge
from harness import BENCH, ROOT, Load, Server, flask, sign_env, wrk
from mail_parts import delivery, sign_setups
from report import Results, print_all
from smtp_sink import SMTPServer
from surge import surge

PARTS = ("load", "sign", "delivery", "surge", "export", "edge")
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))
CONFIRM_TOKENS = 60_000
PAGE = "/petitions/stop-forced-evictions"


def confirm_tokens(database: Path, path: Path) -> None:
    """Pending signatures to confirm, one link token each, written one a line."""
    from petition.tokens import CONFIRM_SIGNATURE, make_token

    petition_id = seed.add_petition(database, "bench-confirm")
    signatures = seed.add_signatures(database, petition_id, CONFIRM_TOKENS, "pending")
    path.write_text(
        "".join(
            make_token(SECRET, CONFIRM_SIGNATURE, [i, petition_id, secret]) + "\n"
            for i, secret in signatures
        )
    )


def hello(tmp: Path, env: dict[str, str]) -> Load:
    """The ceiling: a bare Flask app under the same gunicorn settings."""
    server = Server("hello:app", env, tmp / "gunicorn.log", pythonpath=BENCH)
    try:
        return wrk(server.url + "/", "get", tmp, servers=(server,))
    finally:
        server.stop()


def load(tmp: Path, env: dict[str, str]) -> list[tuple[str, Load]]:
    """Every endpoint, one after the other, mail queued and left undelivered."""
    app = Server("wsgi:app", env, tmp / "gunicorn.log")
    try:
        page = app.url + PAGE
        results = [("petition page", wrk(page + "?lang=en", "get", tmp, servers=(app,)))]
        results.append(("JSON count", wrk(page + ".json", "get", tmp, servers=(app,))))
        signing = sign_env(page, "load")
        results.append(("sign (POST)", wrk(app.url, "sign", tmp, signing, (app,))))
        confirm_env = {"BENCH_TOKENS": str(tmp / "tokens.txt")}
        results.append(("confirm (POST)", wrk(app.url, "confirm", tmp, confirm_env, (app,))))
    finally:
        app.stop()
    return results


def timed_child(command: list[str], env: dict[str, str], report: Path) -> tuple[float, float]:
    """Run a command; its wall time in seconds and peak resident memory in MB (GNU time)."""
    start = time.perf_counter()
    subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(report), *command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak_kb = int(report.read_text().split()[-1])
    report.unlink()
    return elapsed, peak_kb / 1024


def export(tmp: Path, database: Path, env: dict[str, str]) -> list[tuple[str, float, float]]:
    """The app's CSV export of EXPORT_ROWS verified signatures against a bare sqlite3 + csv loop."""
    petition_id = seed.add_petition(database, "bench-export")
    seed.add_signatures(database, petition_id, EXPORT_ROWS, "confirmed")
    flask_export = [sys.executable, "-m", "flask", "--app", "petition", "export", "bench-export"]
    app = [*flask_export, "--output", str(tmp / "app.csv")]
    bare = [sys.executable, "-c", seed.BARE_EXPORT, str(database), str(petition_id)]
    bare.append(str(tmp / "bare.csv"))
    rows = []
    for name, command in (("bare sqlite3 + csv", bare), ("flask export (CSV)", app)):
        elapsed, peak = min(timed_child(command, env, tmp / "peak.rss") for _ in range(2))
        rows.append((name, EXPORT_ROWS / elapsed, peak))
    return rows


def main(parts: list[str]) -> None:
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown part(s) {', '.join(sorted(unknown))}: choose {', '.join(PARTS)}")
    wanted = set(parts) or set(PARTS)
    postgres = postgres_available()
    results = Results(export_rows=EXPORT_ROWS)
    with tempfile.TemporaryDirectory(prefix="petition-bench-") as name:
        tmp = Path(name)
        database = tmp / "bench.sqlite3"
        env = os.environ | {
            "FLASK_SECRET_KEY": SECRET,
            "FLASK_CLIENT_HASH_KEY": SECRET + "-client-hash",
            # wrk signs from one address: the limiter still runs (and costs), but never refuses.
            "FLASK_SIGN_RATE_LIMIT": "100000000 per minute",
            "FLASK_SIGN_MAIL_LIMIT": "100000000 per day",
            "FLASK_OUTBOX_DELIVER_IN_WEB": "false",  # mail waits for outbox workers, as at scale
            "FLASK_PUBLIC_URL": "http://127.0.0.1",
        }
        base_env = dict(env)
        env["FLASK_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
        flask(env, "db", "upgrade")
        flask(env, "demo")
        smtp = SMTPServer()
        try:
            if {"load", "sign"} & wanted:
                results.hello = hello(tmp, env)
            if "load" in wanted:
                confirm_tokens(database, tmp / "tokens.txt")
                results.endpoints = load(tmp, env)
            if "sign" in wanted:
                results.signs = sign_setups(tmp, base_env, smtp)
            if "delivery" in wanted:
                results.deliveries = delivery(tmp, base_env, smtp, postgres)
            if "surge" in wanted:
                kinds = ["sqlite"] + (["postgres"] if postgres else [])
                results.surges = [surge(tmp, base_env, smtp, kind) for kind in kinds]
            if "export" in wanted:
                results.exports = export(tmp, database, env)
            if "edge" in wanted:
                results.edge = edge(tmp, base_env, smtp)
        finally:
            smtp.stop()
    settings = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("BENCH_"))
    command = " ".join(filter(None, [settings, "python bench/run.py", *parts]))
    print_all(results, command)
    if not postgres:
        print("\nPostgreSQL was unreachable at BENCH_POSTGRES_URL: its rows were skipped.")


if __name__ == "__main__":
    main(sys.argv[1:])
