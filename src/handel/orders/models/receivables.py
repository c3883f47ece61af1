"""Accounts receivable: money received against invoices, and reminders for overdue ones."""

from __future__ import annotations

from django.db import models


class CustomerPayment(models.Model):
    """Money received (a bank transfer, say), spread over one or more open invoices."""

    reference = models.CharField(max_length=100, unique=True, help_text="bank reference; a replay changes nothing")
    customer = models.ForeignKey("customers.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    received_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return self.reference


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(CustomerPayment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey("orders.Invoice", on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.amount} to {self.invoice}"


class DunningNotice(models.Model):
    invoice = models.ForeignKey("orders.Invoice", on_delete=models.CASCADE, related_name="dunning_notices")
    level = models.PositiveSmallIntegerField()
    days_overdue = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "level"], name="dunning_level_once")]

    def __str__(self) -> str:
        return f"{self.invoice} reminder {self.level}"
