"""Fixed-window rate limits in the cache, for login, password reset and token endpoints."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from handel.core.errors import TooManyRequests


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def hit(bucket: str, *identities: str) -> None:
    """Count one attempt for each identity (client address, account); refuse past the limit."""
    limit, window = settings.HANDEL_RATE_LIMITS[bucket]
    now = int(time.time())
    window_start = now - now % window
    for identity in identities:
        if not identity:
            continue
        hashed = hashlib.sha256(identity.lower().encode()).hexdigest()[:32]
        key = f"ratelimit:{bucket}:{hashed}:{window_start}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window + 1)
            count = 1
        if count > limit:
            raise TooManyRequests(
                "Too many attempts. Wait a moment and try again.", retry_after=window_start + window - now
            )
