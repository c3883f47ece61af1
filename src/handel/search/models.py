"""The search index (one document per product, channel and language), the merchant's search
settings (synonyms, stop words, merchandising rules, redirects) and search analytics."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SearchDocument(models.Model):
    """What search knows of one product in one channel and language, built from the catalog,
    pricing and inventory. Only active products visible in the channel have a document.

    `terms` holds every index term (stemmed, space separated); the full-text index of the database
    is built over it (FTS5 table kept in step by triggers on SQLite, a generated tsvector column
    with a GIN index on PostgreSQL; see migration 0002). `strong_terms` are the terms of name,
    SKU/MPN/GTIN, brand and categories, which rank above description and attribute text.
    """

    channel_code = models.CharField(max_length=50)
    locale = models.CharField(max_length=10)
    product_id = models.BigIntegerField(help_text="the catalog product")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    name_terms = models.TextField(blank=True)
    strong_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    identifiers = models.CharField(max_length=300, blank=True, help_text="SKU, MPN and GTIN keys, space separated")
    brand_code = models.CharField(max_length=100, blank=True)
    brand_name = models.CharField(max_length=200, blank=True)
    category_paths = models.JSONField(default=list, help_text="the product's categories with their ancestors")
    facet_values = models.JSONField(default=dict, help_text='filterable attributes: {"colour": ["red"]}')
    numeric_values = models.JSONField(default=dict, help_text='numeric filterable attributes: {"power": 750.0}')
    price = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="the channel's price for a guest (display basis)",
    )
    currency = models.CharField(max_length=3, blank=True)
    availability = models.CharField(max_length=20, blank=True, help_text="in_stock, low_stock, backorder, ...")
    sales_count = models.PositiveIntegerField(default=0)
    assortment_ids = models.JSONField(default=list, help_text="assortments that contain the product")
    thumbnail_url = models.CharField(max_length=500, blank=True)
    product_created_at = models.DateTimeField()
    revision = models.BigIntegerField(default=0, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel_code", "locale", "product_id"], name="one_search_document"),
        ]
        indexes = [
            models.Index(fields=["product_id"], name="search_document_product"),
            models.Index(fields=["channel_code", "locale", "sku"], name="search_document_sku"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} ({self.channel_code}/{self.locale})"


class SearchIndexState(models.Model):
    """A revision per channel and language, raised by every index write, so each process knows
    when its in-memory facet tables are out of date.

    A process brings its tables up to date by reading only the documents written after its revision
    and the removals recorded since. A full reindex raises `generation` instead (every process loads
    anew), and removals before `removals_since` have been pruned (a process that far behind loads anew).
    """

    channel_code = models.CharField(max_length=50)
    locale = models.CharField(max_length=10)
    revision = models.BigIntegerField(default=0)
    generation = models.BigIntegerField(default=0)
    removals_since = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel_code", "locale"], name="one_search_state")]

    def __str__(self) -> str:
        return f"{self.channel_code}/{self.locale} revision {self.revision}"


class SearchRemoval(models.Model):
    """A document removed from the index at a revision (deleted, hidden, or replaced by a rebuilt
    one), with its index terms: processes holding the old document drop it from their tables."""

    channel_code = models.CharField(max_length=50)
    locale = models.CharField(max_length=10)
    document_id = models.BigIntegerField()
    revision = models.BigIntegerField()
    terms = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["channel_code", "locale", "revision"], name="search_removal_revision")]

    def __str__(self) -> str:
        return f"document {self.document_id} ({self.channel_code}/{self.locale}) at {self.revision}"


class Synonym(models.Model):
    """Two-way: every term finds the others ("tee", "t-shirt"). One-way: `term` also finds the
    synonyms, not the other way round ("drill" -> "driver")."""

    class Kind(models.TextChoices):
        TWO_WAY = "two_way", "Two-way (all equivalent)"
        ONE_WAY = "one_way", "One-way (term -> synonyms)"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TWO_WAY)
    locale = models.CharField(max_length=10, blank=True, help_text="en or nl; empty for every language")
    term = models.CharField(max_length=100, help_text="one-way: the word typed; two-way: one of the words")
    synonyms = models.JSONField(default=list, help_text="the other words")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term", "id"]

    def __str__(self) -> str:
        arrow = "=" if self.kind == self.Kind.TWO_WAY else "->"
        return f"{self.term} {arrow} {', '.join(self.synonyms)}"


class StopWord(models.Model):
    """A word left out of queries (it still counts when a query has nothing else)."""

    word = models.CharField(max_length=100)
    locale = models.CharField(max_length=10, blank=True, help_text="en or nl; empty for every language")

    class Meta:
        ordering = ["locale", "word"]
        constraints = [models.UniqueConstraint(fields=["word", "locale"], name="unique_stop_word")]

    def __str__(self) -> str:
        return self.word


class MerchandisingRule(models.Model):
    """Pin a product to a position, boost it or bury it, for a query or on a category page."""

    class Action(models.TextChoices):
        PIN = "pin", "Pin to a position"
        BOOST = "boost", "Boost"
        BURY = "bury", "Bury"

    query = models.CharField(max_length=200, blank=True, help_text="the query as typed (case and accents ignored)")
    category_path = models.CharField(max_length=1000, blank=True, help_text="or a category page")
    channel_code = models.CharField(max_length=50, blank=True, help_text="empty for every channel")
    sku = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=Action.choices)
    position = models.PositiveSmallIntegerField(default=1, help_text="1-based position of a pin")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["query", "category_path", "position", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.sku} for {self.query or self.category_path}"


class SearchRedirect(models.Model):
    """A query that opens a page instead of a result list ("returns" -> the returns page)."""

    query = models.CharField(max_length=200, unique=True, help_text="the query as typed (case and accents ignored)")
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["query"]

    def __str__(self) -> str:
        return f"{self.query} -> {self.url}"


class SearchQueryLog(models.Model):
    """One search as a buyer made it: what was asked, how many results, what was clicked."""

    public_id = models.UUIDField(unique=True)
    channel_code = models.CharField(max_length=50)
    locale = models.CharField(max_length=10)
    query = models.CharField(max_length=200)
    normalized_query = models.CharField(max_length=200, db_index=True)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.query} ({self.result_count})"


class SearchClick(models.Model):
    search = models.ForeignKey(SearchQueryLog, on_delete=models.CASCADE, related_name="clicks")
    sku = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sku} at {self.position}"


class PopularQuery(models.Model):
    """How often a query was asked (with results) per channel and language: autocomplete suggests these."""

    channel_code = models.CharField(max_length=50)
    locale = models.CharField(max_length=10)
    normalized_query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    last_result_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-searches", "normalized_query"]
        constraints = [
            models.UniqueConstraint(fields=["channel_code", "locale", "normalized_query"], name="one_popular_query")
        ]

    def __str__(self) -> str:
        return f"{self.normalized_query} ({self.searches})"
