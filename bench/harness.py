"""A small harness: time a callable, report p50/p95 and throughput, on a throwaway database."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    name: str
    metric: str
    value: float
    unit: str
    target: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_calls(
    function: Callable[[], Any], repeat: int, warmup: int = 3, before: Callable[[], Any] | None = None
) -> list[float]:
    """Wall-clock milliseconds of each call; `before` runs ahead of each call, untimed."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def latency_results(name: str, samples: list[float], target: str = "") -> list[Result]:
    return [
        Result(name, "p50", round(statistics.median(samples), 3), "ms"),
        Result(name, "p95", round(percentile(samples, 95), 3), "ms", target),
    ]


def machine() -> dict[str, Any]:
    from django.db import connection

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
    }
