"""Where a controller's status callbacks may go (docs/api.md, "Callbacks"): an https URL on
one of the organisation's allowed origins, so the API cannot be made to reach internal hosts.
Loopback http (127.0.0.1, ::1, localhost) is allowed without an entry only when the caller
says so: the development and test configurations."""

from __future__ import annotations

from urllib.parse import urlsplit

from rights.models.org import Organisation

__all__ = ["callback_url_allowed", "normalise_origin"]

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def normalise_origin(value: str) -> str | None:
    """``https://Host[:port]`` as ``https://host[:port]`` (default port dropped), or None
    when it is not an https origin without path, query or credentials."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal, checked by urlsplit
        host = f"[{host}]"
    elif not _is_host_name(host):
        return None
    return f"https://{host}" + (f":{port}" if port and port != 443 else "")


def _is_host_name(host: str) -> bool:
    """Dot-separated labels of 1 to 63 characters, none with white space (urlsplit takes
    "crm example" and "." as host names; no request could ever be sent there)."""
    labels = host.split(".")
    return len(host) <= 253 and all(
        0 < len(label) <= 63 and not any(ch.isspace() for ch in label) for label in labels
    )


def _origin_of(url: str) -> tuple[str, str | None, str]:
    parts = urlsplit(url)
    port = parts.port  # raises ValueError on a bad port
    host = (parts.hostname or "").lower()
    shown = f"[{host}]" if ":" in host else host
    default = {"https": 443, "http": 80}.get(parts.scheme)
    origin = f"{parts.scheme}://{shown}" + (f":{port}" if port and port != default else "")
    return parts.scheme, host or None, origin


def callback_url_allowed(
    organisation: Organisation, url: str, *, allow_loopback_http: bool = False
) -> bool:
    if len(url) > 2000 or any(ch.isspace() for ch in url):
        return False
    try:
        scheme, host, origin = _origin_of(url)
        if urlsplit(url).username or urlsplit(url).password:
            return False
    except ValueError:
        return False
    if host is None:
        return False
    if allow_loopback_http and scheme in ("http", "https") and host in _LOOPBACK:
        return True
    if scheme != "https":
        return False
    allowed = {normalise_origin(entry) for entry in organisation.callback_allowlist or []}
    return origin in allowed
