"""An in-memory table of one channel's and language's documents, for facets, filters and sorting.

Facet counts over 100,000 documents are too slow as SQL GROUP BYs, so every facet value, category
and assortment is held as a bitset (a Python int: `&` and `bit_count()` run in C). A process loads
the snapshot once and loads it again when the index revision of its channel and language moves on,
so a change that reached the index is seen by the next search. Loading anew happens after a full
reindex; otherwise the process catches up: it reads only the documents written and removed since
its revision and applies them to a copy of its tables (cheap, and the result is the same as a load).
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from handel.search import indexing, text
from handel.search.models import SearchDocument, SearchIndexState, SearchRemoval

NICE_STEPS = (1, 2, 2.5, 5)
RANGE_COUNT = 5


def to_bits(positions: Iterable[int], size: int) -> int:
    buffer = bytearray((size >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


# The set bits of every byte value, so a bitset is read a byte at a time.
BYTE_OFFSETS = [tuple(offset for offset in range(8) if value >> offset & 1) for value in range(256)]


def positions_of(bits: int) -> list[int]:
    found: list[int] = []
    data = bits.to_bytes((bits.bit_length() >> 3) + 1, "little")
    offsets = BYTE_OFFSETS
    for index, byte in enumerate(data):
        if byte:
            base = index << 3
            found.extend([base + offset for offset in offsets[byte]])
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
    generation: int = 0
    size: int = 0
    holes: int = 0
    ids: list[int] = field(default_factory=list)
    position_of: dict[int, int] = field(default_factory=dict)
    skus: list[str] = field(default_factory=list)
    sku_positions: dict[str, int] = field(default_factory=dict)
    name_terms: list[frozenset[str]] = field(default_factory=list)
    strong_terms: list[frozenset[str]] = field(default_factory=list)
    category_terms: list[frozenset[str]] = field(default_factory=list)
    suggest_rank: list[int] = field(default_factory=list)
    name_lengths: list[int] = field(default_factory=list)
    sales: list[int] = field(default_factory=list)
    prices: list[Decimal | None] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    created: list[float] = field(default_factory=list)
    identifier_keys: list[tuple[str, ...]] = field(default_factory=list)
    facet_keys: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    assortment_keys: list[tuple[int, ...]] = field(default_factory=list)
    identifiers: dict[str, list[int]] = field(default_factory=dict)
    all_bits: int = 0
    facet_bits: dict[str, dict[str, int]] = field(default_factory=dict)
    numeric_values: dict[str, list[float | None]] = field(default_factory=dict)
    numeric_edges: dict[str, list[float]] = field(default_factory=dict)
    price_edges: list[float] = field(default_factory=list)
    assortment_bits: dict[int, int] = field(default_factory=dict)
    orders: dict[str, list[int]] = field(default_factory=dict)
    # position -> its place in each order, worked out on first use (see `rank_of`)
    order_ranks: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: dict[str, int] = field(default_factory=dict)
    sorted_vocabulary: list[str] = field(default_factory=list)
    deletion_index: dict[str, list[str]] = field(default_factory=dict)
    display_words: list[str] = field(default_factory=list)
    display_word_positions: dict[str, list[int]] = field(default_factory=dict)
    attribute_names: dict[str, str] = field(default_factory=dict)
    option_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    # (path, name, the folded name whole and word by word) for autocomplete
    category_words: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    brand_names: dict[str, str] = field(default_factory=dict)
    range_cache: dict[tuple[str, float | None, float | None], int] = field(default_factory=dict)

    def rank_of(self, order: str) -> list[int]:
        """Each position's place in the order, so a page of hits sorts by a list lookup rather
        than by searching the order (which cost up to 75 ms for 2,000 hits at 100,000)."""
        ranks = self.order_ranks.get(order)
        if ranks is None:
            ranks = [0] * self.size
            for index, position in enumerate(self.orders[order]):
                ranks[position] = index
            self.order_ranks[order] = ranks
        return ranks

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
# "suggest" orders autocomplete's products: best-selling, then shortest name.
ORDERS = ("name", "price_asc", "price_desc", "newest", "best_selling", "suggest")
# Catching up costs more than loading anew once this share of the documents changed, or once this
# share of the positions are holes left by removed documents (small tables always catch up).
CATCH_UP_SHARE = 0.2
HOLE_SHARE = 0.25
CATCH_UP_ALWAYS = 500


def _display_words(name: str) -> list[str]:
    return [word for word in dict.fromkeys(text.joined(w) for w in text.words(name)) if word]


def _order_key(snapshot: Snapshot, order: str) -> Callable[[int], Any]:
    names, skus, prices, created, sales = (
        snapshot.names,
        snapshot.skus,
        snapshot.prices,
        snapshot.created,
        snapshot.sales,
    )
    if order == "name":
        return lambda p: (names[p], skus[p])
    if order == "price_asc":
        return lambda p: (prices[p] is None, prices[p] or 0, skus[p])
    if order == "price_desc":
        return lambda p: (prices[p] is None, -(prices[p] or 0), skus[p])
    if order == "newest":
        return lambda p: (-created[p], skus[p])
    if order == "suggest":
        name_lengths = snapshot.name_lengths
        return lambda p: (-sales[p], name_lengths[p], skus[p])
    return lambda p: (-sales[p], skus[p])


class _Loader:
    """Adds documents to a snapshot: position lists for a full load (turned into bitsets at the
    end), or straight into the bitsets when catching up."""

    def __init__(self, snapshot: Snapshot, *, incremental: bool) -> None:
        self.snapshot = snapshot
        self.incremental = incremental
        self.facet_positions: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.assortment_positions: dict[int, list[int]] = defaultdict(list)
        self.numeric: dict[str, dict[int, float]] = defaultdict(dict)
        self.new_terms: list[str] = []
        self.new_words: list[str] = []
        self.owned_lists: set[tuple[str, str]] = set()
        self.terms_of_paths: dict[tuple[str, ...], frozenset[str]] = {}
        self.gone: set[int] = set()
        self.gone_bits = 0
        self.cleared_values: dict[tuple[str, str], int] = defaultdict(int)
        self.cleared_assortments: set[int] = set()
        self.cleared_codes: set[str] = set()
        self.cleared_identifiers: set[str] = set()
        self.cleared_words: set[str] = set()

    def _own(self, table: dict[str, list[int]], kind: str, key: str) -> list[int]:
        """The list of `key`, copied once per catch-up (older snapshots keep theirs)."""
        if not self.incremental:
            return table.setdefault(key, [])
        if (kind, key) not in self.owned_lists:
            self.owned_lists.add((kind, key))
            table[key] = list(table.get(key, ()))
        return table[key]

    def add(self, row: Sequence[Any], *, count_terms: bool = True) -> None:
        snapshot = self.snapshot
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
        position = snapshot.size
        snapshot.size += 1
        snapshot.ids.append(doc_id)
        snapshot.position_of[doc_id] = position
        snapshot.skus.append(sku)
        snapshot.sku_positions[sku] = position
        name_set = frozenset(name_terms.split())
        snapshot.name_terms.append(name_set)
        snapshot.strong_terms.append(frozenset(strong_terms.split()))
        snapshot.category_terms.append(self._category_terms(tuple(paths)))
        snapshot.name_lengths.append(len(name_set))
        snapshot.sales.append(sales)
        snapshot.prices.append(price)
        snapshot.names.append(name.lower())
        snapshot.created.append(created_at.timestamp())
        if count_terms:
            vocabulary = snapshot.vocabulary
            for term in all_terms.split():
                count = vocabulary.get(term, 0)
                vocabulary[term] = count + 1
                if not count:
                    self.new_terms.append(term)
        display = snapshot.display_word_positions
        for word in _display_words(name):
            if word not in display:
                self.new_words.append(word)
            self._own(display, "word", word).append(position)
        keys = tuple(identifiers.split())
        snapshot.identifier_keys.append(keys)
        for key in keys:
            self._own(snapshot.identifiers, "identifier", key).append(position)
        values: list[tuple[str, str]] = []
        if brand_code:
            values.append(("brand", brand_code))
            snapshot.brand_names[brand_code] = brand_name
        values += [("category", path) for path in paths]
        if availability:
            values.append(("availability", availability))
        values += [(f"attr.{code}", value) for code, items in facets.items() for value in items]
        snapshot.facet_keys.append(tuple(values))
        snapshot.assortment_keys.append(tuple(assortments))
        if self.incremental:
            bit = 1 << position
            snapshot.all_bits |= bit
            for facet, value in values:
                table = snapshot.facet_bits.setdefault(facet, {})
                table[value] = table.get(value, 0) | bit
            for assortment_id in assortments:
                snapshot.assortment_bits[assortment_id] = snapshot.assortment_bits.get(assortment_id, 0) | bit
            for values_of_code in snapshot.numeric_values.values():
                values_of_code.append(None)
            for code, number in numbers.items():
                snapshot.numeric_values.setdefault(code, [None] * snapshot.size)[position] = number
        else:
            for facet, value in values:
                self.facet_positions[facet][value].append(position)
            for assortment_id in assortments:
                self.assortment_positions[assortment_id].append(position)
            for code, number in numbers.items():
                self.numeric[code][position] = number

    def _category_terms(self, paths: tuple[str, ...]) -> frozenset[str]:
        """Index terms of the names of a document's categories (shared by documents with the same ones)."""
        found = self.terms_of_paths.get(paths)
        if found is None:
            names = self.snapshot.category_names
            locale = self.snapshot.locale
            found = frozenset(term for path in paths for term in text.terms(names.get(path, ""), locale))
            self.terms_of_paths[paths] = found
        return found

    def remove(self, position: int, terms: str | None) -> None:
        """Drop the document at `position` (its index terms given when it leaves the vocabulary).
        Lists and bitsets are cleared in one pass per key by `flush_removals`."""
        snapshot = self.snapshot
        del snapshot.position_of[snapshot.ids[position]]
        if snapshot.sku_positions.get(snapshot.skus[position]) == position:
            del snapshot.sku_positions[snapshot.skus[position]]
        snapshot.holes += 1
        snapshot.prices[position] = None
        self.gone.add(position)
        bit = 1 << position
        self.gone_bits |= bit
        for key in snapshot.facet_keys[position]:
            self.cleared_values[key] |= bit
        self.cleared_assortments.update(snapshot.assortment_keys[position])
        for code, values in snapshot.numeric_values.items():
            if values[position] is not None:
                values[position] = None
                self.cleared_codes.add(code)
        self.cleared_identifiers.update(snapshot.identifier_keys[position])
        self.cleared_words.update(_display_words(snapshot.names[position]))
        if terms is not None:
            vocabulary = snapshot.vocabulary
            for term in terms.split():
                count = vocabulary.get(term, 0) - 1
                if count > 0:
                    vocabulary[term] = count
                else:
                    vocabulary.pop(term, None)

    def flush_removals(self) -> None:
        snapshot, gone = self.snapshot, self.gone
        if not gone:
            return
        snapshot.all_bits &= ~self.gone_bits
        for (facet, value), bits in self.cleared_values.items():
            table = snapshot.facet_bits.get(facet, {})
            remaining = table.get(value, 0) & ~bits
            if remaining:
                table[value] = remaining
            else:
                table.pop(value, None)
        for assortment_id in self.cleared_assortments:
            snapshot.assortment_bits[assortment_id] = snapshot.assortment_bits.get(assortment_id, 0) & ~self.gone_bits
        for code in self.cleared_codes:
            if all(value is None for value in snapshot.numeric_values[code]):
                del snapshot.numeric_values[code]
        lists: list[tuple[dict[str, list[int]], set[str]]] = [
            (snapshot.identifiers, self.cleared_identifiers),
            (snapshot.display_word_positions, self.cleared_words),
        ]
        for positions_by_key, keys in lists:
            for key in keys:
                kept = [p for p in positions_by_key.get(key, ()) if p not in gone]
                if kept:
                    positions_by_key[key] = kept
                else:
                    positions_by_key.pop(key, None)

    def finish_load(self) -> None:
        snapshot = self.snapshot
        size = snapshot.size
        snapshot.all_bits = (1 << size) - 1
        snapshot.facet_bits = {
            facet: {value: to_bits(positions, size) for value, positions in values.items()}
            for facet, values in self.facet_positions.items()
        }
        snapshot.assortment_bits = {
            key: to_bits(positions, size) for key, positions in self.assortment_positions.items()
        }
        snapshot.numeric_values = {
            code: [values.get(position) for position in range(size)] for code, values in self.numeric.items()
        }
        everyone = range(size)
        snapshot.orders = {order: sorted(everyone, key=_order_key(snapshot, order)) for order in ORDERS}
        snapshot.order_ranks = {}
        snapshot.sorted_vocabulary = sorted(snapshot.vocabulary)
        snapshot.display_words = sorted(snapshot.display_word_positions)
        deletion_index: dict[str, list[str]] = defaultdict(list)
        for term in set(snapshot.vocabulary) | set(snapshot.display_word_positions):
            _add_deletions(deletion_index, term)
        snapshot.deletion_index = dict(deletion_index)
        _finish(snapshot)


def _add_deletions(deletion_index: dict[str, list[str]], term: str) -> None:
    if len(term) >= 3 and not term.isdigit():
        for key in text.deletions(term):
            deletion_index.setdefault(key, []).append(term)


def _labels(snapshot: Snapshot) -> None:
    snapshot.attribute_names, snapshot.option_labels, snapshot.category_names = indexing.facet_labels(snapshot.locale)
    snapshot.category_words = []
    for path, name in snapshot.category_names.items():
        folded = text.normalize_query(name)
        snapshot.category_words.append((path, name, (folded, *folded.split())))


def _finish(snapshot: Snapshot) -> None:
    """What is derived from the whole table: range edges and autocomplete's ranks."""
    rank = [0] * snapshot.size
    for index, position in enumerate(snapshot.orders["suggest"]):
        rank[position] = index
    snapshot.suggest_rank = rank
    snapshot.numeric_edges = {
        code: range_edges([value for value in values if value is not None])
        for code, values in snapshot.numeric_values.items()
    }
    snapshot.price_edges = range_edges([float(price) for price in snapshot.prices if price is not None])


def load(channel_code: str, locale: str, revision: int, generation: int = 0) -> Snapshot:
    snapshot = Snapshot(channel_code=channel_code, locale=locale, revision=revision, generation=generation)
    _labels(snapshot)
    loader = _Loader(snapshot, incremental=False)
    rows = SearchDocument.objects.filter(channel_code=channel_code, locale=locale).order_by("id").values_list(*FIELDS)
    for row in rows.iterator(chunk_size=5000):
        loader.add(row)
    loader.finish_load()
    return snapshot


def catch_up(old: Snapshot, revision: int) -> Snapshot | None:
    """A new snapshot: `old` with the documents written and removed since its revision, or None when
    loading anew is cheaper. `old` is left as it is (searches running on it are not disturbed)."""
    removed = list(
        SearchRemoval.objects.filter(
            channel_code=old.channel_code, locale=old.locale, revision__gt=old.revision
        ).values_list("document_id", "terms")
    )
    changed = SearchDocument.objects.filter(
        channel_code=old.channel_code, locale=old.locale, revision__gt=old.revision
    ).order_by("id")
    most = max((old.size - old.holes) * CATCH_UP_SHARE, CATCH_UP_ALWAYS)
    if len(removed) > most or changed.count() > most:
        return None
    rows = list(changed.values_list(*FIELDS))
    if old.holes + len(removed) + len(rows) > max((old.size + len(rows)) * HOLE_SHARE, CATCH_UP_ALWAYS):
        return None
    snapshot = replace(
        old,
        revision=revision,
        order_ranks={},
        ids=list(old.ids),
        position_of=dict(old.position_of),
        skus=list(old.skus),
        sku_positions=dict(old.sku_positions),
        name_terms=list(old.name_terms),
        strong_terms=list(old.strong_terms),
        category_terms=list(old.category_terms),
        name_lengths=list(old.name_lengths),
        sales=list(old.sales),
        prices=list(old.prices),
        names=list(old.names),
        created=list(old.created),
        identifier_keys=list(old.identifier_keys),
        facet_keys=list(old.facet_keys),
        assortment_keys=list(old.assortment_keys),
        identifiers=dict(old.identifiers),
        facet_bits={facet: dict(values) for facet, values in old.facet_bits.items()},
        numeric_values={code: list(values) for code, values in old.numeric_values.items()},
        assortment_bits=dict(old.assortment_bits),
        vocabulary=dict(old.vocabulary),
        display_word_positions=dict(old.display_word_positions),
        brand_names=dict(old.brand_names),
        range_cache={},
    )
    _labels(snapshot)
    loader = _Loader(snapshot, incremental=True)
    for doc_id, terms in removed:
        position = snapshot.position_of.get(doc_id)
        if position is not None:
            loader.remove(position, terms)
    for row in rows:
        # A document updated in place (price, stock, sales) keeps its terms: it moves to a new position.
        position = snapshot.position_of.get(row[0])
        if position is not None:
            loader.remove(position, None)
        loader.add(row, count_terms=position is None)
    loader.flush_removals()
    gone = loader.gone
    orders = {}
    for order in ORDERS:
        kept = [p for p in old.orders[order] if p not in gone] if gone else list(old.orders[order])
        key = _order_key(snapshot, order)
        for position in range(old.size, snapshot.size):
            if position not in gone:
                bisect.insort(kept, position, key=key)
        orders[order] = kept
    snapshot.orders = orders
    snapshot.order_ranks = {}
    vocabulary = snapshot.vocabulary
    snapshot.sorted_vocabulary = _merge_sorted(old.sorted_vocabulary, loader.new_terms, vocabulary)
    snapshot.display_words = _merge_sorted(old.display_words, loader.new_words, snapshot.display_word_positions)
    for term in [*loader.new_terms, *loader.new_words]:
        # The deletion index only proposes candidates (each is checked against the vocabulary), so
        # it grows in place and keeps words that left: shared with older snapshots, harmlessly.
        _add_deletions(snapshot.deletion_index, term)
    _finish(snapshot)
    return snapshot


def _merge_sorted(old: list[str], added: Iterable[str], live: Mapping[str, object]) -> list[str]:
    """The sorted words that are still in `live`, with the added ones merged in."""
    kept = [word for word in old if word in live]
    fresh = sorted({word for word in added if word in live} - set(kept))
    if not fresh:
        return kept
    return list(heapq.merge(kept, fresh))


_snapshots: dict[tuple[str, str], Snapshot] = {}
_lock = threading.Lock()


def current_state(channel_code: str, locale: str) -> tuple[int, int, int]:
    """(revision, generation, removals_since) of a channel and language."""
    state = (
        SearchIndexState.objects.filter(channel_code=channel_code, locale=locale)
        .values_list("revision", "generation", "removals_since")
        .first()
    )
    return state or (0, 0, 0)


def get(channel_code: str, locale: str) -> Snapshot:
    revision, generation, removals_since = current_state(channel_code, locale)
    key = (channel_code, locale)
    snapshot = _snapshots.get(key)
    if snapshot is None or snapshot.revision != revision:
        with _lock:
            snapshot = _snapshots.get(key)
            if snapshot is None or snapshot.revision != revision:
                fresh = None
                if (
                    snapshot is not None
                    and snapshot.generation == generation
                    and removals_since <= snapshot.revision < revision
                ):
                    fresh = catch_up(snapshot, revision)
                snapshot = fresh or load(channel_code, locale, revision, generation)
                _snapshots[key] = snapshot
    return snapshot


def forget_all() -> None:
    """Tests and the reindex command: drop every process-local snapshot."""
    _snapshots.clear()
