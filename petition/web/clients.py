"""Client addresses, kept only as keyed hashes: enough to group and block, never to read back."""

import hashlib
import hmac
import ipaddress

from flask import Flask, current_app, request

# Networks the activity view groups by: a household or office behind one router.
IPV4_PREFIX = 24
IPV6_PREFIX = 48
# What a rate limit counts as one client: an IPv6 subscriber gets a whole /64 and can pick any
# address in it, so counting full addresses would give them billions of budgets.
LIMIT_IPV6_PREFIX = 64
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


def login_hash(login: str) -> str:
    """The keyed hash of a typed login address, to count requests for it without keeping it."""
    return _digest("login-address", login)


def limit_key(address: str | None) -> str:
    """Whom a rate limit counts: an IPv4 address as it is, an IPv6 address by its /64 network."""
    ip = parse_address(address)
    if ip is None:
        return address or ""
    if ip.version == 4:
        return str(ip)
    return ipaddress.ip_network(f"{ip}/{LIMIT_IPV6_PREFIX}", strict=False).compressed


def register_proxy_warning(app: Flask) -> None:
    """Warn once when a proxy seems to stand in front of an app that trusts none.

    With TRUSTED_PROXY_HOPS=0 behind a proxy, every visitor arrives from the proxy's address and
    shares one rate-limit budget. Only a request can show it: X-Forwarded-For from a loopback or
    private peer.
    """
    if int(app.config["TRUSTED_PROXY_HOPS"]) > 0:
        return
    warned = False

    @app.before_request
    def _warn_about_untrusted_proxy() -> None:
        nonlocal warned
        if warned or "X-Forwarded-For" not in request.headers:
            return
        peer = parse_address(request.remote_addr)
        if peer is not None and (peer.is_private or peer.is_loopback):
            warned = True
            app.logger.warning(
                "X-Forwarded-For arrived from %s, a proxy on a private network, but "
                "TRUSTED_PROXY_HOPS is 0: every visitor shares that proxy's address and one "
                "rate-limit budget. Set FLASK_TRUSTED_PROXY_HOPS to the number of proxies.",
                request.remote_addr,
            )
