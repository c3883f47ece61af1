"""Foundation: numbering throughput, API round trips through the whole middleware stack."""

from __future__ import annotations

import time

from django.db import transaction
from django.test import Client

from bench.harness import Result, latency_results, time_calls
from handel.core.numbering import next_number


def run(smoke: bool) -> list[Result]:
    results: list[Result] = []
    count = 50 if smoke else 2000
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic(durable=True):
            next_number("bench", prefix="BEN-")
    elapsed = time.perf_counter() - started
    results.append(Result("numbering: next_number (one per transaction)", "rate", round(count / elapsed), "per s"))

    client = Client()
    repeat = 20 if smoke else 500
    results += latency_results("http: GET /health/ready", time_calls(lambda: client.get("/health/ready"), repeat))
    results += latency_results("http: GET /api/v1/channels", time_calls(lambda: client.get("/api/v1/channels"), repeat))
    return results
