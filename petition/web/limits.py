"""Limits counted by hand, by the name of their setting, where a decorator cannot decide.

Views count them, and so does the signing budget (signing.budget), which a view cannot hold: the
page's form and the framed widget's share it.
"""

import time
from collections.abc import Callable
from datetime import timedelta

from flask import current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from limits import RateLimitItem, parse, parse_many

from petition.extensions import client_limit_key, limiter
from petition.web.forms import Form


def spend_limit(setting: str, scope: str, key: str) -> bool:
    """Count one hit against every window of a limit setting; true once any window is spent."""
    # Every window takes the hit, as a decorator would count it, even once one is spent.
    return _ask(setting, scope, key, lambda limit, *ids: limiter.limiter.hit(limit, *ids))


def limit_spent(setting: str, scope: str, key: str) -> bool:
    """Whether a window of a limit setting is spent already; counts nothing."""
    return _ask(setting, scope, key, lambda limit, *ids: limiter.limiter.test(limit, *ids))


def _limits_of(setting: str) -> list[RateLimitItem]:
    value = current_app.config[setting]
    # A bare number (CONFIRM_CODE_ATTEMPTS) is so many a day.
    return parse_many(f"{value} per day" if isinstance(value, int) else value)


def _ask(setting: str, scope: str, key: str, passes: Callable[..., bool]) -> bool:
    if not limiter.enabled:
        return False
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    try:
        return not all([passes(limit, *identifiers) for limit in _limits_of(setting)])
    except Exception:  # whatever the counter store raises, the request goes on
        if not current_app.config["RATELIMIT_SWALLOW_ERRORS"]:
            raise
        current_app.logger.warning("%s not checked: counter store failed", setting)
        return False


def limit_resets_in(setting: str, scope: str, key: str) -> float | None:
    """Seconds until every spent window of a limit setting has room again; None if unknown."""
    if not limiter.enabled:
        return None
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    try:
        stats = [
            limiter.limiter.get_window_stats(limit, *identifiers) for limit in _limits_of(setting)
        ]
    except Exception:  # the page says "later" instead of a time it cannot know
        return None
    spent = [reset_at for reset_at, remaining in stats if remaining <= 0]
    return max(spent) - time.time() if spent else None


# A count with no limit in practice: how many times something happened today (a tally).
_TALLY = parse("1000000 per day")


def tally(scope: str, key: str) -> int:
    """How many times `add_to_tally` counted this scope and key today (0 without a store)."""
    if not limiter.enabled:
        return 0
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    try:
        stats = limiter.limiter.get_window_stats(_TALLY, *identifiers)
    except Exception:  # a failed store counts nothing, as the limits do
        return 0
    return _TALLY.amount - stats.remaining


def add_to_tally(scope: str, key: str) -> None:
    """Count one more of this scope and key today."""
    if limiter.enabled:
        identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
        try:
            limiter.limiter.hit(_TALLY, *identifiers)
        except Exception:  # a failed store counts nothing, as the limits do
            current_app.logger.warning("%s not counted: counter store failed", scope)


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
