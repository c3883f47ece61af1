from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class CustomerGroup(models.Model):
    """Retail, wholesale, VIP...: price lists, promotions and assortments can target a group."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    tax_class = models.CharField(max_length=50, default="standard", help_text="customer tax class")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Customers and staff alike sign in with their email address."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=10, default="en")
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    is_staff = models.BooleanField(default=False, help_text="can use the back office")
    is_active = models.BooleanField(default=True)
    marketing_opt_in = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        permissions = [("act_on_behalf", "Can act on behalf of a customer in the storefront")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Address(models.Model):
    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=50, blank=True, help_text="e.g. Home, Office")
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    company_name = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200)
    street2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2)
    phone = models.CharField(max_length=32, blank=True)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.street}, {self.postal_code} {self.city}, {self.country}"


class Segment(models.Model):
    """A named set of customers that promotions (and later content) can target.

    Manual segments hold the customers staff put in. Rule segments hold every customer who meets
    all of the conditions set below (empty or null: no condition); their members are computed and
    stored in `SegmentMembership`, so reading a customer's segments is one indexed query.
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", "Manual"
        RULE = "rule", "Rule-based"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RULE)
    is_active = models.BooleanField(default=True, help_text="inactive segments keep their members but match nothing")
    # Rule conditions, combined with AND.
    customer_groups = models.JSONField(default=list, blank=True, help_text="customer group codes; any of them")
    countries = models.JSONField(default=list, blank=True, help_text="country of the default shipping address; any")
    signed_up_within_days = models.PositiveIntegerField(null=True, blank=True)
    signed_up_before_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="signed up more than this many days ago"
    )
    marketing_opt_in = models.BooleanField(null=True, blank=True, help_text="empty: either")
    min_orders = models.PositiveIntegerField(null=True, blank=True)
    min_total_spent = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    last_order_within_days = models.PositiveIntegerField(null=True, blank=True)
    last_order_before_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="lapsed: ordered before, but not in this many days"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "Added by staff"
        RULE = "rule", "Matched the rules"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="segment_memberships")
    source = models.CharField(max_length=10, choices=Source.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["customer", "segment"], name="one_membership_per_segment")]

    def __str__(self) -> str:
        return f"{self.customer} in {self.segment}"


class CustomerOrder(models.Model):
    """What customers know of a customer's order, told by the orders domain through events
    (`order.placed`, `order.edited`, `order.cancelled`). One row per order, so a repeated event
    changes nothing; `CustomerStats` is their sum."""

    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="order_facts")
    number = models.CharField(max_length=32, unique=True)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    placed_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["placed_at", "id"]
        indexes = [models.Index(fields=["customer", "cancelled"], name="customer_order_live")]

    def __str__(self) -> str:
        return self.number


class CustomerStats(models.Model):
    """Order history of a customer (cancelled orders left out), for segment rules.

    Amounts are added up as they are; a shop selling in several currencies adds nominal amounts."""

    customer = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    order_count = models.PositiveIntegerField(default=0)
    total_spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "customer stats"

    def __str__(self) -> str:
        return f"{self.customer}: {self.order_count} orders"
