"""Limits a view counts itself, by the name of their setting, where a decorator cannot decide."""

from flask import current_app
from limits import parse_many

from petition.extensions import limiter


def spend_limit(setting: str, scope: str, key: str) -> bool:
    """Count one hit against every window of a limit setting; true once any window is spent."""
    if not limiter.enabled:
        return False
    config = current_app.config
    limits = parse_many(config[setting])
    identifiers = (config.get("RATELIMIT_KEY_PREFIX") or "", scope, key)
    try:
        # Every window takes the hit, as a decorator would count it, even once one is spent.
        return not all([limiter.limiter.hit(limit, *identifiers) for limit in limits])
    except Exception:  # noqa: BLE001 - whatever the counter store raises, the request goes on
        if not current_app.config["RATELIMIT_SWALLOW_ERRORS"]:
            raise
        current_app.logger.warning("%s not checked: counter store failed", setting)
        return False
