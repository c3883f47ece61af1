"""Liveness and readiness: /health/live answers while the process runs; /health/ready checks
the database, the cache and, when configured, the broker."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    cache.set("health:probe", "1", timeout=10)
    if cache.get("health:probe") != "1":
        raise RuntimeError("cache did not return the value it was given")


def _broker() -> None:
    from kombu.connection import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:  # type: ignore[no-untyped-call]
        broker.ensure_connection(max_retries=1)


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(_database), "cache": _timed(_cache)}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _timed(_broker)
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
