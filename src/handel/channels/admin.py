from django.contrib import admin

from handel.channels.models import Channel
from handel.channels.queries import forget_cached_channels
from handel.core.admin import AuditedModelAdmin


@admin.register(Channel)
class ChannelAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "currency", "default_locale", "tax_display", "is_b2b", "is_default", "is_active")
    list_filter = ("tax_display", "is_b2b", "is_active")
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        forget_cached_channels()
