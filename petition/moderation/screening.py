"""Rules a signature can break: blocked and allowed lists, disposable mail. Judged quietly."""

from collections.abc import Sequence
from fnmatch import fnmatchcase

from disposable_email_domains import blocklist as disposable_domains
from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.orm import Session

from petition.addresses import canonical_email
from petition.extensions import db
from petition.models import AccessRule, Petition
from petition.transactions import write_transaction
from petition.web.clients import in_network

# A rule as _RULES_FOR reads it: kind, pattern, effect.
RuleRow = Row[str, str, str]

KINDS = ("domain", "address", "network")
EFFECTS = ("block", "allow")


class RuleError(ValueError):
    """A rule cannot be added as asked; the message says why."""


def _domain_matches(domain: str, pattern: str) -> bool:
    # "example.org" also covers its subdomains; "*" and "?" are wildcards.
    pattern = pattern.lower().strip()
    return fnmatchcase(domain, pattern) or ("*" not in pattern and domain.endswith("." + pattern))


def rule_matches(rule: AccessRule | RuleRow, email: str, address: str | None) -> bool:
    """Whether one rule applies to this signer."""
    canonical = canonical_email(email)
    if rule.kind == "domain":
        return _domain_matches(canonical.rpartition("@")[2], rule.pattern)
    if rule.kind == "address":
        return fnmatchcase(canonical, canonical_email(rule.pattern))
    return in_network(address, rule.pattern)


_rules_table = AccessRule.__table__.c
# Built once and read without the ORM: every new signature is screened.
_RULES_FOR = select(_rules_table.kind, _rules_table.pattern, _rules_table.effect).where(
    or_(_rules_table.petition_id.is_(None), _rules_table.petition_id == bindparam("petition_id"))
)


def _rules(session: Session, petition_id: int) -> Sequence[RuleRow]:
    return session.execute(_RULES_FOR, {"petition_id": petition_id}).all()


def is_disposable(email: str) -> bool:
    """Whether the address is at a throwaway mail domain (or a subdomain of one)."""
    domain = canonical_email(email).rpartition("@")[2]
    parts = domain.split(".")
    return any(".".join(parts[i:]) in disposable_domains for i in range(len(parts) - 1))


def broken_rule(
    session: Session, petition_id: int, blocks_disposable: bool, email: str, address: str | None
) -> str | None:
    """The name of the rule this signature breaks, or None. Block wins over allow.

    blocks_disposable is the petition's switch, as read in the caller's transaction.
    """
    matching = [rule for rule in _rules(session, petition_id) if rule_matches(rule, email, address)]
    blocked = next((rule for rule in matching if rule.effect == "block"), None)
    if blocked is not None:
        return f"blocked {blocked.kind}"
    allowed = any(rule.effect == "allow" for rule in matching)
    if blocks_disposable and not allowed and is_disposable(email):
        return "disposable domain"
    return None


def check_rule(kind: str, pattern: str, effect: str) -> str:
    """The pattern cleaned, or RuleError if it cannot be a rule of that kind."""
    pattern = pattern.strip().lower()
    if kind not in KINDS or effect not in EFFECTS:
        raise RuleError(f"A rule is one of {', '.join(KINDS)} and either block or allow.")
    if not pattern or len(pattern) > 254:
        raise RuleError("A pattern has 1 to 254 characters.")
    if kind == "network" and not in_network(pattern.split("/")[0], pattern):
        raise RuleError("A network is written like 203.0.113.0/24 or 2001:db8::/32.")
    return pattern


def add_rule(kind: str, pattern: str, effect: str, petition: Petition | None = None) -> AccessRule:
    """Block or allow a domain, address or network, site-wide or for one petition."""
    pattern = check_rule(kind, pattern, effect)
    with write_transaction() as session:
        petition_id = petition.id if petition is not None else None
        rule = session.scalar(
            select(AccessRule).filter_by(
                petition_id=petition_id, kind=kind, pattern=pattern, effect=effect
            )
        )
        if rule is None:
            rule = AccessRule(petition_id=petition_id, kind=kind, pattern=pattern, effect=effect)
            session.add(rule)
    return rule


def remove_rule(rule_id: int) -> bool:
    """Delete a rule; False if there was none with that number."""
    with write_transaction() as session:
        rule = session.get(AccessRule, rule_id)
        if rule is not None:
            session.delete(rule)
    return rule is not None


def all_rules() -> Sequence[AccessRule]:
    """Every rule, site-wide ones first."""
    return db.session.scalars(
        select(AccessRule).order_by(AccessRule.petition_id.is_not(None), AccessRule.id)
    ).all()


def network_blocked(session: Session, petition_id: int, address: str | None) -> bool:
    """Whether a block rule for a network, site-wide or the petition's, covers this client."""
    return any(
        rule.kind == "network" and rule.effect == "block" and in_network(address, rule.pattern)
        for rule in _rules(session, petition_id)
    )
