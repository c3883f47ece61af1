"""Demo search settings (synonyms, stop words, a redirect) and the index of the demo catalog."""

from __future__ import annotations

from django.db import transaction

from handel.core.demo import DemoContext
from handel.search import indexing
from handel.search.models import SearchRedirect, StopWord, Synonym
from handel.search.settings_cache import forget_settings

SYNONYMS = [
    ("two_way", "", "tee", ["t-shirt"]),
    ("two_way", "", "tv", ["television"]),
    ("two_way", "en", "trainers", ["sneaker"]),
    ("two_way", "en", "pullover", ["hoodie"]),
    ("one_way", "en", "earphones", ["earbuds", "headphones"]),
    ("one_way", "nl", "oordopjes", ["earbuds"]),
]
STOP_WORDS = [("en", word) for word in ("the", "a", "an", "for", "with", "of")] + [
    ("nl", word) for word in ("de", "het", "een", "voor", "met", "van")
]
REDIRECTS = [("returns", "/pages/returns"), ("retour", "/pages/returns"), ("contact", "/pages/contact")]


def build(context: DemoContext) -> None:
    install_settings()
    indexing.reindex_all()


def install_settings() -> None:
    with transaction.atomic():
        for kind, locale, term, synonyms in SYNONYMS:
            Synonym.objects.update_or_create(term=term, locale=locale, defaults={"kind": kind, "synonyms": synonyms})
        for locale, word in STOP_WORDS:
            StopWord.objects.get_or_create(word=word, locale=locale)
        for query, url in REDIRECTS:
            SearchRedirect.objects.update_or_create(query=query, defaults={"url": url})
    forget_settings()
