"""The one HTTP client of make-book, used only by ``make-book resolve``.

Made in one place (:func:`make_client`) and passed to every resolver: timeouts,
a descriptive User-Agent with the author's contact (Wikimedia and Crossref ask
for one), per-host pacing (arXiv asks for one request every 3 s), and retries
that honour ``Retry-After`` (RFC 9110 §10.2.3) on 429 and 503 answers.
"""

from __future__ import annotations

import email.utils
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import httpx

from .. import __version__

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 502, 503, 504}
MAX_RETRY_WAIT = 60.0  # seconds: a longer Retry-After is reported as rate limited, not waited for


class LookupFailed(Exception):
    """A lookup that gave no metadata; ``reason`` is shown to the author in the summary."""

    reason = "failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(LookupFailed):
    reason = "not found"


class RateLimited(LookupFailed):
    reason = "rate limited"


class Unreachable(LookupFailed):
    reason = "unreachable"


class Malformed(LookupFailed):
    reason = "malformed answer"


class NotMetadata(LookupFailed):
    """The answer is a page that is not the work: a captcha, a login wall, an error page."""

    reason = "not metadata"


@dataclass
class Client:
    """GET with pacing and retries over one ``httpx.Client``.

    ``pacing`` maps a host to the least number of seconds between two requests
    to it; ``sleep`` and ``clock`` are injectable so tests need not wait.
    """

    http: httpx.Client
    endpoints: dict[str, str] = field(default_factory=dict)  # base URL of each source, by name
    mailto: str | None = None
    base_url: str | None = None  # the author's blog
    blog_content: Path | None = None  # the blog's content folder, read instead of fetching its pages
    pacing: dict[str, float] = field(default_factory=dict)
    retries: int = 2
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)

    def get(self, url: str, *, params: dict[str, str] | None = None, accept: str | None = None) -> httpx.Response:
        """The 2xx response to ``GET url``; raises NotFound (404, 410), RateLimited, Unreachable or LookupFailed."""
        headers = {"Accept": accept} if accept else {}
        host = urlsplit(url).netloc.lower()
        for attempt in range(self.retries + 1):
            self._pace(host)
            try:
                response = self.http.get(url, params=params, headers=headers)
            except httpx.TimeoutException:
                if attempt < self.retries:
                    continue
                raise Unreachable(f"{host} did not answer in time") from None
            except httpx.HTTPError as exc:
                raise Unreachable(f"{host} could not be reached ({type(exc).__name__})") from None
            if response.status_code in RETRY_STATUSES:
                wait = retry_after(response.headers.get("retry-after"))
                if attempt < self.retries and (wait is None or wait <= MAX_RETRY_WAIT):
                    self.sleep(wait if wait is not None else 2.0 * (attempt + 1))
                    continue
                if response.status_code == 429:
                    raise RateLimited(f"{host} asks to slow down (HTTP 429); run make-book resolve again later")
                raise Unreachable(f"{host} answered HTTP {response.status_code}")
            if response.status_code in (404, 410):
                raise NotFound(f"{host} has no such record (HTTP {response.status_code})")
            if response.status_code >= 400:
                raise LookupFailed(f"{host} answered HTTP {response.status_code}")
            return response
        raise Unreachable(f"{host} did not answer")  # not reached: the loop returns or raises

    def _pace(self, host: str) -> None:
        interval = self.pacing.get(host, 0.0)
        last = self._last.get(host)
        if interval and last is not None:
            wait = last + interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def close(self) -> None:
        self.http.close()


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def user_agent(mailto: str | None) -> str:
    """``make-book/0.1.0 (+https://…; mailto:…)``: who is asking, and how to reach them."""
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"make-book/{__version__} (reference lookups for a book{contact}) httpx/{httpx.__version__}"


def make_client(*, endpoints: dict[str, str], mailto: str | None = None, timeout: float = 20.0,
                pacing: dict[str, float] | None = None, base_url: str | None = None,
                blog_content: Path | None = None) -> Client:
    """The client ``make-book resolve`` uses, with its User-Agent, timeouts and pacing (seconds, by host)."""
    http = httpx.Client(headers={"User-Agent": user_agent(mailto)}, timeout=httpx.Timeout(timeout),
                        follow_redirects=True)
    return Client(http=http, endpoints=dict(endpoints), mailto=mailto, base_url=base_url,
                  blog_content=blog_content, pacing=dict(pacing or {}))
