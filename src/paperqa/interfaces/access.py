"""Who may reach the app and the server, one rule for both: loopback by default; any other
address needs a password (`PAPERQA_APP_PASSWORD`, user `paperqa`), and uploads are limited."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets

from paperqa.errors import ConfigError

PASSWORD_ENV = "PAPERQA_APP_PASSWORD"
USER = "paperqa"
MAX_UPLOAD_FILES = 20
MAX_UPLOAD_MB = 200


def loopback(host: str) -> bool:
    """`host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def password_for(host: str, password: str | None = None, how: str = "user name: paperqa") -> str | None:
    """The password that guards `host` (given, else from the environment); an error that says
    how to set one when `host` is reachable from other machines and none is set."""
    password = password or os.environ.get(PASSWORD_ENV) or None
    if not loopback(host) and not password:
        raise ConfigError(
            f"Serving on {host} makes the library reachable from other machines: set "
            f"{PASSWORD_ENV} ({how}), or use --host 127.0.0.1."
        )
    return password


def authorized(header: str, password: str) -> bool:
    """An HTTP `Authorization` header carries the password: HTTP basic with user `paperqa`,
    or a bearer token (what an OpenAI client sends as its API key). Any malformed header is
    simply not authorized."""
    given = ""
    if header.lower().startswith("bearer "):
        given = header[7:].strip()
    elif header.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except ValueError:  # not base64, or not UTF-8 (UnicodeDecodeError is a ValueError)
            user, secret = "", ""
        given = secret if user == USER else ""
    return bool(given) and secrets.compare_digest(given.encode(), password.encode())


#: Host names a server bound to loopback answers to: a page on another name that resolves
#: to 127.0.0.1 (DNS rebinding) is refused.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def host_names(host: str) -> list[str] | None:
    """The Host header names a server bound to `host` answers to: loopback names for
    loopback, those and `host` itself for a named address; None (any) for 0.0.0.0 or ::."""
    if host in ("0.0.0.0", "::", ""):
        return None
    return [*LOOPBACK_NAMES, *([host] if not loopback(host) else [])]


class Throttle:
    """Wrong passwords slow a client down: after `free` failures in a row, each further
    attempt must wait twice as long as the last (up to `longest` seconds). A right password
    resets the count."""

    def __init__(self, free: int = 5, longest: float = 60.0) -> None:
        self.free, self.longest = free, longest
        self._failures: dict[str, tuple[int, float]] = {}

    def wait(self, client: str, now: float) -> float:
        """Seconds `client` must still wait before its next attempt (0: go ahead)."""
        failures, last = self._failures.get(client, (0, 0.0))
        if failures < self.free:
            return 0.0
        return max(0.0, last + min(self.longest, 2.0 ** (failures - self.free)) - now)

    def failed(self, client: str, now: float) -> None:
        failures, _ = self._failures.get(client, (0, 0.0))
        if len(self._failures) > 10_000:  # a flood of addresses: forget the oldest
            self._failures.pop(next(iter(self._failures)))
        self._failures[client] = (failures + 1, now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
