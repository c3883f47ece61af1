"""Checkout: orders per second and place-order latency through the real server.

The bench builds a shop (5 products with prices, tax, an automatic cart promotion, stock), fills
carts of 5 lines with addresses and delivery through the checkout services, then starts gunicorn
(2 worker processes) on a free localhost port and lets concurrent HTTP clients place the orders
(bank transfer): each request re-prices the cart (price lists, promotion, tax, delivery), reserves
the stock, counts the promotion, records the order snapshot and starts the payment. The outbox
events are delivered in the request (embedded default), or, with CELERY_BROKER_URL set as in
production, by one Celery worker process started beside gunicorn (the bench waits until it has
delivered them all and reports how long that took after the last order).

Targets (PostgreSQL): >= 50 orders/s, p95 place-order latency <= 150 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

from bench.harness import Result, percentile

SKUS = [f"BENCH-CO-{index}" for index in range(1, 6)]
ADDRESS = {
    "first_name": "Ann",
    "last_name": "Smit",
    "street": "Damrak 1",
    "postal_code": "1012 LG",
    "city": "Amsterdam",
    "country": "NL",
}
CLIENTS = 4  # two per worker: a sync worker serves one request at a time


def _shop() -> None:
    from handel.catalog import services as catalog_services
    from handel.catalog.queries import product_facts
    from handel.channels.demo import build as build_channels
    from handel.core.demo import DemoContext
    from handel.inventory import services as inventory_services
    from handel.inventory.queries import sources
    from handel.payments.models import PaymentMethodConfig
    from handel.pricing import services as pricing_services
    from handel.pricing.models import PriceList, Promotion, TaxRate

    build_channels(DemoContext())
    known = product_facts(SKUS)
    for sku in SKUS:
        if sku not in known:
            catalog_services.create_product(
                actor=None,
                record={
                    "sku": sku,
                    "kind": "simple",
                    "status": "active",
                    "name": f"Bench {sku}",
                    "channels": ["b2c"],
                    "weight_grams": 400,
                },
            )
    if not TaxRate.objects.filter(country="NL", tax_class="standard").exists():
        pricing_services.set_tax_rate(actor=None, country="NL", rate=Decimal("21"))
    if not PriceList.objects.filter(code="bench-checkout").exists():
        pricing_services.create_price_list(
            actor=None,
            code="bench-checkout",
            name="Bench",
            currency="EUR",
            priority=50,
            assignments=[{"kind": "channel", "key": "b2c"}],
        )
    pricing_services.set_price_entries(
        actor=None,
        price_list_code="bench-checkout",
        entries=[pricing_services.EntryInput(sku, Decimal("9.95") + index) for index, sku in enumerate(SKUS)],
    )
    if not Promotion.objects.filter(code="BENCH-5OFF").exists():
        pricing_services.create_promotion(
            actor=None,
            code="BENCH-5OFF",
            fields={"name": "5 % off", "action": "percent_off_cart", "value": Decimal("5")},
        )
    if not sources().filter(code="bench-main").exists():
        inventory_services.create_source(
            actor=None,
            code="bench-main",
            name="Bench warehouse",
            country="NL",
            postal_code="3087 BM",
            priority=1,
            channel_codes=["b2c"],
        )
    inventory_services.bulk_update_stock(
        actor=None,
        updates=[inventory_services.StockUpdate(sku=sku, source_code="bench-main", on_hand=1_000_000) for sku in SKUS],
    )
    PaymentMethodConfig.objects.update_or_create(code="bank_transfer", defaults={"enabled": True})


def _carts(count: int) -> list[str]:
    from handel.channels.queries import get_channel
    from handel.checkout import services
    from handel.checkout.lines import RequestedLine

    channel = get_channel("b2c")
    carts = []
    for index in range(count):
        cart = services.create_cart(channel=channel)
        services.add_lines(
            public_id=cart.public_id,
            user=None,
            requested=[RequestedLine(sku, 1 + (index + position) % 3) for position, sku in enumerate(SKUS)],
        )
        services.set_addresses(public_id=cart.public_id, user=None, shipping=ADDRESS, email="bench@example.com")
        services.set_delivery(public_id=cart.public_id, user=None, code="flat_rate")
        carts.append(str(cart.public_id))
    return carts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env() -> dict[str, str]:
    root = Path(__file__).resolve().parent.parent
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "handel.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]),
    }


def _start_worker() -> subprocess.Popen[bytes] | None:
    """With CELERY_BROKER_URL set (production), one Celery worker process delivers the outbox
    events on the same machine; without it they are delivered in the request (the embedded default)."""
    if not os.environ.get("CELERY_BROKER_URL"):
        return None
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "handel.core.celery_app", "worker", "--pool", "solo"),
            *("--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        env=_server_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _drained(timeout: float) -> float:
    """Seconds until the worker has delivered every outbox event (it keeps working after the bench)."""
    from handel.core.models import OutboxEvent

    started = time.perf_counter()
    while OutboxEvent.objects.filter(processed_at__isnull=True).exists():
        if time.perf_counter() - started > timeout:
            raise RuntimeError("the Celery worker did not deliver the outbox events")
        time.sleep(0.2)
    return time.perf_counter() - started


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = _server_env()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "handel.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/live")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise RuntimeError("gunicorn did not start")


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _place_all(port: int, carts: list[str]) -> tuple[list[float], float, int]:
    queue = list(carts)
    lock = threading.Lock()
    latencies: list[float] = []
    failures = [0]
    body = json.dumps({"payment_method": "bank_transfer"}).encode()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                cart = queue.pop()
            started = time.perf_counter()
            connection.request(
                "POST",
                f"/api/v1/checkout/carts/{cart}/order",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"bench-{cart}",
                    "X-Handel-Channel": "b2c",
                },
            )
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status != 201:
                    failures[0] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, failures[0]


def run(smoke: bool) -> list[Result]:
    from django.db import connection, connections

    _shop()
    count = 24 if smoke else 600
    warmup = _carts(CLIENTS * 2)
    carts = _carts(count)
    connections.close_all()
    port = _free_port()
    worker = _start_worker()
    server = _start_server(port)
    drained = None
    try:
        _place_all(port, warmup)
        latencies, seconds, failures = _place_all(port, carts)
        if worker is not None:
            drained = round(_drained(timeout=600), 1)
    finally:
        _stop_server(server)
        if worker is not None:
            _stop_server(worker)
    details = {
        "orders": count,
        "clients": CLIENTS,
        "workers": 2,
        "lines_per_cart": 5,
        "failures": failures,
        "database": connection.vendor,
        "events": "celery worker (1 process)" if worker is not None else "in the request (embedded)",
        "outbox_drained_after_s": drained,
    }
    return [
        Result(
            "checkout.place_order (HTTP, gunicorn 2 workers)",
            "throughput",
            round(count / seconds, 1),
            "orders/s",
            ">= 50 (PostgreSQL)",
            details,
        ),
        Result("checkout.place_order (HTTP, gunicorn 2 workers)", "p50", round(percentile(latencies, 50), 1), "ms"),
        Result(
            "checkout.place_order (HTTP, gunicorn 2 workers)",
            "p95",
            round(percentile(latencies, 95), 1),
            "ms",
            "<= 150 (PostgreSQL)",
        ),
        Result("checkout.place_order (HTTP, gunicorn 2 workers)", "failures", failures, "requests", "0"),
    ]
