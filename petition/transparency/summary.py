"""What a petition's log holds, in numbers: adds, excludes by reason and the counted total."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from petition.extensions import db
from petition.models import LogEntry


@dataclass(frozen=True)
class LogSummary:
    """The first `size` entries of a log, counted the way the verifier counts them."""

    size: int
    adds: int
    excluded: dict[str, int] = field(default_factory=dict)  # by reason

    @property
    def counted(self) -> int:
        return self.adds - sum(self.excluded.values())


def log_summary(petition_id: int, size: int) -> LogSummary:
    """Adds and excludes among the log's first `size` entries (the server only logs valid ones)."""
    rows = db.session.execute(
        select(LogEntry.kind, LogEntry.reason, func.count())
        .where(LogEntry.petition_id == petition_id, LogEntry.position < size)
        .group_by(LogEntry.kind, LogEntry.reason)
    )
    adds, excluded = 0, dict[str, int]()
    for kind, reason, number in rows:
        if kind == "add":
            adds += number
        else:
            excluded[str(reason)] = number
    return LogSummary(size, adds, excluded)
