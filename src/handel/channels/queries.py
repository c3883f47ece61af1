"""Read side of channels, and which channel a request is in."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from handel.channels.models import Channel

CHANNEL_HEADER = "X-Handel-Channel"
SESSION_KEY = "channel"
CACHE_KEY = "channels:active:v1"


def active_channels() -> dict[str, Channel]:
    channels = cache.get(CACHE_KEY)
    if channels is None:
        channels = {channel.code: channel for channel in Channel.objects.filter(is_active=True)}
        cache.set(CACHE_KEY, channels, timeout=60)
    return channels


def forget_cached_channels() -> None:
    cache.delete(CACHE_KEY)


def get_channel(code: str) -> Channel | None:
    return active_channels().get(code)


def default_channel() -> Channel | None:
    channels = active_channels()
    for channel in channels.values():
        if channel.is_default:
            return channel
    return next(iter(channels.values()), None)


def channel_for_request(request: HttpRequest) -> Channel | None:
    """Header (API), then ?channel=, then the session's choice, then the host name, then the default."""
    channels = active_channels()
    for code in (
        request.headers.get(CHANNEL_HEADER),
        request.GET.get("channel"),
        request.session.get(SESSION_KEY) if hasattr(request, "session") else None,
    ):
        if code and code in channels:
            return channels[code]
    host = request.get_host().split(":")[0] if request.META.get("HTTP_HOST") else ""
    for channel in channels.values():
        if host and host in channel.domains:
            return channel
    return default_channel()
