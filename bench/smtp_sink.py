"""A real SMTP server that accepts every message and counts it: where the bench's mail goes."""

import socket
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class CountingSink:
    """Accepts all mail; counts messages and how often each recipient was sent one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.recipients: Counter[str] = Counter()
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        now = time.monotonic()
        with self._lock:
            self.recipients.update(str(to) for to in envelope.rcpt_tos)
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 Message accepted"

    @property
    def received(self) -> int:
        return self.recipients.total()

    @property
    def duplicates(self) -> int:
        """Messages beyond the first to the same recipient: each bench recipient is owed one."""
        return self.received - len(self.recipients)

    def reset(self) -> None:
        with self._lock:
            self.recipients.clear()
            self.first_at = self.last_at = None


class SMTPServer:
    """The sink served on a free local port from a thread of this process."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.sink = CountingSink()
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
