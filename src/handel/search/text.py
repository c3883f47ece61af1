"""Turning text into index terms, the same way for documents and queries and for both backends.

Words are folded to lowercase ASCII letters and digits, then stemmed with the Snowball stemmer of
the channel's language (English or Dutch) here in Python, before the text reaches the database.
The databases only split on spaces (FTS5 `unicode61`, PostgreSQL's `simple` configuration), so
SQLite and PostgreSQL index exactly the same terms and match queries the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

LANGUAGES = {"en": "english", "nl": "dutch"}
# A hyphenated or dotted word ("t-shirt", "DRL-1001") is also kept joined, so "tshirt" and the
# SKU typed without its dash both match.
WORD_PATTERN = re.compile(r"[a-z0-9]+(?:[-./][a-z0-9]+)*")
PART_PATTERN = re.compile(r"[a-z0-9]+")
MAX_TERM_LENGTH = 40


def fold(text: str) -> str:
    """Lowercase without accents: "Café Crème" -> "cafe creme"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def language_of(locale: str) -> str:
    return LANGUAGES.get(locale.split("-")[0].lower(), "english")


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def stem(word: str, locale: str) -> str:
    # Snowball strips letter suffixes, so a word ending in a digit ("m12", SKUs) stays as it is (the
    # Dutch stemmer also drops a "ge" infix): answered here without the stemmer (or its cache,
    # which numbers and SKUs would fill).
    if len(word) < 3 or (word[-1].isdigit() and "ge" not in word):
        return word
    return _snowball(word, locale)


@lru_cache(maxsize=200_000)
def _snowball(word: str, locale: str) -> str:
    return str(_stemmer(language_of(locale)).stemWord(word))


def words(text: str) -> list[str]:
    """The folded words of a text, hyphenated ones whole ("t-shirt")."""
    return WORD_PATTERN.findall(fold(text))


def word_terms(word: str, locale: str) -> list[str]:
    """Index terms of one folded word: its stemmed parts, and for compound words the joined form."""
    if word.isalnum():  # one part, as most words are: nothing to split or join
        return [stem(word, locale)] if len(word) <= MAX_TERM_LENGTH else []
    parts = PART_PATTERN.findall(word)
    terms = [stem(part, locale) for part in parts if len(part) <= MAX_TERM_LENGTH]
    if len(parts) > 1:
        terms.append(stem("".join(parts)[:MAX_TERM_LENGTH], locale))
    return terms


@lru_cache(maxsize=100_000)
def terms(text: str, locale: str) -> tuple[str, ...]:
    """Index terms of a text, in order, repeated terms kept once (cached: catalogs repeat themselves)."""
    found: dict[str, None] = {}
    for word in words(text):
        for term in word_terms(word, locale):
            found[term] = None
    return tuple(found)


def joined(word: str) -> str:
    """A word without its inner punctuation, unstemmed: "t-shirt" -> "tshirt"."""
    return "".join(PART_PATTERN.findall(word))[:MAX_TERM_LENGTH]


def normalize_query(query: str) -> str:
    """How queries are compared (analytics, redirects, merchandising rules): folded words."""
    return " ".join(words(query))[:200]


def identifier_key(value: str) -> str:
    """SKU, MPN and GTIN compared without case, spaces or punctuation: "drl-1001" == "DRL 1001"."""
    return "".join(PART_PATTERN.findall(fold(value)))


def damerau_distance_at_most_one(a: str, b: str) -> bool:
    """True when b is a, or a with one letter inserted, deleted, replaced or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differences = [index for index in range(len(a)) if a[index] != b[index]]
        if len(differences) == 1:
            return True
        return (
            len(differences) == 2
            and differences[1] == differences[0] + 1
            and a[differences[0]] == b[differences[1]]
            and a[differences[1]] == b[differences[0]]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:index] + longer[index + 1 :] == shorter for index in range(len(longer)))


def deletions(term: str) -> list[str]:
    """The term with each letter left out once (a SymSpell-style key for distance-one look-ups)."""
    return [term[:index] + term[index + 1 :] for index in range(len(term))]
