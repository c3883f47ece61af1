"""What customers add to the catalog: reviews with photos and helpful votes, questions and answers,
wishlists, and compare lists (a guest's lives in the session until they sign in)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models


class Moderation(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Review(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    display_name = models.CharField(max_length=100, help_text="how the author is shown")
    rating = models.PositiveSmallIntegerField(help_text="1 to 5 stars")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=5000, blank=True)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    moderation_note = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    is_verified_buyer = models.BooleanField(default=False, help_text="the author bought the product (orders)")
    helpful_votes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "customer"], name="catalog_engagement_one_review_each"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="catalog_engagement_rating_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "created_at"], name="catalog_eng_review_product"),
            models.Index(fields=["status", "created_at"], name="catalog_eng_review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title}"


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=300)
    renditions = models.JSONField(default=dict)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["review_id", "position", "id"]

    def __str__(self) -> str:
        return f"photo {self.position + 1} of review {self.review_id}"


class ReviewVote(models.Model):
    """A customer found a review helpful; once per customer and review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "customer"], name="catalog_engagement_one_vote")]

    def __str__(self) -> str:
        return f"vote of {self.customer_id} for review {self.review_id}"


class ProductRating(models.Model):
    """Approved reviews of a product summed up, kept by the services whenever a review's status
    changes, so lists show averages without aggregating reviews."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, related_name="rating", primary_key=True)
    review_count = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.review_count} reviews of product {self.product_id}"


class VerifiedPurchase(models.Model):
    """The customer bought the product (told by the orders domain); marks their reviews as verified."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="catalog_engagement_purchase")]

    def __str__(self) -> str:
        return f"customer {self.customer_id} bought product {self.product_id}"


class Question(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="questions")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions")
    display_name = models.CharField(max_length=100)
    text = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "status", "created_at"], name="catalog_eng_question_product")]

    def __str__(self) -> str:
        return self.text[:80]


class Answer(models.Model):
    """An answer by staff (published at once) or by another customer (moderated)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=100)
    is_by_staff = models.BooleanField(default=False)
    text = models.TextField(max_length=4000)
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


class Wishlist(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlists")
    name = models.CharField(max_length=100)
    is_shared = models.BooleanField(default=False, help_text="anyone with the link may read it")
    # 192 random bits: the link is the only key, so it must not be guessable.
    share_token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="catalog_engagement_wishlist_name")]

    def __str__(self) -> str:
        return self.name


class WishlistItem(models.Model):
    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["wishlist_id", "added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["wishlist", "product"], name="catalog_engagement_wish_once")]

    def __str__(self) -> str:
        return f"product {self.product_id} on wishlist {self.wishlist_id}"


class CompareList(models.Model):
    """A customer's compare list, or a guest's (no customer; its id is kept in the session)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="compare_list"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"compare list {self.public_id}"


class CompareItem(models.Model):
    compare_list = models.ForeignKey(CompareList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["compare_list_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["compare_list", "product"], name="catalog_engagement_compare_once")
        ]

    def __str__(self) -> str:
        return f"product {self.product_id} on compare list {self.compare_list_id}"
