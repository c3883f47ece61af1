"""Procurement: a generic approval engine (requests, steps, decisions) that knows nothing of orders,
approval rules for company purchases, and purchase orders awaiting approval."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ApprovalRule(models.Model):
    """When a company purchase needs approval, and by whom.

    Condition: `kind` compares the purchase's value with `threshold` (order_total, shipping_cost,
    line_count), or matches `match` (sku, category path prefix), or checks the buyer's budget
    (budget_exceeded). Scope: `applies_to_roles` / `applies_to_team` (empty: everyone).
    Approvers: a role, a named company user, or the buyer's manager chain. `level` orders the steps:
    every matching rule adds a step, level 1 decides first.
    """

    class Kind(models.TextChoices):
        ORDER_TOTAL = "order_total", "Order total above"
        SHIPPING_COST = "shipping_cost", "Shipping cost above"
        LINE_COUNT = "line_count", "More lines than"
        SKU = "sku", "Contains the SKU"
        CATEGORY = "category", "Contains a product of the category"
        BUDGET_EXCEEDED = "budget_exceeded", "Exceeds the buyer's budget"

    class ApproverKind(models.TextChoices):
        ROLE = "role", "Anyone with the role"
        USER = "user", "A named user"
        MANAGER_CHAIN = "manager_chain", "The buyer's manager (and theirs, up the chain)"

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="approval_rules")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    match = models.CharField(max_length=200, blank=True)
    applies_to_roles = models.JSONField(default=list, blank=True)
    applies_to_team = models.ForeignKey(
        "companies.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    approver_kind = models.CharField(max_length=15, choices=ApproverKind.choices)
    approver_role = models.CharField(max_length=50, blank=True)
    approver_member = models.ForeignKey(
        "companies.CompanyMember", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["level", "id"]

    def __str__(self) -> str:
        return self.name


class ApprovalRequest(models.Model):
    """The generic engine: something (`subject_type`, `subject_id`) waits for its steps' decisions."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    subject_type = models.CharField(max_length=50)
    subject_id = models.CharField(max_length=64)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="approval_subject_idx")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} ({self.status})"


class ApprovalStep(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200, help_text="the rule that asked for this step")
    approver_user_ids = models.JSONField(default=list, help_text="who may decide this step")
    status = models.CharField(
        max_length=10, choices=ApprovalRequest.Status.choices, default=ApprovalRequest.Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["level", "id"]

    def __str__(self) -> str:
        return f"{self.request} level {self.level}"


class PurchaseOrder(models.Model):
    """A company purchase that met an approval rule: the cart as the buyer submitted it."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ORDERED = "ordered", "Ordered"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="purchase_orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL, db_index=True)
    channel_code = models.CharField(max_length=50)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    purchase_order_number = models.CharField(max_length=50, blank=True)
    cart = models.JSONField(help_text="lines, addresses, delivery and payment as submitted; re-priced at approval")
    approval = models.OneToOneField(ApprovalRequest, null=True, on_delete=models.PROTECT, related_name="+")
    order_number = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class RequisitionList(models.Model):
    """A named list of products a company keeps for repeat purchases, shared by its users."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="requisition_lists")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="requisition_lists"
    )
    channel_code = models.CharField(max_length=50, help_text="the sales channel whose assortment and prices apply")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["company", "-updated_at"], name="requisition_list_company_idx")]

    def __str__(self) -> str:
        return self.name


class RequisitionListLine(models.Model):
    """One SKU per list: adding the same SKU again raises its quantity."""

    requisition_list = models.ForeignKey(RequisitionList, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["requisition_list", "sku"], name="requisition_line_sku_once"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="requisition_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
