from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm

from handel.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from handel.core.errors import DomainError
from handel.customers import services
from handel.customers.models import Address, CustomerGroup, CustomerStats, Segment, SegmentMembership, User
from handel.customers.segments.rules import RULE_FIELDS

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

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Group, opt-in and addresses may have changed: the rule segments follow, in this transaction.
        services.recompute_memberships([form.instance.pk])

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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.recompute_memberships([obj.customer_id])  # segments by default shipping country

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        services.recompute_memberships([obj.customer_id])


class SegmentForm(forms.ModelForm):  # type: ignore[type-arg]
    """Checked by the same validation as the API; saved through the segment services."""

    customer_groups = forms.MultipleChoiceField(
        choices=lambda: [(group.code, group.name) for group in CustomerGroup.objects.order_by("name")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="any of these groups",
    )
    countries = forms.CharField(
        required=False, help_text="country of the default shipping address: ISO codes separated by commas, e.g. NL, BE"
    )

    class Meta:
        model = Segment
        fields = ("code", "name", "description", "kind", "is_active", *RULE_FIELDS)

    def clean_countries(self) -> list[str]:
        return [code.strip().upper() for code in (self.cleaned_data.get("countries") or "").split(",") if code.strip()]

    def segment_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {
            name: data[name] for name in ("name", "description", "kind", "is_active") if name in data
        }
        fields["rules"] = {name: data.get(name) for name in RULE_FIELDS}
        return fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        current = Segment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        fields = self.segment_fields()
        if current is not None:
            fields.pop("kind", None)
        try:
            services.validate_segment(code=data.get("code", ""), fields=fields, segment=current)
        except DomainError as exc:
            for error in exc.errors:
                location = [part for part in error["loc"] if isinstance(part, str) and part not in ("body", "rules")]
                field = location[0] if location and location[0] in self.fields else None
                self.add_error(field, error["msg"])
        return data


@admin.register(Segment)
class SegmentAdmin(ModelAdmin):
    form = SegmentForm
    list_display = ("code", "name", "kind", "is_active", "members", "updated_at")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    actions = ["recompute"]
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "kind", "is_active")}),
        (
            "Rules (rule segments: every condition set must hold)",
            {
                "fields": (
                    "customer_groups",
                    "countries",
                    ("signed_up_within_days", "signed_up_before_days"),
                    "marketing_opt_in",
                    ("min_orders", "min_total_spent"),
                    ("last_order_within_days", "last_order_before_days"),
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", "kind") if obj is not None else ()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "countries" in form.base_fields:
            form.base_fields["countries"].initial = ", ".join(obj.countries or [])
        return form

    @admin.display(description="members", ordering="member_count")
    def members(self, obj: Segment) -> Any:
        url = reverse("admin:customers_segmentmembership_changelist") + f"?segment__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "member_count", 0))

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        # The admin wraps this view in a transaction; the segment services open their own durable one.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return self._delete_view(request, object_id, extra_context)

    def save_model(self, request: HttpRequest, obj: Segment, form: Any, change: bool) -> None:
        fields = form.segment_fields()
        try:
            if change:
                fields.pop("kind", None)
                segment = services.update_segment(actor=request.user, code=obj.code, changes=fields)
            else:
                segment = services.create_segment(actor=request.user, code=obj.code, **fields)
        except DomainError as exc:
            messages.error(request, f"Segment not saved: {exc.detail}")
            return
        obj.pk = segment.pk

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> Any:
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request: HttpRequest, obj: Segment) -> None:
        services.delete_segment(actor=request.user, code=obj.code)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Segment]) -> None:
        for segment in queryset:
            services.delete_segment(actor=request.user, code=segment.code)

    # It writes memberships: staff who may only view segments do not see or run it.
    @admin.action(description="Recompute members now", permissions=["change"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[Segment]) -> None:
        for segment in queryset:
            change = services.recompute_segment(code=segment.code, actor=request.user)
            self.message_user(request, f"{segment.code}: {change.added} added, {change.removed} removed")


@admin.register(SegmentMembership)
class SegmentMembershipAdmin(ReadOnlyAdmin):
    """Who is in which segment. Manual members change through the staff API."""

    list_display = ("segment", "customer", "source", "added_at")
    list_filter = ("segment", "source")
    search_fields = ("customer__email", "segment__code")
    list_select_related = ("segment", "customer")


@admin.register(CustomerStats)
class CustomerStatsAdmin(ReadOnlyAdmin):
    list_display = ("customer", "order_count", "total_spent", "first_order_at", "last_order_at")
    search_fields = ("customer__email",)
    list_select_related = ("customer",)
