"""Invoices and credit memos: numbered documents, gapless per series, never changed once issued."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"

    number = models.CharField(max_length=20, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="invoices")
    customer = models.ForeignKey(
        "customers.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    company = models.ForeignKey(
        "companies.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    currency = models.CharField(max_length=3)
    issued_on = models.DateField()
    due_on = models.DateField()
    seller = models.JSONField(help_text="the seller's name, address and VAT number when issued")
    buyer = models.JSONField(help_text="the billing address and VAT number when issued")
    purchase_order_number = models.CharField(max_length=50, blank=True)
    total_net = models.DecimalField(max_digits=14, decimal_places=2)
    total_tax = models.DecimalField(max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(max_digits=14, decimal_places=2)
    vat_breakdown = models.JSONField(default=list)
    reverse_charge = models.BooleanField(default=False)
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    amount_credited = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self) -> Decimal:
        return self.total_gross - self.amount_paid - self.amount_credited


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price_net = models.DecimalField(max_digits=14, decimal_places=4)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3)
    total_net = models.DecimalField(max_digits=14, decimal_places=2)
    total_tax = models.DecimalField(max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position"]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.position}"


class CreditMemo(models.Model):
    class RefundTo(models.TextChoices):
        ORIGINAL_PAYMENT = "original_payment", "The original payment"
        STORE_CREDIT = "store_credit", "Store credit"
        ACCOUNT = "account", "The company account"
        NONE = "none", "No refund (correction only)"

    number = models.CharField(max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_memos")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="credit_memos")
    currency = models.CharField(max_length=3)
    issued_on = models.DateField()
    reason = models.CharField(max_length=255)
    refund_to = models.CharField(max_length=20, choices=RefundTo.choices)
    total_net = models.DecimalField(max_digits=14, decimal_places=2)
    total_tax = models.DecimalField(max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(max_digits=14, decimal_places=2)
    vat_breakdown = models.JSONField(default=list)
    shipping_refunded = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number


class CreditMemoLine(models.Model):
    credit_memo = models.ForeignKey(CreditMemo, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3)
    total_net = models.DecimalField(max_digits=14, decimal_places=2)
    total_tax = models.DecimalField(max_digits=14, decimal_places=2)
    total_gross = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["credit_memo", "position"]

    def __str__(self) -> str:
        return f"{self.credit_memo} #{self.position}"
