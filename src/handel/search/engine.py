"""Search itself: parse the query, let the backend find matching documents, then rank, filter,
count facets, merchandise, sort and paginate over the in-memory snapshot.

Ranking is computed here, not by FTS5's bm25 or PostgreSQL's ts_rank, so both backends rank the
same matches the same way. A document's score adds, per query word, the weight of the best field
the word (or its synonym, or its correction) was found in: name 10, SKU/brand/category 6, other
text 1, plus 5 when it names one of the product's categories (so a query naming a category ranks
that category's products above products that only mention the word in their name, and those with
the word in their name too first); an exact SKU, MPN or GTIN match adds 1000.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from handel.core.errors import InvalidInput, field_error
from handel.search import snapshot as snapshots
from handel.search import text
from handel.search.backends import Alternative, TermGroup, backend
from handel.search.settings_cache import SearchSettings, load_settings
from handel.search.snapshot import Membership, Snapshot, positions_of, to_bits

SORTS = ("relevance", "price_asc", "price_desc", "name", "newest", "best_selling")
AVAILABILITY_STATES = ("in_stock", "low_stock", "preorder", "backorder", "out_of_stock")
MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
FEW_RESULTS = 3
NAME_WEIGHT, STRONG_WEIGHT, WEAK_WEIGHT, CATEGORY_BONUS = 10.0, 6.0, 1.0, 5.0
SYNONYM_WEIGHT, CORRECTION_WEIGHT, PREFIX_WEIGHT = 0.9, 0.6, 0.8
EXACT_IDENTIFIER_BONUS = 1000.0
BOOST_BONUS = 100.0
BURY_PENALTY = -10_000.0
MAX_CORRECTIONS = 3
FACET_VALUE_LIMIT = 50


@dataclass(frozen=True)
class ParsedQuery:
    normalized: str
    groups: tuple[TermGroup, ...]
    identifier: str
    corrected: str  # the query with typo corrections applied, "" when none were needed


@dataclass
class SearchOutcome:
    positions: list[int]  # the page, in order
    total: int
    facets: list[dict[str, Any]]
    applied_filters: dict[str, Any]
    did_you_mean: str | None
    redirect: str | None
    snapshot: Snapshot | None
    scores: dict[int, float] = field(default_factory=dict)


def _invalid(location: Sequence[str | int], message: str) -> InvalidInput:
    return InvalidInput(message, errors=[field_error(["body", *location], message)])


def parse_query(query: str, snapshot: Snapshot, settings: SearchSettings, *, prefix_last: bool = True) -> ParsedQuery:
    locale = snapshot.locale
    typed = text.words(query)[:MAX_WORDS]
    kept = [word for word in typed if not settings.is_stop_word(word, locale)] or typed
    groups = []
    corrected_words = []
    any_correction = False
    for index, word in enumerate(kept):
        joined = text.joined(word)
        stem = text.stem(joined, locale)
        is_last = prefix_last and index == len(kept) - 1
        alternatives = {stem: Alternative(stem, 1.0)}
        for synonym in sorted(settings.synonyms_of(stem, locale)):
            alternatives.setdefault(synonym, Alternative(synonym, SYNONYM_WEIGHT))
        known = any(term in snapshot.vocabulary for term in alternatives)
        if is_last and len(joined) >= 2:
            alternatives[f"{joined}*"] = Alternative(joined, PREFIX_WEIGHT, is_prefix=True)
            known = known or snapshot.has_term_prefix(joined)
        corrected_word = word
        if not known:
            fixes = snapshot.corrections(stem, stems=True)[:MAX_CORRECTIONS]
            for fix in fixes:
                alternatives.setdefault(fix, Alternative(fix, CORRECTION_WEIGHT))
            # Stemming can hide a typo's neighbour ("televison" -> "televison", "television" ->
            # "televis"), so name words one edit away count too, by their stems.
            words_fixed = snapshot.corrections(joined, stems=False)
            for fix in words_fixed[:MAX_CORRECTIONS]:
                fixed_stem = text.stem(fix, locale)
                if fixed_stem in snapshot.vocabulary:
                    alternatives.setdefault(fixed_stem, Alternative(fixed_stem, CORRECTION_WEIGHT))
            if fixes or words_fixed:
                any_correction = True
                corrected_word = words_fixed[0] if words_fixed else fixes[0]
        corrected_words.append(corrected_word)
        groups.append(TermGroup(word=word, alternatives=tuple(alternatives.values())))
    return ParsedQuery(
        normalized=text.normalize_query(query),
        groups=tuple(groups),
        identifier=text.identifier_key(query) if len(typed) <= 3 else "",
        corrected=" ".join(corrected_words) if any_correction else "",
    )


@dataclass(frozen=True)
class WeightedTerms:
    """One alternative as a set of index terms (a prefix expanded over the vocabulary once), so
    scoring a document is a few C-level set operations."""

    terms: frozenset[str]
    weight: float


def weighted_groups(parsed: ParsedQuery, snapshot: Snapshot) -> list[list[WeightedTerms]]:
    groups = []
    for group in parsed.groups:
        alternatives = []
        for alternative in group.alternatives:
            if alternative.is_prefix:
                terms = frozenset(snapshot.terms_with_prefix(alternative.term))
            else:
                terms = frozenset([alternative.term])
            if terms:
                alternatives.append(WeightedTerms(terms, alternative.weight))
        groups.append(alternatives)
    return groups


def scores_of(
    groups: list[list[WeightedTerms]], positions: Iterable[int], snapshot: Snapshot, exact: set[int]
) -> dict[int, float]:
    """The score of each document (one loop with everything bound locally: broad queries score
    thousands of documents per search)."""
    name_terms, strong_terms, category_terms = snapshot.name_terms, snapshot.strong_terms, snapshot.category_terms
    alternatives_of = [[(alternative.terms, alternative.weight) for alternative in group] for group in groups]
    scores = {}
    for position in positions:
        name, strong, category = name_terms[position], strong_terms[position], category_terms[position]
        total = EXACT_IDENTIFIER_BONUS if position in exact else 0.0
        for alternatives in alternatives_of:
            best = 0.0
            for terms, alternative_weight in alternatives:
                if not name.isdisjoint(terms):
                    weight = NAME_WEIGHT
                elif not strong.isdisjoint(terms):
                    weight = STRONG_WEIGHT
                else:
                    weight = WEAK_WEIGHT
                if not category.isdisjoint(terms):
                    weight += CATEGORY_BONUS
                weight *= alternative_weight
                if weight > best:
                    best = weight
            total += best
        scores[position] = total
    return scores


def _as_float(value: Any, location: Sequence[str | int]) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(Decimal(str(value)))
    except (ArithmeticError, ValueError) as exc:
        raise _invalid(location, "must be a number") from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise _invalid(location, "must be a finite number")
    return number


def _range(value: Any, location: Sequence[str | int]) -> tuple[float | None, float | None]:
    if not isinstance(value, Mapping) or not set(value) <= {"min", "max"}:
        raise _invalid(location, 'must be {"min": number, "max": number}')
    low, high = _as_float(value.get("min"), [*location, "min"]), _as_float(value.get("max"), [*location, "max"])
    if low is not None and high is not None and low > high:
        raise _invalid(location, "min must not be above max")
    return low, high


def _values(value: Any, location: Sequence[str | int]) -> list[str]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and 0 < len(item) <= 1000 and "\x00" not in item for item in value
    ):
        raise _invalid(location, "must be a list of strings")
    return list(dict.fromkeys(value))[:100]


def compile_filters(filters: Mapping[str, Any], snapshot: Snapshot) -> tuple[dict[str, int], dict[str, Any]]:
    """Filters -> a bitset per facet (values of one facet OR-ed) and the filters as applied."""
    bits: dict[str, int] = {}
    applied: dict[str, Any] = {}
    for key, value in filters.items():
        if key in ("category", "brand", "availability"):
            chosen = _values(value, ["filters", key])
            if key == "availability" and not set(chosen) <= set(AVAILABILITY_STATES):
                raise _invalid(["filters", key], f"must be among {', '.join(AVAILABILITY_STATES)}")
            table = snapshot.facet_bits.get(key, {})
            combined = 0
            for item in chosen:
                combined |= table.get(item, 0)
            bits[key], applied[key] = combined, chosen
        elif key == "price":
            low, high = _range(value, ["filters", "price"])
            bits["price"], applied["price"] = snapshot.range_bits("price", low, high), {"min": low, "max": high}
        elif key == "attributes":
            if not isinstance(value, Mapping):
                raise _invalid(["filters", "attributes"], "must be an object of attribute code to values")
            applied["attributes"] = {}
            for code, wanted in value.items():
                location = ["filters", "attributes", code]
                if code not in snapshot.attribute_names:
                    raise _invalid(location, "is not a filterable attribute")
                if code in snapshot.numeric_values or isinstance(wanted, Mapping):
                    low, high = _range(wanted, location)
                    bits[f"attr.{code}"] = snapshot.range_bits(code, low, high)
                    applied["attributes"][code] = {"min": low, "max": high}
                else:
                    chosen = _values(wanted, location)
                    table = snapshot.facet_bits.get(f"attr.{code}", {})
                    combined = 0
                    for item in chosen:
                        combined |= table.get(item, 0)
                    bits[f"attr.{code}"] = combined
                    applied["attributes"][code] = chosen
        else:
            raise _invalid(["filters", key], "unknown filter; use category, brand, availability, price or attributes")
    return bits, applied


def _all_but(bits: Mapping[str, int], skip: str, base: int) -> int:
    result = base
    for key, value in bits.items():
        if key != skip:
            result &= value
    return result


def _range_label(low: float | None, high: float | None) -> str:
    def show(number: float) -> str:
        return f"{number:g}"

    if low is None:
        return f"under {show(high or 0)}"
    if high is None:
        return f"{show(low)} and more"
    return f"{show(low)} - {show(high)}"


def _range_facet(
    code: str, label: str, edges: list[float], key: str, snapshot: Snapshot, base: int, selected: Any
) -> dict[str, Any]:
    bounds = [None, *edges, None]
    values = []
    for low, high in itertools.pairwise(bounds):
        count = (base & snapshot.range_bits(key, low, high)).bit_count()
        if count:
            values.append(
                {
                    "value": f"{'' if low is None else f'{low:g}'}-{'' if high is None else f'{high:g}'}",
                    "label": _range_label(low, high),
                    "min": low,
                    "max": high,
                    "count": count,
                    "selected": selected == {"min": low, "max": high},
                }
            )
    return {"code": code, "label": label, "kind": "range", "values": values}


def _value_facet(
    code: str, label: str, table: Mapping[str, int], base: int, chosen: Sequence[str], labels: Mapping[str, str]
) -> dict[str, Any]:
    values = []
    for value, value_bits in table.items():
        count = (base & value_bits).bit_count()
        if count or value in chosen:
            values.append(
                {"value": value, "label": labels.get(value, value), "count": count, "selected": value in chosen}
            )
    values.sort(key=lambda item: (-item["count"], item["label"]))
    return {"code": code, "label": label, "kind": "values", "values": values[:FACET_VALUE_LIMIT]}


def count_facets(
    snapshot: Snapshot, base: int, bits: Mapping[str, int], applied: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each facet counted with every other facet's selection applied but not its own (disjunctive)."""
    facets = []
    categories = snapshot.facet_bits.get("category", {})
    chosen_categories = applied.get("category", [])
    parent = chosen_categories[0] if len(chosen_categories) == 1 else None
    depth = parent.count("/") + 1 if parent else 0
    children = {
        path: value
        for path, value in categories.items()
        if path.count("/") == depth and (parent is None or path.startswith(parent + "/"))
    }
    category_facet = _value_facet(
        "category", "Category", children, _all_but(bits, "category", base), chosen_categories, snapshot.category_names
    )
    category_facet["kind"] = "category"
    category_facet["parent"] = parent
    facets.append(category_facet)
    facets.append(
        _value_facet(
            "brand",
            "Brand",
            snapshot.facet_bits.get("brand", {}),
            _all_but(bits, "brand", base),
            applied.get("brand", []),
            snapshot.brand_names,
        )
    )
    facets.append(
        _range_facet(
            "price",
            "Price",
            snapshot.price_edges,
            "price",
            snapshot,
            _all_but(bits, "price", base),
            applied.get("price"),
        )
    )
    facets.append(
        _value_facet(
            "availability",
            "Availability",
            snapshot.facet_bits.get("availability", {}),
            _all_but(bits, "availability", base),
            applied.get("availability", []),
            {state: state.replace("_", " ").capitalize() for state in AVAILABILITY_STATES},
        )
    )
    attribute_filters = applied.get("attributes", {})
    for code, name in snapshot.attribute_names.items():
        key = f"attr.{code}"
        others = _all_but(bits, key, base)
        if code in snapshot.numeric_values:
            facet = _range_facet(
                key, name, snapshot.numeric_edges.get(code, []), code, snapshot, others, attribute_filters.get(code)
            )
        elif key in snapshot.facet_bits:
            labels = {value: snapshot.option_labels.get((code, value), value) for value in snapshot.facet_bits[key]}
            facet = _value_facet(key, name, snapshot.facet_bits[key], others, attribute_filters.get(code, []), labels)
        else:
            continue
        if facet["values"]:
            facets.append(facet)
    return facets


def _merchandise(
    ordered: list[int], scores: dict[int, float], rules: Sequence[Any], snapshot: Snapshot, pinnable: Membership
) -> list[int]:
    """Boost and bury move matching products; a pin places a product at its position even when the
    query does not match it, as long as the viewer may see it and it passes the filters."""
    pins: list[tuple[int, int]] = []
    for rule in rules:
        position = snapshot.sku_positions.get(rule.sku)
        if position is None or position not in pinnable:
            continue
        if rule.action == "boost" and position in scores:
            scores[position] += BOOST_BONUS
        elif rule.action == "bury" and position in scores:
            scores[position] += BURY_PENALTY
        elif rule.action == "pin":
            pins.append((rule.position, position))
    ordered.sort(key=lambda p: -scores.get(p, 0.0))
    pinned = {position for _, position in pins}
    rest = [position for position in ordered if position not in pinned]
    for slot, position in sorted(pins):
        rest.insert(min(max(slot - 1, 0), len(rest)), position)
    return rest


def search(
    *,
    channel_code: str,
    locale: str,
    assortment_id: int | None,
    query: str = "",
    filters: Mapping[str, Any] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    with_facets: bool = True,
) -> SearchOutcome:
    if len(query) > MAX_QUERY_LENGTH:
        raise _invalid(["q"], f"must be at most {MAX_QUERY_LENGTH} characters")
    if sort not in SORTS:
        raise _invalid(["sort"], f"must be one of {', '.join(SORTS)}")
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise _invalid(["page"], f"page must be >= 1 and page_size between 1 and {MAX_PAGE_SIZE}")
    settings = load_settings()
    normalized = text.normalize_query(query)
    if normalized and normalized in settings.redirects:
        return SearchOutcome([], 0, [], {}, None, settings.redirects[normalized], None)
    snapshot = snapshots.get(channel_code, locale)
    filter_bits, applied = compile_filters(filters or {}, snapshot)
    visible = snapshot.visible_bits(assortment_id)
    parsed = parse_query(query, snapshot, settings) if normalized else None
    exact: set[int] = set()
    if parsed is not None and parsed.groups:
        matched_ids = backend().matching_ids(channel_code=channel_code, locale=locale, groups=parsed.groups)
        matches = {snapshot.position_of[i] for i in matched_ids if i in snapshot.position_of}
        if parsed.identifier:
            exact = set(snapshot.identifiers.get(parsed.identifier, ()))
            matches |= exact
        base = to_bits(matches, snapshot.size) & visible
    else:
        base = visible
    result_bits = _all_but(filter_bits, "", base)
    total = result_bits.bit_count()
    allowed = Membership(result_bits, snapshot.size)
    rules = _rules_for(settings, normalized, applied, channel_code) if sort == "relevance" else []
    scores: dict[int, float] = {}
    if parsed is not None and parsed.groups and sort == "relevance":
        members = positions_of(result_bits)
        groups = weighted_groups(parsed, snapshot)
        scores = scores_of(groups, members, snapshot, exact)
        names, sales, skus = snapshot.name_lengths, snapshot.sales, snapshot.skus
        wanted = page * page_size + len(rules)
        if wanted * 4 < len(members) and not rules:
            # Only the pages up to this one need ordering: a partial sort.
            ordered = heapq.nsmallest(wanted, members, key=lambda p: (-scores[p], names[p], -sales[p], skus[p]))
        else:
            ordered = sorted(members, key=lambda p: (-scores[p], names[p], -sales[p], skus[p]))
    else:
        name = "best_selling" if sort == "relevance" else sort
        if total * 20 < snapshot.size:
            ordered = sorted(positions_of(result_bits), key=snapshot.rank_of(name).__getitem__)
        else:
            ordered = [position for position in snapshot.orders[name] if position in allowed]
    if rules:
        if not scores:
            scores = {position: float(-index) for index, position in enumerate(ordered)}
        pinnable = Membership(_all_but(filter_bits, "", visible), snapshot.size)
        ordered = _merchandise(ordered, scores, rules, snapshot, pinnable)
        total = len(ordered)
    start = (page - 1) * page_size
    did_you_mean = None
    if parsed is not None and (parsed.corrected or total < FEW_RESULTS):
        suggestion = parsed.corrected or _suggest(parsed, snapshot)
        if suggestion and suggestion != parsed.normalized:
            did_you_mean = suggestion
    facets = count_facets(snapshot, base, filter_bits, applied) if with_facets else []
    return SearchOutcome(
        ordered[start : start + page_size], total, facets, applied, did_you_mean, None, snapshot, scores
    )


def _rules_for(settings: SearchSettings, normalized: str, applied: Mapping[str, Any], channel_code: str) -> list[Any]:
    categories = applied.get("category", [])
    found = []
    for rule in settings.rules:
        if rule.channel_code and rule.channel_code != channel_code:
            continue
        if (normalized and rule.query == normalized) or (
            not normalized and rule.category_path and rule.category_path in categories
        ):
            found.append(rule)
    return found


def _suggest(parsed: ParsedQuery, snapshot: Snapshot) -> str:
    """For few results: each word replaced by a clearly more common name word one edit away."""
    words = []
    changed = False
    for group in parsed.groups:
        word = text.joined(group.word)
        better = [
            c
            for c in snapshot.corrections(word, stems=False)
            if snapshot.word_count(c) > max(2 * snapshot.word_count(word), 1)
        ]
        if better:
            words.append(better[0])
            changed = True
        else:
            words.append(group.word)
    return " ".join(words) if changed else ""


def autocomplete(
    *, channel_code: str, locale: str, assortment_id: int | None, query: str, limit: int = 5
) -> dict[str, Any]:
    """Suggestions as the buyer types (from the second character): completed words, categories and
    products whose name words start with what was typed, all within what the viewer may see."""
    normalized = text.normalize_query(query)
    if len(normalized.replace(" ", "")) < 2:
        raise _invalid(["q"], "type at least 2 characters")
    snapshot = snapshots.get(channel_code, locale)
    visible = Membership(snapshot.visible_bits(assortment_id), snapshot.size)
    typed = [text.joined(word) for word in text.words(query)][:MAX_WORDS]
    last = typed[-1]
    head = typed[:-1]
    head_stems = [text.stem(word, locale) for word in head]
    completions = [" ".join([*head, word]) for word in snapshot.completions(last, limit * 2) if word != last or head][
        :limit
    ]
    candidates: list[int] = []
    start_words = snapshot.completions(last, 50)
    seen: set[int] = set()
    strong_terms = snapshot.strong_terms
    # Every position in the word lists is a live document: without an assortment all are visible.
    everyone = assortment_id is None
    for word in start_words:
        fresh = [p for p in snapshot.display_word_positions[word] if p not in seen and (everyone or p in visible)]
        seen.update(fresh)
        if head_stems:
            fresh = [p for p in fresh if all(stem in strong_terms[p] for stem in head_stems)]
        candidates.extend(fresh)
        if len(candidates) >= 500:
            break
    best = heapq.nsmallest(limit, candidates, key=snapshot.suggest_rank.__getitem__)
    visible_bits = snapshot.visible_bits(assortment_id)
    category_bits = snapshot.facet_bits.get("category", {})
    categories = []
    for path, name, words in snapshot.category_words:
        if any(word.startswith(normalized) for word in words):
            count = (category_bits.get(path, 0) & visible_bits).bit_count()
            if count:
                categories.append({"path": path, "name": name, "count": count})
    categories.sort(key=lambda item: (-item["count"], item["path"]))
    return {
        "completions": completions,
        "categories": categories[:limit],
        "positions": best,
        "snapshot": snapshot,
    }
