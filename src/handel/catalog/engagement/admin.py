from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from handel.catalog.engagement.models import Answer, Question, Review, Wishlist
from handel.catalog.engagement.services import questions, reviews


@admin.register(Review)
class ReviewAdmin(ModelAdmin):
    """The moderation queue: approve or reject through the same services as the API."""

    list_display = (
        "product",
        "rating",
        "title",
        "display_name",
        "status",
        "is_verified_buyer",
        "helpful_votes",
        "created_at",
    )
    list_filter = ("status", "rating", "is_verified_buyer")
    search_fields = ("product__sku", "title", "customer__email")
    list_select_related = ("product",)
    readonly_fields = (
        "product",
        "customer",
        "rating",
        "title",
        "body",
        "language",
        "status",
        "moderated_by",
        "moderated_at",
        "is_verified_buyer",
        "helpful_votes",
    )
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet[Review], decision: str) -> None:
        for review in queryset:
            reviews.moderate_review(actor=request.user, review_id=str(review.public_id), decision=decision)
        messages.success(request, f"{queryset.count()} review(s): {decision}d")

    @admin.action(description="Approve the selected reviews", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._decide(request, queryset, "approve")

    @admin.action(description="Reject the selected reviews", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._decide(request, queryset, "reject")


@admin.register(Question)
class QuestionAdmin(ModelAdmin):
    list_display = ("product", "text", "display_name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("product__sku", "text")
    list_select_related = ("product",)
    readonly_fields = ("product", "customer", "text", "status", "moderated_by", "moderated_at")
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Approve the selected questions", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        for question in queryset:
            questions.moderate_question(actor=request.user, question_id=str(question.public_id), decision="approve")

    @admin.action(description="Reject the selected questions", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        for question in queryset:
            questions.moderate_question(actor=request.user, question_id=str(question.public_id), decision="reject")


@admin.register(Answer)
class AnswerAdmin(ModelAdmin):
    list_display = ("question", "text", "display_name", "is_by_staff", "status", "created_at")
    list_filter = ("status", "is_by_staff")
    readonly_fields = ("question", "author", "text", "is_by_staff", "status", "moderated_by", "moderated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Wishlist)
class WishlistAdmin(ModelAdmin):
    list_display = ("name", "customer", "is_shared", "updated_at")
    list_filter = ("is_shared",)
    search_fields = ("name", "customer__email")
    exclude = ("share_token",)
    list_select_related = ("customer",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
