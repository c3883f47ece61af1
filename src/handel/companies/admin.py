from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from handel.companies import services
from handel.companies.models import Budget, Company, CompanyAddress, CompanyCredit, CompanyMember, Role, Team
from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin


class CompanyAddressInline(TabularInline):
    model = CompanyAddress
    extra = 0


class CompanyMemberInline(TabularInline):
    model = CompanyMember
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "team", "job_title", "status")


@admin.register(Company)
class CompanyAdmin(AuditedModelAdmin):
    list_display = ("legal_name", "code", "country", "vat_number", "status", "customer_group", "sales_representative")
    list_filter = ("status", "country", "customer_group")
    search_fields = ("legal_name", "code", "vat_number", "registration_number", "assortment_code")
    autocomplete_fields = ("sales_representative",)
    readonly_fields = ("created_at", "approved_at", "has_overdue_invoices")
    inlines = [CompanyAddressInline, CompanyMemberInline]
    actions = ["approve", "block"]

    @admin.action(description="Approve selected companies")
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        for company in queryset:
            services.approve_company(actor=request.user, code=company.code)

    @admin.action(description="Block selected companies")
    def block(self, request: HttpRequest, queryset: Any) -> None:
        for company in queryset:
            services.block_company(actor=request.user, code=company.code)


@admin.register(Role)
class RoleAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "company")
    search_fields = ("name", "code", "company__legal_name")


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ("name", "company", "parent", "manager", "cost_center")
    search_fields = ("name", "company__legal_name")


@admin.register(Budget)
class BudgetAdmin(AuditedModelAdmin):
    list_display = ("name", "company", "team", "currency", "amount", "consumed", "starts_on", "ends_on")
    search_fields = ("name", "company__legal_name")


@admin.register(CompanyCredit)
class CompanyCreditAdmin(ReadOnlyAdmin):
    """Credit changes go through the credit ledger (API `set_company_credit_terms`, payments)."""

    list_display = ("company", "currency", "credit_limit", "balance", "payment_terms_days", "on_hold")
    search_fields = ("company__legal_name",)


@admin.register(CompanyMember)
class CompanyMemberAdmin(ModelAdmin):
    list_display = ("user", "company", "role", "team", "status")
    list_filter = ("status", "role")
    search_fields = ("user__email", "company__legal_name")
    autocomplete_fields = ("user",)
