"""Mistyped mail domains: "ivan@gmial.com" most likely meant gmail.com.

A confirmation sent to a mistyped domain never arrives, and the signer waits for nothing. We
only ever suggest: the address typed is kept and used, because a rare domain one letter away from
a common one is still a real domain. The comparison runs against a short, explicit list of the
domains our signers use most, with a bounded edit distance, so it is linear in the address's
length and cannot be made slow by what anyone types.
"""

# The mailboxes most signers here use. Only these are ever suggested.
KNOWN_DOMAINS = (
    "gmail.com",
    "mail.ru",
    "yandex.ru",
    "yandex.kz",
    "yandex.com",
    "ya.ru",
    "inbox.ru",
    "list.ru",
    "bk.ru",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
)
# Misspellings an edit distance of one or two does not reach, or reaches ambiguously.
_KNOWN_TYPOS = {
    "gmail.ru": "gmail.com",
    "gmail.kz": "gmail.com",
    "googlemail.ru": "gmail.com",
    "yandeks.ru": "yandex.ru",
    "yandeks.kz": "yandex.kz",
    "yandeks.com": "yandex.com",
    "mail.com.ru": "mail.ru",
    "hotmail.ru": "hotmail.com",
    "outlook.ru": "outlook.com",
    "icloud.ru": "icloud.com",
    "yahoo.ru": "yahoo.com",
}
# Domains to leave alone although they are one edit from a known one: real, common mailboxes.
_REAL = {"mail.com", "gmx.com", "ya.ru", "bk.ru", "list.ru", "inbox.ru", "live.com", "mail.kz"}
_LONGEST = 64  # longer domains are compared with nothing: none of ours is near that long


def _within(typed: str, known: str, bound: int) -> bool:
    """Whether the optimal-string-alignment (Damerau–Levenshtein) distance is at most `bound`.

    Only a band of width 2 × bound around the diagonal is computed, so the cost is linear in
    the length of the shorter string.
    """
    if abs(len(typed) - len(known)) > bound:
        return False
    far = bound + 1
    previous_previous: dict[int, int] = {}
    previous = {j: j for j in range(min(len(known), bound) + 1)}
    for i in range(1, len(typed) + 1):
        current = {0: i} if i <= bound else {}
        for j in range(max(1, i - bound), min(len(known), i + bound) + 1):
            cost = 0 if typed[i - 1] == known[j - 1] else 1
            best = min(
                previous.get(j, far) + 1,
                current.get(j - 1, far) + 1,
                previous.get(j - 1, far) + cost,
            )
            if i > 1 and j > 1 and typed[i - 1] == known[j - 2] and typed[i - 2] == known[j - 1]:
                best = min(best, previous_previous.get(j - 2, far) + 1)
            current[j] = min(best, far)
        if min(current.values(), default=far) > bound:
            return False
        previous_previous, previous = previous, current
    return previous.get(len(known), far) <= bound


def _bound(domain: str) -> int:
    # Two slips in a short name turn it into another real one (bk.ru, ya.ru); long names allow two.
    return 2 if len(domain) >= 10 else 1


def suggested_domain(domain: str) -> str | None:
    """The known domain this one is most likely a slip for, or None if it is fine or unknown."""
    domain = domain.strip().rstrip(".").lower()
    if domain in KNOWN_DOMAINS or domain in _REAL or len(domain) > _LONGEST:
        return None
    if domain in _KNOWN_TYPOS:
        return _KNOWN_TYPOS[domain]
    for bound in (1, 2):  # the nearest wins: a single slip before a double one
        for known in KNOWN_DOMAINS:
            if bound <= _bound(known) and _within(domain, known, bound):
                return known
    return None


def suggested_address(email: str) -> str | None:
    """The address with its domain corrected, if the domain looks mistyped; else None."""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return None
    better = suggested_domain(domain)
    return f"{local}@{better}" if better else None
