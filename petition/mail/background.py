"""A background thread in each web process that delivers the outbox, so one process works alone."""

import os
import threading

from flask import Flask, current_app

from petition.extensions import db
from petition.mail.outbox import BatchSize, deliver_round

EXTENSION_KEY = "petition.mail.background"
ERROR_PAUSE_SECONDS = 5.0


class BackgroundDeliverer:
    """Delivers owed mail off the request path; wakes at once when a request queues mail."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def ensure_started(self) -> None:
        """Start the thread in this process if it is not running (a fork leaves it behind)."""
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="outbox-deliverer", daemon=True)
            self._pid = os.getpid()
            self._thread.start()

    def wake(self) -> None:
        """Look for owed mail now rather than at the next poll."""
        self.ensure_started()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current round and end the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        with self.app.app_context():
            batch = BatchSize()
            while not self._stop.is_set():
                pause = float(current_app.config["OUTBOX_POLL_SECONDS"])
                self._wake.clear()  # a wake during this round makes the wait below return at once
                try:
                    if deliver_round(batch).goes_on:
                        pause = 0.0
                except Exception:
                    current_app.logger.exception("outbox delivery round failed; will retry")
                    pause = ERROR_PAUSE_SECONDS
                finally:
                    db.session.remove()
                if pause:
                    self._wake.wait(pause)


def deliverer_for(app: Flask) -> BackgroundDeliverer:
    """The app's deliverer, made on first use."""
    deliverer: BackgroundDeliverer | None = app.extensions.get(EXTENSION_KEY)
    if deliverer is None:
        deliverer = app.extensions.setdefault(EXTENSION_KEY, BackgroundDeliverer(app))
    return deliverer


def notify_delivery() -> None:
    """Tell this process's deliverer that mail was queued (when the web delivers its own mail)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["OUTBOX_DELIVER_IN_WEB"]:
        deliverer_for(app).wake()
