from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class Company(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        ACTIVE = "active", "Active"
        BLOCKED = "blocked", "Blocked"

    class PurchaseOrderNumber(models.TextChoices):
        OPTIONAL = "optional", "Optional"
        REQUIRED = "required", "Required"

    code = models.SlugField(max_length=60, unique=True, help_text="public reference, e.g. in URLs and imports")
    legal_name = models.CharField(max_length=200)
    vat_number = models.CharField(max_length=20, blank=True, db_index=True)
    registration_number = models.CharField(max_length=50, blank=True, help_text="chamber of commerce number")
    country = models.CharField(max_length=2)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    sales_representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="represented_companies",
        limit_choices_to={"is_staff": True},
    )
    customer_group = models.ForeignKey(
        "customers.CustomerGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="companies"
    )
    assortment_code = models.SlugField(
        max_length=50,
        blank=True,
        help_text="code of the catalog assortment shared with the company: its users see it instead of their "
        "customer group's or the channel's; an unknown code shows them nothing",
    )
    addresses_locked = models.BooleanField(default=False, help_text="only company admins may change addresses")
    purchase_order_number = models.CharField(
        max_length=10, choices=PurchaseOrderNumber.choices, default=PurchaseOrderNumber.OPTIONAL
    )
    block_ordering_when_overdue = models.BooleanField(default=False)
    has_overdue_invoices = models.BooleanField(default=False, help_text="kept up to date by the orders domain")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.legal_name


class CompanyAddress(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=50, blank=True)
    company_name = models.CharField(max_length=200)
    attention = models.CharField(max_length=150, blank=True)
    street = models.CharField(max_length=200)
    street2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.company_name}, {self.street}, {self.city}"


class Role(models.Model):
    """A named set of permissions (handel.companies.permissions). Built-in roles have no company."""

    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    permissions = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="role_code_unique_per_company"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(company__isnull=True), name="built_in_role_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """Teams nest (a parent team) and have a manager, who approves in a manager-chain rule."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    manager = models.ForeignKey("CompanyMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cost_center = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="team_name_unique_per_company")]

    def __str__(self) -> str:
        return self.name


class CompanyMember(models.Model):
    """A user acting for a company. A user belongs to one company at most."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        DEACTIVATED = "deactivated", "Deactivated"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_member")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="members")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    job_title = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    invited_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} at {self.company}"


class Budget(models.Model):
    """Money a team or cost center may spend in a period; approved orders consume it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="budgets")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="budgets")
    cost_center = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    consumed = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="budget_period_valid"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} to {self.ends_on})"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.consumed


class BudgetEntry(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="entries")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["budget", "reference"], name="budget_entry_once")]

    def __str__(self) -> str:
        return f"{self.amount} for {self.reference}"


class CompanyCredit(models.Model):
    """Pay on account: the balance owed may never exceed the limit."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="credit")
    currency = models.CharField(max_length=3, default="EUR")
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    balance = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), help_text="what the company owes now"
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    on_hold = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__lte=models.F("credit_limit")) | models.Q(balance__lte=0),
                name="credit_balance_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} credit"

    @property
    def available(self) -> Decimal:
        return max(Decimal("0"), self.credit_limit - self.balance)


class CreditTransaction(models.Model):
    """The credit ledger: the balance always equals the sum of these amounts."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Order on account"
        RELEASE = "release", "Order cancelled"
        PAYMENT = "payment", "Payment received"
        CREDIT_MEMO = "credit_memo", "Credit memo"
        ADJUSTMENT = "adjustment", "Adjustment"

    credit = models.ForeignKey(CompanyCredit, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="positive raises the balance owed")
    reference = models.CharField(max_length=100)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["credit", "kind", "reference"], name="credit_transaction_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.reference})"
