"""`make bench`: the service under gunicorn and wrk beside a bare Flask hello, then a 1,000,000-row export.

`python bench/run.py export` runs the export part alone (`load` the endpoints alone).

Ratios within one run are what count: absolute figures move with whatever else the machine does.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import seed

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
WORKERS, CONNECTIONS, THREADS = 4, 32, 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))
CONFIRM_TOKENS = 60_000
SECRET = "bench-secret-key-of-at-least-32-bytes"
# Endpoint, ratio of hello it must reach.
TARGETS = {"petition page": 0.5, "JSON count": 0.7, "sign (POST)": 0.25, "confirm (POST)": 0.25}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "petition", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Server:
    """gunicorn with the project's gunicorn.conf.py, sync, four workers."""

    def __init__(self, app: str, env: dict[str, str], log: Path, pythonpath: Path = ROOT) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        command += ["-w", str(WORKERS), "-b", self.url.removeprefix("http://")]
        command += ["--pythonpath", str(pythonpath), app]
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=output, stderr=output
            )
        for _ in range(300):
            try:
                requests.get(self.url, timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{app} did not start; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


def wrk(url: str, script: str, tmp: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Load one URL for SECONDS at CONNECTIONS connections; wrk's summary as numbers."""
    lua = tmp / f"{script}.lua"
    parts = ["threads.lua"] + ([f"{script}.lua"] if script != "get" else []) + ["report.lua"]
    lua.write_text("\n".join((WRK_DIR / part).read_text() for part in parts))
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(lua), url]
    output = subprocess.run(
        command, env=os.environ | (env or {}), capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50": result["p50_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "errors": result["socket_errors"] + result["http_errors"],
    }


def csrf_session(url: str) -> tuple[str, str]:
    """A real visitor's CSRF token and the session cookie it belongs to."""
    response = requests.get(url, timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in response.cookies.items())
    return token, cookie


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


def load(tmp: Path, env: dict[str, str]) -> list[tuple[str, dict[str, float]]]:
    """Every endpoint and the hello ceiling, one after the other."""
    log = tmp / "gunicorn.log"
    hello = Server("hello:app", env, log, pythonpath=Path(__file__).resolve().parent)
    results = [("hello (ceiling)", wrk(hello.url + "/", "get", tmp))]
    hello.stop()
    app = Server("wsgi:app", env, log)
    try:
        page = f"{app.url}/petitions/stop-forced-evictions"
        results.append(("petition page", wrk(page, "get", tmp)))
        results.append(("JSON count", wrk(page + ".json", "get", tmp)))
        token, cookie = csrf_session(page)
        sign_env = {
            "BENCH_CSRF": token,
            "BENCH_COOKIE": cookie,
            "BENCH_PATH": "/petitions/stop-forced-evictions/sign",
        }
        results.append(("sign (POST)", wrk(app.url, "sign", tmp, sign_env)))
        confirm_env = {"BENCH_TOKENS": str(tmp / "tokens.txt"), "BENCH_THREADS": str(THREADS)}
        results.append(("confirm (POST)", wrk(app.url, "confirm", tmp, confirm_env)))
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
    app = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "petition",
        "export",
        "bench-export",
        "--output",
        str(tmp / "app.csv"),
    ]
    bare = [
        sys.executable,
        "-c",
        seed.BARE_EXPORT,
        str(database),
        str(petition_id),
        str(tmp / "bare.csv"),
    ]
    rows = []
    for name, command in (("bare sqlite3 + csv", bare), ("flask export (CSV)", app)):
        elapsed, peak = min(timed_child(command, env, tmp / "peak.rss") for _ in range(2))
        rows.append((name, EXPORT_ROWS / elapsed, peak))
    return rows


def main(parts: list[str]) -> None:
    unknown = set(parts) - {"load", "export"}
    if unknown:
        raise SystemExit(f"unknown part(s) {', '.join(sorted(unknown))}: choose load, export")
    wanted = set(parts) or {"load", "export"}
    with tempfile.TemporaryDirectory(prefix="petition-bench-") as name:
        tmp = Path(name)
        database = tmp / "bench.sqlite3"
        env = os.environ | {
            "FLASK_SECRET_KEY": SECRET,
            "FLASK_CLIENT_HASH_KEY": SECRET + "-client-hash",
            # wrk signs from one address: the limiter still runs (and costs), but never refuses.
            "FLASK_SIGN_RATE_LIMIT": "100000000 per minute",
            "FLASK_SIGN_MAIL_LIMIT": "100000000 per day",
            "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "FLASK_OUTBOX_DELIVER_IN_WEB": "false",  # mail waits for outbox workers, as at scale
            "FLASK_PUBLIC_URL": "http://127.0.0.1",
        }
        flask(env, "db", "upgrade")
        flask(env, "demo")
        results, exports = [], []
        if "load" in wanted:
            confirm_tokens(database, tmp / "tokens.txt")
            results = load(tmp, env)
        if "export" in wanted:
            exports = export(tmp, database, env)
    print_table(results, exports)


def print_table(
    results: list[tuple[str, dict[str, float]]], exports: list[tuple[str, float, float]]
) -> None:
    print(
        f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, gunicorn sync -w {WORKERS}, "
        f"SQLite, wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s\n"
    )
    if results:
        print_load(results)
    if exports:
        print_exports(exports)


def print_load(results: list[tuple[str, dict[str, float]]]) -> None:
    ceiling = results[0][1]["rps"]
    print("| Endpoint | Requests/s | p50 ms | p99 ms | Errors | Ratio of hello | Target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, r in results:
        target = TARGETS.get(name)
        verdict = (
            f"≥ {target} {'met' if r['rps'] / ceiling >= target else 'MISSED'}" if target else ""
        )
        print(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']:.0f} "
            f"| {r['rps'] / ceiling:.2f} | {verdict} |"
        )


def print_exports(exports: list[tuple[str, float, float]]) -> None:
    bare = exports[0][1]
    print(f"\n| Export of {EXPORT_ROWS:,} verified signatures | Rows/s | Peak memory MB | Ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, rate, peak in exports:
        print(f"| {name} | {rate:,.0f} | {peak:.0f} | {rate / bare:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
