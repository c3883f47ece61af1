from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm

from handel.core.admin import AuditedModelAdmin
from handel.customers import services
from handel.customers.models import Address, CustomerGroup, User

admin.site.unregister(Group)


@admin.register(Group)
class StaffGroupAdmin(ModelAdmin):
    """Staff roles for the back office: a group is a named set of permissions."""

    search_fields = ("name",)
    filter_horizontal = ("permissions",)


class AddressInline(TabularInline):
    model = Address
    extra = 0
    fields = (
        "label",
        "first_name",
        "last_name",
        "street",
        "postal_code",
        "city",
        "country",
        "is_default_shipping",
        "is_default_billing",
    )


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedModelAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "customer_group", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active", "customer_group", "groups")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("public_id", "date_joined", "last_login", "anonymised_at")
    inlines = [AddressInline]
    actions = ["anonymise"]
    change_form_outer_before_template = "customers/admin/act_on_behalf.html"
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        ("Person", {"fields": ("first_name", "last_name", "phone", "language", "customer_group", "marketing_opt_in")}),
        ("Back office", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined", "anonymised_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.action(description="Erase personal data (keeps orders)")
    def anonymise(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            services.delete_account(user=user, password=None, actor=request.user)  # type: ignore[arg-type]


@admin.register(CustomerGroup)
class CustomerGroupAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "tax_class")
    search_fields = ("code", "name")


@admin.register(Address)
class AddressAdmin(AuditedModelAdmin):
    list_display = ("customer", "first_name", "last_name", "city", "country")
    list_filter = ("country",)
    search_fields = ("customer__email", "last_name", "city", "postal_code")
    autocomplete_fields = ("customer",)
