"""Limits counted by hand, by the name of their setting, where a decorator cannot decide.

Views count them, and so does the signing budget (signing.budget), which a view cannot hold: the
page's form and the framed widget's share it.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from limits import RateLimitItem, parse, parse_many
from limits.strategies import RateLimiter

from petition.extensions import client_limit_key, limiter
from petition.web.forms import Form
from petition.web.memory_counters import MemoryCounters

T = TypeVar("T")
# While the counter store (Redis) cannot be reached, limits count in this process's memory: each
# process allows its own share, far better than no limit at all. The store is asked again after
# this many seconds.
STORE_RETRY_SECONDS = 10.0


class _Fallback:
    """This process's counters while the store is down, and when it went down; for one store
    (an app built anew binds the limiter to a store of its own)."""

    store: RateLimiter | None = None
    down_since: float | None = None
    memory: RateLimiter | None = None


def counted(count: Callable[[RateLimiter], T]) -> T:
    """Run a count against the limiter's store, or in memory while the store is down.

    One warning when the store goes down and one when it is back, per process, rather than a
    line per request.
    """
    if _Fallback.store is not limiter.limiter:
        _Fallback.store, _Fallback.down_since, _Fallback.memory = limiter.limiter, None, None
    down = _Fallback.down_since is not None
    if down and time.monotonic() - (_Fallback.down_since or 0) < STORE_RETRY_SECONDS:
        return count(_memory())
    try:
        result = count(limiter.limiter)
    except Exception:  # whatever the counter store raises, the request goes on
        if not current_app.config["RATELIMIT_SWALLOW_ERRORS"]:
            raise
        if not down:
            current_app.logger.warning(
                "the rate-limit counter store cannot be reached: limits count in each "
                "process's memory until it is back"
            )
        _Fallback.down_since = time.monotonic()
        return count(_memory())
    if down:
        _Fallback.down_since = None
        current_app.logger.warning("the rate-limit counter store is back")
    return result


def _memory() -> RateLimiter:
    if _Fallback.memory is None:
        _Fallback.memory = type(limiter.limiter)(MemoryCounters())
    return _Fallback.memory


def spend_limit(setting: str, scope: str, key: str) -> bool:
    """Count one hit against every window of a limit setting; true once any window is spent."""
    # Every window takes the hit, as a decorator would count it, even once one is spent.
    return _ask(setting, scope, key, lambda counters, limit, *ids: counters.hit(limit, *ids))


def limit_spent(setting: str, scope: str, key: str) -> bool:
    """Whether a window of a limit setting is spent already; counts nothing."""
    return _ask(setting, scope, key, lambda counters, limit, *ids: counters.test(limit, *ids))


def _limits_of(setting: str) -> list[RateLimitItem]:
    value = current_app.config[setting]
    # A bare number (CONFIRM_CODE_ATTEMPTS) is so many a day.
    return parse_many(f"{value} per day" if isinstance(value, int) else value)


def _ask(setting: str, scope: str, key: str, passes: Callable[..., bool]) -> bool:
    if not limiter.enabled:
        return False
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    limits = _limits_of(setting)
    return counted(
        lambda counters: not all([passes(counters, limit, *identifiers) for limit in limits])
    )


def limit_resets_in(setting: str, scope: str, key: str) -> float | None:
    """Seconds until every spent window of a limit setting has room again; None if unknown."""
    if not limiter.enabled:
        return None
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    limits = _limits_of(setting)
    stats = counted(
        lambda counters: [counters.get_window_stats(limit, *identifiers) for limit in limits]
    )
    spent = [reset_at for reset_at, remaining in stats if remaining <= 0]
    return max(spent) - time.time() if spent else None


# A count with no limit in practice: how many times something happened today (a tally).
_TALLY = parse("1000000 per day")


def tally(scope: str, key: str) -> int:
    """How many times `add_to_tally` counted this scope and key today (0 when counting is off)."""
    if not limiter.enabled:
        return 0
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    stats = counted(lambda counters: counters.get_window_stats(_TALLY, *identifiers))
    return _TALLY.amount - stats.remaining


def add_to_tally(scope: str, key: str) -> None:
    """Count one more of this scope and key today."""
    if limiter.enabled:
        identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
        counted(lambda counters: counters.hit(_TALLY, *identifiers))


def over_form_limit(setting: str, scope: str, form: Form) -> bool:
    """Count a posted form against a client's limit; past it, the form says so and when to try
    again, and comes back with what was typed (nothing is lost to a limit)."""
    if request.method != "POST":
        return False
    refusal = limit_refusal(setting, scope)
    if refusal is not None:
        form.form_errors.append(refusal)
    return refusal is not None


def limit_refusal(setting: str, scope: str) -> str | None:
    """Count this request against a client's limit; past it, what to tell them, else None."""
    if not spend_limit(setting, scope, client_limit_key()):
        return None
    seconds = limit_resets_in(setting, scope, client_limit_key())
    if seconds is None:
        message = _(
            "There were many tries from this connection in a short time. Please try again "
            "later; what you typed is kept below."
        )
    else:
        when = format_timedelta(timedelta(seconds=max(seconds, 60)), add_direction=True)
        message = _(
            "There were many tries from this connection in a short time. Please try again "
            "%(when)s; what you typed is kept below.",
            when=when,
        )
    return message
