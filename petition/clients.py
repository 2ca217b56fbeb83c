"""Client addresses, kept only as keyed hashes: enough to group and block, never to read back."""

import hashlib
import hmac
import ipaddress

from flask import current_app

# Networks the activity view groups by: a household or office behind one router.
IPV4_PREFIX = 24
IPV6_PREFIX = 48
DEV_CLIENT_HASH_KEY = "dev-only-client-hash-key"


def _key() -> bytes:
    return str(current_app.config["CLIENT_HASH_KEY"] or DEV_CLIENT_HASH_KEY).encode()


def _digest(label: str, value: str) -> str:
    return hmac.new(_key(), f"{label}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def parse_address(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address as an IP, or None when it is missing or not one."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def network_of(address: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network the address belongs to."""
    ip = parse_address(address)
    if ip is None:
        return None
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def client_hash(address: str | None) -> str | None:
    """The keyed hash stored in place of the address."""
    ip = parse_address(address)
    return _digest("address", str(ip)) if ip is not None else None


def network_hash(address: str | None) -> str | None:
    """The keyed hash of the address's network, for grouping signatures from one place."""
    network = network_of(address)
    return _digest("network", network) if network is not None else None


def in_network(address: str | None, cidr: str) -> bool:
    """Whether the address lies in the CIDR network (False for anything unparseable)."""
    ip = parse_address(address)
    try:
        return ip is not None and ip in ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False


def attempt_hash(login: str, address: str | None) -> str:
    """The keyed hash of a login address tried from one client, to count wrong passwords per pair."""
    ip = parse_address(address)
    return _digest("login", f"{login}\n{ip if ip is not None else '-'}")
