"""Search: full reindex throughput (and again with the objects made before it frozen, see `run`),
search with facets and autocomplete latency (warm, in-process), and relevance (nDCG@10) of the
judged query set over the demo catalog.

The catalog is the demo catalog (`handel demo` steps channels, catalog, inventory, pricing) at
HANDEL_BENCH_SEARCH_SIZE (small = 1,000, medium = 25,000, large = 100,000 products incl. variants;
default large; smoke uses small). The top 3 of every judged query is written to
bench/results/search-top3-<database>.json; when the other database's file is there too, the
agreement of the two backends is reported.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import time
from pathlib import Path
from typing import Any

from django.db import connection

from bench.harness import Result, latency_results, percentile, time_calls
from handel.catalog import demo as catalog_demo
from handel.catalog.models import Product
from handel.channels.demo import build as build_channels
from handel.core.demo import DemoContext
from handel.inventory import demo as inventory_demo
from handel.pricing import demo as pricing_demo
from handel.search import demo as search_demo
from handel.search import indexing, queries, snapshot, text
from handel.search.models import SearchDocument

JUDGEMENTS = Path(__file__).resolve().parent.parent / "src/handel/search/relevance/judgements.json"
RESULTS = Path(__file__).resolve().parent / "results"
PLACEHOLDER = re.compile(r"\{(\w+):([\w-]+):(\d+)\}")
LATENCY_QUERIES = 400


def _build_catalog(size: str) -> float:
    started = time.perf_counter()
    context = DemoContext(size=size)
    build_channels(context)
    if not Product.objects.exists():
        catalog_demo.build(context)
        inventory_demo.build(context)
        pricing_demo.build(context)
    search_demo.install_settings()
    return time.perf_counter() - started


def _resolve(value: str, channel: str, cache: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        how, prefix, index = match.group(1), match.group(2), int(match.group(3))
        key = (channel, prefix)
        if key not in cache:
            cache[key] = list(
                SearchDocument.objects.filter(channel_code=channel, sku__startswith=prefix)
                .order_by("sku")
                .values_list("sku", flat=True)
                .distinct()
            )
        sku = cache[key][index]
        if how in ("variant", "parent"):
            parent = Product.objects.get(sku=sku)
            variant = parent.variants.order_by("sku").first()
            return variant.sku if how == "variant" and variant else sku
        product = Product.objects.get(sku=sku)
        return {
            "sku": sku,
            "lower": sku.lower(),
            "nodash": sku.replace("-", ""),
            "mpn": product.mpn,
            "gtin": product.gtin,
        }[how]

    return PLACEHOLDER.sub(replace, value)


def _grade(document: dict[str, Any], criteria: list[dict[str, Any]]) -> int:
    best = 0
    name_words = set(text.words(document["name"])) | {text.joined(w) for w in text.words(document["name"])}
    for criterion in criteria:
        checks = []
        if "name" in criterion:
            checks.append(
                all(
                    text.fold(word) in name_words or text.joined(text.fold(word)) in name_words
                    for word in criterion["name"]
                )
            )
        if "category" in criterion:
            root = criterion["category"]
            checks.append(any(path == root or path.startswith(root + "/") for path in document["category_paths"]))
        if "brand" in criterion:
            checks.append(document["brand_code"] == criterion["brand"])
        if "sku" in criterion:
            checks.append(document["sku"] == criterion["sku"])
        if "facet" in criterion:
            checks.append(
                all(value in document["facet_values"].get(code, []) for code, value in criterion["facet"].items())
            )
        if checks and all(checks):
            best = max(best, criterion["grade"])
    return best


def _visible_documents(channel: str, locale: str) -> list[dict[str, Any]]:
    _, assortment_id = queries.resolve_viewer(
        channel_code=channel, locale=locale, customer_group_code=None, assortment_code=None
    )
    rows = SearchDocument.objects.filter(channel_code=channel, locale=locale).values(
        "sku", "name", "category_paths", "brand_code", "facet_values", "assortment_ids"
    )
    return [row for row in rows if assortment_id is None or assortment_id in row["assortment_ids"]]


def _dcg(grades: list[int]) -> float:
    return sum((2**grade - 1) / math.log2(index + 2) for index, grade in enumerate(grades))


def relevance(judged: list[dict[str, Any]]) -> tuple[list[Result], dict[str, list[str]]]:
    documents: dict[tuple[str, str], list[dict[str, Any]]] = {}
    by_sku: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    cache: dict[str, Any] = {}
    scores: dict[str, float] = {}
    kinds: dict[str, list[float]] = {}
    top3 = {}
    for item in judged:
        channel, locale = item["channel"], item["locale"]
        key = (channel, locale)
        if key not in documents:
            documents[key] = _visible_documents(channel, locale)
            by_sku[key] = {row["sku"]: row for row in documents[key]}
        criteria = [
            {k: (_resolve(v, channel, cache) if k == "sku" else v) for k, v in c.items()} for c in item["relevant"]
        ]
        query = _resolve(item["q"], channel, cache)
        result = queries.search_products(channel_code=channel, locale=locale, query=query, page_size=10)
        found = [hit["sku"] for hit in result["hits"]]
        top3[item["id"]] = found[:3]
        gains = [_grade(by_sku[key][sku], criteria) if sku in by_sku[key] else 0 for sku in found]
        ideal = sorted((_grade(row, criteria) for row in documents[key]), reverse=True)[:10]
        score = _dcg(gains) / _dcg(ideal) if _dcg(ideal) > 0 else 0.0
        scores[item["id"]] = score
        kinds.setdefault(item["kind"], []).append(score)
    database = _vendor()
    mean = sum(scores.values()) / len(scores)
    results = [
        Result(
            f"relevance: nDCG@10 over {len(scores)} judged queries",
            "mean",
            round(mean, 4),
            "",
            details={
                "per_kind": {kind: round(sum(v) / len(v), 4) for kind, v in sorted(kinds.items())},
                "weakest": sorted(((round(s, 3), q) for q, s in scores.items()))[:8],
            },
        )
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"search-top3-{database}.json").write_text(json.dumps(top3, indent=1, sort_keys=True))
    other = RESULTS / f"search-top3-{'postgresql' if database == 'sqlite' else 'sqlite'}.json"
    if other.exists():
        theirs = json.loads(other.read_text())
        shared = [query for query in top3 if query in theirs]
        agreeing = [query for query in shared if theirs[query] == top3[query]]
        if shared:
            results.append(
                Result(
                    "relevance: backends agree on the top 3",
                    "share",
                    round(len(agreeing) / len(shared), 4),
                    "",
                    ">= 0.9",
                    details={"differing": sorted(set(shared) - set(agreeing))},
                )
            )
    return results, top3


def _vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def run(smoke: bool) -> list[Result]:
    size = "small" if smoke else os.environ.get("HANDEL_BENCH_SEARCH_SIZE", "large")
    build_seconds = _build_catalog(size)
    if connection.vendor == "postgresql":
        # Fresh planner statistics after the bulk load, as autovacuum would give them shortly after:
        # without them stock is read with a scan of every source's rows per batch.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    products = len(indexing.all_product_ids())
    results = [
        _reindex(f"search: full reindex ({products} top-level products, {{documents}} documents)", products, ">= 5000")
    ]
    results[0].details.update(
        catalog_size=size, catalog_build_seconds=round(build_seconds, 1), catalog_rows=Product.objects.count()
    )
    snapshot.forget_all()
    started = time.perf_counter()
    for channel, locale in (("b2b", "en"), ("b2b", "nl"), ("b2c", "en"), ("b2c", "nl")):
        snapshot.get(channel, locale)
    results.append(
        Result(
            "search: load the in-memory facet tables (4 channel/language pairs)",
            "time",
            round((time.perf_counter() - started) * 1000),
            "ms",
        )
    )
    judged = json.loads(JUDGEMENTS.read_text())["queries"]
    relevance_results, _ = relevance(judged)
    results += relevance_results

    cache: dict[str, Any] = {}
    mix = []
    for item in judged:
        mix.append((item["channel"], item["locale"], _resolve(item["q"], item["channel"], cache), {}))
    for channel, path in (
        ("b2b", "tools"),
        ("b2b", "tools/power-tools/drills"),
        ("b2b", "industrial"),
        ("b2c", "apparel"),
        ("b2c", "electronics/audio"),
    ):
        mix.append((channel, "en", "", {"category": [path]}))
    mix.append(("b2b", "en", "drill", {"brand": ["makita", "dewalt"], "price": {"min": 50, "max": 500}}))
    mix.append(("b2c", "en", "", {"attributes": {"colour": ["black"]}, "availability": ["in_stock"]}))
    state = {"index": 0}
    cpu: list[float] = []

    def one_search() -> None:
        channel, locale, query, filters = mix[state["index"] % len(mix)]
        state["index"] += 1
        started = time.process_time()
        queries.search_products(channel_code=channel, locale=locale, query=query, filters=filters)
        cpu.append((time.process_time() - started) * 1000)

    repeat = 40 if smoke else LATENCY_QUERIES
    results += _with_cpu(
        latency_results(
            "search: search_products with facets (judged queries + category pages)",
            time_calls(one_search, repeat, warmup=len(mix)),
            "<= 50 ms",
        ),
        cpu[len(mix) :],
    )
    prefixes = [
        (item["channel"], item["locale"], item["q"][:length])
        for item in judged
        if not item["q"].startswith("{")
        for length in (2, 3, 5)
        if len(item["q"].strip()) >= length
    ]
    prefixes = [(c, loc, p) for c, loc, p in prefixes if len(text.normalize_query(p).replace(" ", "")) >= 2]

    cpu.clear()

    def one_autocomplete() -> None:
        channel, locale, prefix = prefixes[state["index"] % len(prefixes)]
        state["index"] += 1
        started = time.process_time()
        queries.autocomplete(channel_code=channel, locale=locale, query=prefix)
        cpu.append((time.process_time() - started) * 1000)

    results += _with_cpu(
        latency_results(
            "search: autocomplete (2-5 characters)", time_calls(one_autocomplete, repeat, warmup=20), "<= 15 ms"
        ),
        cpu[20:],
    )
    return results


def _reindex(name: str, products: int, target: str = "") -> Result:
    started, cpu_started = time.perf_counter(), time.process_time()
    documents = indexing.reindex_all(in_workers=True)  # as `handel search reindex` does
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return Result(
        name.format(documents=documents),
        "rate",
        round(products / elapsed),
        "products/s",
        target,
        details={
            "seconds": round(elapsed, 2),
            # This process's CPU time (on SQLite the database works in-process too): a figure
            # less disturbed by other work on a shared machine than the wall clock.
            "cpu_seconds": round(cpu, 2),
            "products_per_cpu_s": round(products / cpu) if cpu else None,
            "documents_per_s": round(documents / elapsed),
            "load_average": Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else None,
        },
    )


def _with_cpu(results: list[Result], cpu_ms: list[float]) -> list[Result]:
    """The same percentile of this process's CPU time per call, next to the wall-clock figure: on a
    shared machine the wall clock mostly measures waiting for a core (on PostgreSQL the server's
    work is not in it)."""
    for result in results:
        value = statistics.median(cpu_ms) if result.metric == "p50" else percentile(cpu_ms, 95)
        result.details["cpu_ms"] = round(value, 3)
    return results
