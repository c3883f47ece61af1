from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.search.models import MerchandisingRule, SearchQueryLog, SearchRedirect, StopWord, Synonym
from handel.search.settings_cache import forget_settings


class SearchSettingsAdmin(AuditedModelAdmin):
    """Edits here change search at once: the cached settings are dropped after each save."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_settings()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        forget_settings()


@admin.register(Synonym)
class SynonymAdmin(SearchSettingsAdmin):
    list_display = ("term", "kind", "synonyms", "locale")
    list_filter = ("kind", "locale")
    search_fields = ("term",)


@admin.register(StopWord)
class StopWordAdmin(SearchSettingsAdmin):
    list_display = ("word", "locale")
    list_filter = ("locale",)
    search_fields = ("word",)


@admin.register(MerchandisingRule)
class MerchandisingRuleAdmin(SearchSettingsAdmin):
    list_display = ("query", "category_path", "sku", "action", "position", "channel_code", "is_active")
    list_filter = ("action", "is_active", "channel_code")
    search_fields = ("query", "category_path", "sku")


@admin.register(SearchRedirect)
class SearchRedirectAdmin(SearchSettingsAdmin):
    list_display = ("query", "url")
    search_fields = ("query", "url")


class ZeroResultsFilter(admin.SimpleListFilter):
    title = "results"
    parameter_name = "results"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", "No results"), ("some", "Some results")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[SearchQueryLog]) -> QuerySet[SearchQueryLog]:
        if self.value() == "none":
            return queryset.filter(result_count=0)
        if self.value() == "some":
            return queryset.filter(result_count__gt=0)
        return queryset


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(ReadOnlyAdmin):
    """Search analytics: every search with its result count and clicks; filter on zero results."""

    list_display = ("query", "channel_code", "locale", "result_count", "click_count", "created_at")
    list_filter = ("channel_code", "locale", ZeroResultsFilter)
    search_fields = ("normalized_query",)
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SearchQueryLog]:
        return super().get_queryset(request).annotate(click_count=Count("clicks"))

    @admin.display(ordering="click_count")
    def click_count(self, obj: Any) -> int:
        return int(obj.click_count)
