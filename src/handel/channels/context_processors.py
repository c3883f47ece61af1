from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from handel.channels.queries import active_channels, channel_for_request


def channel(request: HttpRequest) -> dict[str, Any]:
    current = channel_for_request(request)
    return {"channel": current, "channels": list(active_channels().values())}
