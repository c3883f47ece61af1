"""Every write of the search domain: the merchant's settings, analytics records, the index."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, field_error
from handel.search import indexing, text
from handel.search.models import (
    MerchandisingRule,
    PopularQuery,
    SearchClick,
    SearchQueryLog,
    SearchRedirect,
    StopWord,
    Synonym,
)
from handel.search.settings_cache import forget_settings

LOCALES = ("", "en", "nl")
MAX_TERMS = 50


def _invalid(location: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[field_error(["body", location], message)])


def _word(value: str, location: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or not text.words(cleaned) or len(cleaned) > 100 or "\x00" in cleaned:
        raise _invalid(location, "must be a word of letters or digits (at most 100 characters)")
    return cleaned


def _locale(locale: str) -> str:
    if locale not in LOCALES:
        raise _invalid("locale", "must be en, nl or empty (every language)")
    return locale


def _after_settings_change() -> None:
    # Dropped now and again after the commit, so no search in between can cache the old settings.
    forget_settings()
    transaction.on_commit(forget_settings)


# -- synonyms -----------------------------------------------------------------------------------------


def _clean_synonym(kind: str, term: str, synonyms: Sequence[str], locale: str) -> dict[str, Any]:
    if kind not in Synonym.Kind.values:
        raise _invalid("kind", "must be one_way or two_way")
    words = [_word(word, "synonyms") for word in synonyms]
    if not words or len(words) > MAX_TERMS:
        raise _invalid("synonyms", f"give between 1 and {MAX_TERMS} synonyms")
    return {
        "kind": kind,
        "term": _word(term, "term"),
        "synonyms": list(dict.fromkeys(words)),
        "locale": _locale(locale),
    }


def _delete_setting(model: Any, pk: int, *, actor: Any, action: str, label: str) -> None:
    """Delete one merchant setting (synonym, stop word, rule, redirect), audited; the index's
    settings are reloaded after commit."""
    with transaction.atomic(durable=True):
        setting = model.objects.filter(pk=pk).first()
        if setting is None:
            raise NotFound(f"no {label} {pk}")
        audit.record(actor=actor, action=action, obj=setting)
        setting.delete()
        _after_settings_change()


def create_synonym(
    *, actor: Any, term: str, synonyms: Sequence[str], kind: str = "two_way", locale: str = ""
) -> Synonym:
    with transaction.atomic(durable=True):
        synonym = Synonym.objects.create(**_clean_synonym(kind, term, synonyms, locale))
        audit.record(actor=actor, action="search.synonym.created", obj=synonym)
        _after_settings_change()
    return synonym


def update_synonym(*, actor: Any, synonym_id: int, changes: Mapping[str, Any]) -> Synonym:
    with transaction.atomic(durable=True):
        synonym = Synonym.objects.select_for_update().filter(pk=synonym_id).first()
        if synonym is None:
            raise NotFound(f"no synonym {synonym_id}")
        merged = {
            "kind": synonym.kind,
            "term": synonym.term,
            "synonyms": synonym.synonyms,
            "locale": synonym.locale,
            **changes,
        }
        for key, value in _clean_synonym(**merged).items():
            setattr(synonym, key, value)
        synonym.save()
        audit.record(actor=actor, action="search.synonym.updated", obj=synonym)
        _after_settings_change()
    return synonym


def delete_synonym(*, actor: Any, synonym_id: int) -> None:
    _delete_setting(Synonym, synonym_id, actor=actor, action="search.synonym.deleted", label="synonym")


# -- stop words ---------------------------------------------------------------------------------------


def create_stop_word(*, actor: Any, word: str, locale: str = "") -> StopWord:
    cleaned = text.fold(_word(word, "word"))
    if " " in cleaned:
        raise _invalid("word", "must be a single word")
    try:
        with transaction.atomic(durable=True):
            stop_word = StopWord.objects.create(word=cleaned, locale=_locale(locale))
            audit.record(actor=actor, action="search.stop_word.created", obj=stop_word)
            _after_settings_change()
    except IntegrityError as exc:
        raise Conflict(f"'{cleaned}' is a stop word already") from exc
    return stop_word


def delete_stop_word(*, actor: Any, stop_word_id: int) -> None:
    _delete_setting(StopWord, stop_word_id, actor=actor, action="search.stop_word.deleted", label="stop word")


# -- merchandising and redirects ----------------------------------------------------------------------


def _clean_rule(fields: Mapping[str, Any]) -> dict[str, Any]:
    query = " ".join(str(fields.get("query") or "").split())
    category_path = str(fields.get("category_path") or "").strip("/")
    if bool(query) == bool(category_path):
        raise _invalid("query", "give either a query or a category path")
    if fields.get("action") not in MerchandisingRule.Action.values:
        raise _invalid("action", "must be pin, boost or bury")
    sku = str(fields.get("sku") or "").strip()
    if not sku or len(sku) > 64:
        raise _invalid("sku", "is required")
    position = fields.get("position") or 1
    if not isinstance(position, int) or not 1 <= position <= 100:
        raise _invalid("position", "must be between 1 and 100")
    return {
        "query": query[:200],
        "category_path": category_path[:1000],
        "sku": sku,
        "action": fields["action"],
        "position": position,
        "channel_code": str(fields.get("channel_code") or "")[:50],
        "is_active": bool(fields.get("is_active", True)),
    }


def create_merchandising_rule(*, actor: Any, fields: Mapping[str, Any]) -> MerchandisingRule:
    with transaction.atomic(durable=True):
        rule = MerchandisingRule.objects.create(**_clean_rule(fields))
        audit.record(actor=actor, action="search.merchandising_rule.created", obj=rule)
        _after_settings_change()
    return rule


def update_merchandising_rule(*, actor: Any, rule_id: int, changes: Mapping[str, Any]) -> MerchandisingRule:
    with transaction.atomic(durable=True):
        rule = MerchandisingRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(f"no merchandising rule {rule_id}")
        current = {
            key: getattr(rule, key)
            for key in ("query", "category_path", "sku", "action", "position", "channel_code", "is_active")
        }
        for key, value in _clean_rule({**current, **changes}).items():
            setattr(rule, key, value)
        rule.save()
        audit.record(actor=actor, action="search.merchandising_rule.updated", obj=rule)
        _after_settings_change()
    return rule


def delete_merchandising_rule(*, actor: Any, rule_id: int) -> None:
    _delete_setting(
        MerchandisingRule, rule_id, actor=actor, action="search.merchandising_rule.deleted", label="merchandising rule"
    )


def _clean_url(url: str) -> str:
    cleaned = url.strip()
    if not (cleaned.startswith("/") and not cleaned.startswith("//")) and not cleaned.startswith("https://"):
        raise _invalid("url", "must be a path on this site (/...) or an https:// address")
    if len(cleaned) > 500:
        raise _invalid("url", "at most 500 characters")
    return cleaned


def create_redirect(*, actor: Any, query: str, url: str) -> SearchRedirect:
    normalized = text.normalize_query(_word(query, "query"))
    try:
        with transaction.atomic(durable=True):
            redirect = SearchRedirect.objects.create(query=normalized, url=_clean_url(url))
            audit.record(actor=actor, action="search.redirect.created", obj=redirect)
            _after_settings_change()
    except IntegrityError as exc:
        raise Conflict(f"the query '{normalized}' redirects already") from exc
    return redirect


def delete_redirect(*, actor: Any, redirect_id: int) -> None:
    _delete_setting(SearchRedirect, redirect_id, actor=actor, action="search.redirect.deleted", label="redirect")


# -- analytics ----------------------------------------------------------------------------------------


def record_search(
    *, channel_code: str, locale: str, query: str, filters: Mapping[str, Any], result_count: int, user: Any = None
) -> uuid.UUID:
    """Log one search (no audit entry: buyers' searches are analytics, not changes)."""
    normalized = text.normalize_query(query)
    with transaction.atomic(durable=True):
        log = SearchQueryLog.objects.create(
            public_id=uuid.uuid4(),
            channel_code=channel_code,
            locale=locale,
            query=query.replace("\x00", "")[:200],
            normalized_query=normalized,
            filters=dict(filters),
            result_count=result_count,
            user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        )
        if normalized:
            popular, _ = PopularQuery.objects.get_or_create(
                channel_code=channel_code, locale=locale, normalized_query=normalized
            )
            PopularQuery.objects.filter(pk=popular.pk).update(
                searches=F("searches") + 1, last_result_count=result_count
            )
    return log.public_id


def record_click(*, search_id: uuid.UUID, sku: str, position: int) -> SearchClick:
    if not 1 <= position <= 10_000:
        raise _invalid("position", "must be between 1 and 10000")
    with transaction.atomic(durable=True):
        log = SearchQueryLog.objects.filter(public_id=search_id).first()
        if log is None:
            raise NotFound("no such search")
        return SearchClick.objects.create(search=log, sku=sku.replace("\x00", "")[:64], position=position)


# -- the index ----------------------------------------------------------------------------------------


def reindex(*, actor: Any = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every document (the `handel search reindex` command). One transaction: searches keep
    answering from the old index until the new one commits, and an interrupted run changes nothing."""
    written = indexing.reindex_all(progress=progress, in_workers=True)
    with transaction.atomic(durable=True):
        audit.record(
            actor=actor, action="search.reindexed", object_type="search.searchdocument", data={"documents": written}
        )
    return written
