"""The merchant's search settings (synonyms, stop words, merchandising rules, redirects), loaded
once per process and dropped by the services that change them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache

from handel.search import text
from handel.search.models import MerchandisingRule, SearchRedirect, StopWord, Synonym

CACHE_KEY = "search:settings:v1"


@dataclass(frozen=True)
class RuleData:
    query: str
    category_path: str
    channel_code: str
    sku: str
    action: str
    position: int


@dataclass
class SearchSettings:
    # (locale or "") -> a term's stem -> stems it also finds
    synonyms: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    stop_words: dict[str, set[str]] = field(default_factory=dict)
    rules: list[RuleData] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)

    def synonyms_of(self, stem: str, locale: str) -> set[str]:
        return self.synonyms.get(locale, {}).get(stem, set()) | self.synonyms.get("", {}).get(stem, set())

    def is_stop_word(self, word: str, locale: str) -> bool:
        return word in self.stop_words.get(locale, set()) or word in self.stop_words.get("", set())


def _synonym_key(word: str, locale: str) -> str:
    return text.stem(text.joined(text.fold(word).strip().replace(" ", "")), locale)


def load_settings() -> SearchSettings:
    loaded = cache.get(CACHE_KEY)
    if loaded is not None:
        return loaded
    found = SearchSettings()
    mapping: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for synonym in Synonym.objects.all():
        locales = [synonym.locale] if synonym.locale else ["en", "nl"]
        for locale in locales:
            key_locale = synonym.locale
            term = _synonym_key(synonym.term, locale)
            others = [_synonym_key(word, locale) for word in synonym.synonyms]
            if synonym.kind == Synonym.Kind.ONE_WAY:
                mapping[key_locale or locale][term].update(o for o in others if o != term)
            else:
                group = {term, *others}
                for member in group:
                    mapping[key_locale or locale][member].update(group - {member})
    found.synonyms = {locale: dict(terms) for locale, terms in mapping.items()}
    stops: dict[str, set[str]] = defaultdict(set)
    for word, locale in StopWord.objects.values_list("word", "locale"):
        stops[locale].add(text.fold(word).strip())
    found.stop_words = dict(stops)
    found.rules = [
        RuleData(
            text.normalize_query(rule.query),
            rule.category_path,
            rule.channel_code,
            rule.sku,
            rule.action,
            rule.position,
        )
        for rule in MerchandisingRule.objects.filter(is_active=True).order_by("position", "id")
    ]
    found.redirects = {
        text.normalize_query(query): url for query, url in SearchRedirect.objects.values_list("query", "url")
    }
    cache.set(CACHE_KEY, found, timeout=300)
    return found


def forget_settings() -> None:
    cache.delete(CACHE_KEY)
