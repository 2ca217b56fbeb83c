"""What every bench part shares: gunicorn, wrk, the outbox deliverer and their CPU time."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from procstat import tree_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
WRK_DIR = BENCH / "wrk"
WORKERS, CONNECTIONS, THREADS = 4, 32, 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> None:
    """Run a command of the app quietly; its output is shown only if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "petition", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


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

    def cpu_seconds(self) -> float:
        """CPU the master and its workers (with their mail threads) have used so far."""
        return tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


# Seconds a deliver process takes to import the app, so a measurement does not start before it.
DELIVERER_START_SECONDS = 3.0


class Deliverer:
    """One `flask outbox deliver` process: until the outbox is empty (once) or until stopped."""

    def __init__(self, env: dict[str, str], log: Path, once: bool = False) -> None:
        command = [sys.executable, "-m", "flask", "--app", "petition", "outbox", "deliver"]
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                command + (["--once"] if once else []),
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
        if not once:
            time.sleep(DELIVERER_START_SECONDS)

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid)

    def wait(self) -> float:
        """Wait for it to end; the CPU seconds it used, start-up included."""
        _, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        if self.process.returncode:
            raise RuntimeError(f"outbox deliver exited with {self.process.returncode}")
        return usage.ru_utime + usage.ru_stime

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


@dataclass
class Load:
    """wrk's summary, and the CPU the servers measured used meanwhile."""

    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int
    late: int  # requests a paced script sent more than 10 ms after their time
    cpu: float = 0.0
    signed: int = 0  # signatures a surge script posted

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per completed request."""
        return 1000 * self.cpu / max(self.requests, 1)


def wrk(
    url: str,
    script: str,
    tmp: Path,
    env: dict[str, str] | None = None,
    servers: tuple[Server | Deliverer, ...] = (),
    connections: int = CONNECTIONS,
    seconds: int = SECONDS,
) -> Load:
    """Load one URL with a script of bench/wrk; CPU is read from `servers` before and after."""
    lua = tmp / f"{script}.lua"
    parts = ["threads.lua"] + ([f"{script}.lua"] if script != "get" else []) + ["report.lua"]
    lua.write_text("\n".join((WRK_DIR / part).read_text() for part in parts))
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    before = sum(server.cpu_seconds() for server in servers)
    output = subprocess.run(
        [*command, "-s", str(lua), url],
        env=os.environ | {"BENCH_THREADS": str(THREADS)} | (env or {}),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = sum(server.cpu_seconds() for server in servers) - before
    result = json.loads(output.strip().splitlines()[-1])
    return Load(
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        p50=result["p50_us"] / 1000,
        p99=result["p99_us"] / 1000,
        errors=result["socket_errors"] + result["http_errors"],
        late=result["late"],
        cpu=cpu,
        signed=result["signed"],
    )


def form_token(url: str) -> str:
    """The form token a petition page's sign form carries (the same for every visitor)."""
    response = requests.get(url, timeout=10)
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', response.text)
    assert match, f"no sign form at {url}"
    return match.group(1)


def sign_env(page_url: str, run: str) -> dict[str, str]:
    """What sign.lua and surge.lua need to post the sign form of a petition page."""
    path = page_url.split("://", 1)[1].split("/", 1)[1]
    return {
        "BENCH_FORM_TOKEN": form_token(page_url),
        "BENCH_PATH": f"/{path}/sign",
        "BENCH_RUN": run,
    }
