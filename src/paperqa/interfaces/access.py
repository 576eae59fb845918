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
    or a bearer token (what an OpenAI client sends as its API key)."""
    given = ""
    if header.lower().startswith("bearer "):
        given = header[7:].strip()
    elif header.lower().startswith("basic "):
        try:
            user, _, given = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            given = ""
        given = given if user == USER else ""
    return secrets.compare_digest(given.encode(), password.encode())
