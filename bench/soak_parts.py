"""The soak's controllable parts: an SMTP relay that can fail as relays do, a switch that can cut
the service behind it (Redis), and the processes an operator runs (gunicorn, deliverers)."""

import asyncio
import contextlib
import email
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import requests
from aiosmtpd.controller import Controller
from harness import ROOT, free_port

CONFIRM_LINK = re.compile(r"https?://\S+/confirm/\S+")
SLOW_SECONDS = 1.0  # how long the slow relay takes to answer each message's data


@dataclass(frozen=True)
class Received:
    """One message the relay accepted."""

    at: float  # time.monotonic()
    recipient: str
    link: str | None


class Relay:
    """The SMTP server the deliverers send to. `mode` says how it answers: "ok"; "slow" (each
    message's data answered after SLOW_SECONDS); "451" (every recipient deferred); "550" (every
    recipient refused, the refusal naming the address, as real relays' do); `down()` stops it."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.port = free_port()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.up()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.mode == "451":
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if self.mode == "550":
            return f"550 5.7.1 <{address}>: Relay access denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Take the message, then answer (late, when slow): a sender that vanishes before the
        answer has still had its message delivered, as with a real relay."""
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        found = CONFIRM_LINK.search(body.get_content()) if body is not None else None
        now = time.monotonic()
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.received.append(Received(now, recipient, found.group(0) if found else None))
        if self.mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        return "250 Message accepted"

    def since(self, start: int) -> list[Received]:
        with self._lock:
            return self.received[start:]

    def up(self) -> None:
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class Switch:
    """A TCP proxy in front of a service (Redis): `down()` drops its open connections and refuses
    new ones, as a service that crashed or a network that split would; `up()` lets them through."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self.up()

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def up(self) -> None:
        self._run(self._listen())

    def down(self) -> None:
        self._run(self._cut())

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, upstream_writer}

        async def copy(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    target.write(data)
                    await target.drain()
            except OSError:
                pass
            finally:
                target.transport.abort()
                self._open.discard(target)

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))


def port_of(url: str, default_port: int) -> int:
    host_port = url.split("//", 1)[-1].split("/", 1)[0]
    return int(host_port.rsplit(":", 1)[1]) if ":" in host_port else default_port


class WebInstance:
    """One gunicorn master with its workers (wsgi:app, gunicorn.conf.py), in a process group of
    its own as a service manager runs it."""

    def __init__(self, name: str, env: dict[str, str], workers: int, log: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        command += ["-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=output,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {self.log}")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def kill_master(self) -> None:
        """kill -9 of the master alone; its orphaned workers are ended after, as systemd would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        """End the whole process group, orphans included."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            # The port is free once no orphan holds the listening socket.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _listening(self.port):
                time.sleep(0.1)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class DeliverProcess:
    """One `flask outbox deliver` process."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "flask", "--app", "petition", "outbox", "deliver"]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=output
            )

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(30)
