"""Throttling the public dossier lookup (tra cứu hồ sơ) against guessing.

A lookup needs the dossier code and four check digits, so guessing is a matter of attempts:
failed lookups are counted per client address in fixed windows of
TRACKING_FAILURE_WINDOW_MINUTES, and an address that reached TRACKING_MAX_FAILURES_PER_ADDRESS is
refused until its window ends. The count lives in the database (every web process sees it);
only a failure writes, so a successful lookup costs one indexed read here.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from chinhquyen.core.sql import fetch_prepared
from chinhquyen.dossiers.models import LookupFailureWindow

UNKNOWN_ADDRESS = "unknown"


@lru_cache(maxsize=4096)
def address_key(address: str) -> str:
    """IPv4 counted per address; IPv6 per /64, the block one subscriber usually holds, so that
    rotating through it does not reset the count. Remembered per process: the same clients come
    back, and parsing the address was a twentieth of a tracking lookup's CPU."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or UNKNOWN_ADDRESS
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _window() -> timedelta:
    return timedelta(minutes=settings.TRACKING_FAILURE_WINDOW_MINUTES)


def window_start(now: datetime) -> datetime:
    """The start of the fixed window holding `now` (windows are aligned on the Unix epoch)."""
    seconds = int(_window().total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


_FAILURES_SQL = (
    f"SELECT failures FROM {LookupFailureWindow._meta.db_table}"  # noqa: S608 (a model's table)
    " WHERE address = %s AND window_start = %s"
)


def lookup_retry_after(address: str, *, now: datetime | None = None) -> int | None:
    """Seconds until `address` may look up again, or None when it may look up now."""
    now = now or timezone.now()
    start = window_start(now)
    # One plain indexed statement: this runs before every public lookup, and building the ORM
    # query cost more CPU than PostgreSQL spends answering it (docs/benchmarks.md). A lookup
    # with a well-formed code reads this count in its own statement (`queries.track_public`).
    rows = fetch_prepared(_FAILURES_SQL, [address_key(address), stored_window_start(start)])
    return retry_after_for(rows[0][0] if rows else 0, start, now)


def stored_window_start(start: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(start)


def retry_after_for(failures: int, start: datetime, now: datetime) -> int | None:
    """Seconds until the window that began at `start` ends, when its `failures` reached the
    limit; None when the address may look up now."""
    if failures < settings.TRACKING_MAX_FAILURES_PER_ADDRESS:
        return None
    return max(1, math.ceil((start + _window() - now).total_seconds()))


def do_record_lookup_failure(address: str, *, now: datetime | None = None) -> None:
    """Count one failed lookup. Safe under concurrent requests: an increment in the database, and
    a lost race to create the window's row turns into an increment."""
    now = now or timezone.now()
    key, start = address_key(address), window_start(now)
    current = LookupFailureWindow.objects.filter(address=key, window_start=start)
    if current.update(failures=F("failures") + 1):
        return
    try:
        with transaction.atomic():
            LookupFailureWindow.objects.create(address=key, window_start=start, failures=1)
    except IntegrityError:
        current.update(failures=F("failures") + 1)
        return
    # A new window began for this address: rows of ended windows count nothing any more.
    LookupFailureWindow.objects.filter(window_start__lt=start).delete()
