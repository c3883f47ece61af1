"""An in-memory table of one channel's and language's documents, for facets, filters and sorting.

Facet counts over 100,000 documents are too slow as SQL GROUP BYs, so every facet value, category
and assortment is held as a bitset (a Python int: `&` and `bit_count()` run in C). A process loads
the snapshot once and loads it again when the index revision of its channel and language moves on,
so a change that reached the index is seen by the next search.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from handel.search import indexing, text
from handel.search.models import SearchDocument, SearchIndexState

NICE_STEPS = (1, 2, 2.5, 5)
RANGE_COUNT = 5


def to_bits(positions: Iterable[int], size: int) -> int:
    buffer = bytearray((size >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def positions_of(bits: int) -> list[int]:
    found = []
    data = bits.to_bytes((bits.bit_length() >> 3) + 1, "little")
    for index, byte in enumerate(data):
        if byte:
            base = index << 3
            for offset in range(8):
                if byte >> offset & 1:
                    found.append(base + offset)
    return found


class Membership:
    """Constant-time "is this position in the set" for a bitset."""

    def __init__(self, bits: int, size: int) -> None:
        self.data = bits.to_bytes((size >> 3) + 1, "little")

    def __contains__(self, position: int) -> bool:
        return bool(self.data[position >> 3] >> (position & 7) & 1)


def nice_number(value: float) -> float:
    if value <= 0:
        return 0
    magnitude = 10 ** (len(str(int(value))) - 1)
    best = magnitude
    for step in NICE_STEPS:
        if step * magnitude <= value:
            best = step * magnitude
    return best


def range_edges(values: Sequence[float]) -> list[float]:
    """Rounded quantile edges, so each range holds a fair share: 0-25, 25-50, 50-100, 100-250, 250+."""
    ordered = sorted(values)
    if len(ordered) < 2:
        return []
    edges: list[float] = []
    for index in range(1, RANGE_COUNT):
        edge = nice_number(ordered[len(ordered) * index // RANGE_COUNT])
        if edge > 0 and (not edges or edge > edges[-1]) and edge > ordered[0]:
            edges.append(edge)
    return edges


@dataclass
class Snapshot:
    channel_code: str
    locale: str
    revision: int
    size: int = 0
    ids: list[int] = field(default_factory=list)
    position_of: dict[int, int] = field(default_factory=dict)
    skus: list[str] = field(default_factory=list)
    sku_positions: dict[str, int] = field(default_factory=dict)
    name_terms: list[frozenset[str]] = field(default_factory=list)
    strong_terms: list[frozenset[str]] = field(default_factory=list)
    name_lengths: list[int] = field(default_factory=list)
    sales: list[int] = field(default_factory=list)
    prices: list[Decimal | None] = field(default_factory=list)
    identifiers: dict[str, list[int]] = field(default_factory=dict)
    all_bits: int = 0
    facet_bits: dict[str, dict[str, int]] = field(default_factory=dict)
    numeric_values: dict[str, list[float | None]] = field(default_factory=dict)
    numeric_edges: dict[str, list[float]] = field(default_factory=dict)
    price_edges: list[float] = field(default_factory=list)
    assortment_bits: dict[int, int] = field(default_factory=dict)
    orders: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: dict[str, int] = field(default_factory=dict)
    sorted_vocabulary: list[str] = field(default_factory=list)
    deletion_index: dict[str, list[str]] = field(default_factory=dict)
    display_words: list[str] = field(default_factory=list)
    display_word_positions: dict[str, list[int]] = field(default_factory=dict)
    attribute_names: dict[str, str] = field(default_factory=dict)
    option_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    brand_names: dict[str, str] = field(default_factory=dict)
    range_cache: dict[tuple[str, float | None, float | None], int] = field(default_factory=dict)

    def visible_bits(self, assortment_id: int | None) -> int:
        if assortment_id is None:
            return self.all_bits
        return self.assortment_bits.get(assortment_id, 0)

    def range_bits(self, key: str, low: float | None, high: float | None) -> int:
        """Documents whose price (key "price") or numeric attribute lies in [low, high)."""
        cache_key = (key, low, high)
        if cache_key not in self.range_cache:
            values: Sequence[float | Decimal | None] = (
                self.prices if key == "price" else self.numeric_values.get(key, [])
            )
            chosen = [
                position
                for position, value in enumerate(values)
                if value is not None and (low is None or value >= low) and (high is None or value < high)
            ]
            if len(self.range_cache) > 256:
                self.range_cache.clear()
            self.range_cache[cache_key] = to_bits(chosen, self.size)
        return self.range_cache[cache_key]

    def word_count(self, word: str) -> int:
        return len(self.display_word_positions.get(word, ()))

    def corrections(self, word: str, *, stems: bool) -> list[str]:
        """Known index terms (stems=True) or name words one edit away (insert, delete, replace,
        swap), most frequent first. Short words are left alone: too many neighbours."""
        if len(word) < 4 or word.isdigit():
            return []
        candidates = set(self.deletion_index.get(word, ()))
        for key in text.deletions(word):
            candidates.update(self.deletion_index.get(key, ()))
            candidates.add(key)
        known: Mapping[str, object] = self.vocabulary if stems else self.display_word_positions
        found = [c for c in candidates if c != word and c in known and text.damerau_distance_at_most_one(word, c)]
        count = (lambda c: self.vocabulary[c]) if stems else self.word_count
        return sorted(found, key=lambda c: (-count(c), c))

    def terms_with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.sorted_vocabulary, prefix)
        end = bisect.bisect_left(self.sorted_vocabulary, prefix + "\U0010ffff")
        return self.sorted_vocabulary[start:end]

    def has_term_prefix(self, prefix: str) -> bool:
        index = bisect.bisect_left(self.sorted_vocabulary, prefix)
        return index < len(self.sorted_vocabulary) and self.sorted_vocabulary[index].startswith(prefix)

    def completions(self, prefix: str, limit: int) -> list[str]:
        start = bisect.bisect_left(self.display_words, prefix)
        found = []
        for word in self.display_words[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        return sorted(found, key=lambda w: (-len(self.display_word_positions[w]), w))[:limit]

    def has_prefix(self, prefix: str) -> bool:
        index = bisect.bisect_left(self.display_words, prefix)
        return index < len(self.display_words) and self.display_words[index].startswith(prefix)


FIELDS = (
    "id",
    "sku",
    "name",
    "name_terms",
    "strong_terms",
    "terms",
    "identifiers",
    "brand_code",
    "brand_name",
    "category_paths",
    "facet_values",
    "numeric_values",
    "price",
    "availability",
    "sales_count",
    "assortment_ids",
    "product_created_at",
)


def load(channel_code: str, locale: str, revision: int) -> Snapshot:
    snapshot = Snapshot(channel_code=channel_code, locale=locale, revision=revision)
    facet_positions: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    assortment_positions: dict[int, list[int]] = defaultdict(list)
    numeric: dict[str, dict[int, float]] = defaultdict(dict)
    vocabulary: dict[str, int] = defaultdict(int)
    display: dict[str, list[int]] = defaultdict(list)
    names: list[str] = []
    created: list[datetime] = []
    rows = SearchDocument.objects.filter(channel_code=channel_code, locale=locale).order_by("id").values_list(*FIELDS)
    for position, row in enumerate(rows.iterator(chunk_size=5000)):
        (
            doc_id,
            sku,
            name,
            name_terms,
            strong_terms,
            all_terms,
            identifiers,
            brand_code,
            brand_name,
            paths,
            facets,
            numbers,
            price,
            availability,
            sales,
            assortments,
            created_at,
        ) = row
        snapshot.ids.append(doc_id)
        snapshot.position_of[doc_id] = position
        snapshot.skus.append(sku)
        name_set = frozenset(name_terms.split())
        snapshot.name_terms.append(name_set)
        snapshot.strong_terms.append(frozenset(strong_terms.split()))
        snapshot.name_lengths.append(len(name_set))
        snapshot.sales.append(sales)
        snapshot.prices.append(price)
        names.append(name.lower())
        created.append(created_at)
        for term in all_terms.split():
            vocabulary[term] += 1
        for word in dict.fromkeys(text.joined(w) for w in text.words(name)):
            if word:
                display[word].append(position)
        for key in identifiers.split():
            snapshot.identifiers.setdefault(key, []).append(position)
        if brand_code:
            facet_positions["brand"][brand_code].append(position)
            snapshot.brand_names[brand_code] = brand_name
        for path in paths:
            facet_positions["category"][path].append(position)
        if availability:
            facet_positions["availability"][availability].append(position)
        for code, values in facets.items():
            for value in values:
                facet_positions[f"attr.{code}"][value].append(position)
        for code, value in numbers.items():
            numeric[code][position] = value
        for assortment_id in assortments:
            assortment_positions[assortment_id].append(position)
    size = snapshot.size = len(snapshot.ids)
    snapshot.sku_positions = {sku: position for position, sku in enumerate(snapshot.skus)}
    snapshot.all_bits = (1 << size) - 1
    snapshot.facet_bits = {
        facet: {value: to_bits(positions, size) for value, positions in values.items()}
        for facet, values in facet_positions.items()
    }
    snapshot.assortment_bits = {key: to_bits(positions, size) for key, positions in assortment_positions.items()}
    snapshot.numeric_values = {
        code: [values.get(position) for position in range(size)] for code, values in numeric.items()
    }
    snapshot.numeric_edges = {code: range_edges(list(values.values())) for code, values in numeric.items()}
    snapshot.price_edges = range_edges([float(price) for price in snapshot.prices if price is not None])
    everyone = range(size)
    snapshot.orders = {
        "name": sorted(everyone, key=lambda p: (names[p], snapshot.skus[p])),
        "price_asc": sorted(
            everyone, key=lambda p: (snapshot.prices[p] is None, snapshot.prices[p] or 0, snapshot.skus[p])
        ),
        "price_desc": sorted(
            everyone, key=lambda p: (snapshot.prices[p] is None, -(snapshot.prices[p] or 0), snapshot.skus[p])
        ),
        "newest": sorted(everyone, key=lambda p: (-created[p].timestamp(), snapshot.skus[p])),
        "best_selling": sorted(everyone, key=lambda p: (-snapshot.sales[p], snapshot.skus[p])),
    }
    snapshot.vocabulary = dict(vocabulary)
    snapshot.sorted_vocabulary = sorted(vocabulary)
    deletion_index: dict[str, list[str]] = defaultdict(list)
    for term in set(vocabulary) | set(display):
        if len(term) >= 3 and not term.isdigit():
            for key in text.deletions(term):
                deletion_index[key].append(term)
    snapshot.deletion_index = dict(deletion_index)
    snapshot.display_word_positions = dict(display)
    snapshot.display_words = sorted(display)
    snapshot.attribute_names, snapshot.option_labels, snapshot.category_names = indexing.facet_labels(locale)
    return snapshot


_snapshots: dict[tuple[str, str], Snapshot] = {}
_lock = threading.Lock()


def current_revision(channel_code: str, locale: str) -> int:
    return (
        SearchIndexState.objects.filter(channel_code=channel_code, locale=locale)
        .values_list("revision", flat=True)
        .first()
        or 0
    )


def get(channel_code: str, locale: str) -> Snapshot:
    revision = current_revision(channel_code, locale)
    key = (channel_code, locale)
    snapshot = _snapshots.get(key)
    if snapshot is None or snapshot.revision != revision:
        with _lock:
            snapshot = _snapshots.get(key)
            if snapshot is None or snapshot.revision != revision:
                snapshot = load(channel_code, locale, revision)
                _snapshots[key] = snapshot
    return snapshot


def forget_all() -> None:
    """Tests and the reindex command: drop every process-local snapshot."""
    _snapshots.clear()
